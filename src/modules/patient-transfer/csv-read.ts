/**
 * CSV text as rows of strings, parsed within the import limits. The bytes are bounded by the
 * upload limit already; what a small file can still cost is shape: a million columns on one line
 * took csv-parse seconds to split. Each field is checked as csv-parse completes it (its `cast`
 * hook), so the parse stops at the first column past the limit rather than after the record.
 */
import { CsvError, parse } from "csv-parse/sync";
import {
  cellTooLong,
  columnName,
  type ImportLimits,
  ImportRefusal,
  maxRowNumber,
  tooManyColumns,
  tooManyLines,
  tooManyRows,
} from "./import-limits.ts";

export function readCsv(text: string, limits: ImportLimits): string[][] {
  let records = 0;
  let nonBlank = 0;
  // No record within the column and cell limits is longer: a backstop for one huge quoted
  // field, which `cast` sees only once it is complete.
  const maxRecord = limits.maxColumns * limits.maxCellChars;
  try {
    return parse(text, {
      bom: true,
      delimiter: delimiterOf(text),
      relax_column_count: true,
      skip_empty_lines: false,
      max_record_size: maxRecord,
      cast: (value: string, ctx: { index: number; lines: number }) => {
        if (ctx.index >= limits.maxColumns) throw tooManyColumns(limits);
        if (value.length > limits.maxCellChars) {
          throw cellTooLong(limits, `Cell ${columnName(ctx.index + 1)}${ctx.lines}`);
        }
        return value;
      },
      on_record: (record: string[]) => {
        if (++records > maxRowNumber(limits)) throw tooManyLines(limits);
        if (record.some((cell) => cell.trim() !== "") && ++nonBlank > limits.maxRows + 1) {
          throw tooManyRows(limits);
        }
        return record;
      },
    }) as string[][];
  } catch (err) {
    if (err instanceof ImportRefusal) throw err;
    if (err instanceof CsvError && err.code === "CSV_MAX_RECORD_SIZE") {
      throw new ImportRefusal(
        422,
        `A row holds more than ${maxRecord} characters; imports take at most ` +
          `${limits.maxColumns} columns of ${limits.maxCellChars} characters.`,
      );
    }
    throw new ImportRefusal(
      422,
      `The CSV file cannot be read: ${(err as Error).message.split("\n")[0]}`,
    );
  }
}

/**
 * Spreadsheets in many locales save CSV with semicolons; the header line tells which. Counted
 * with indexOf, not split: the header of a hostile file may be megabytes long.
 */
export function delimiterOf(text: string): string {
  const end = text.indexOf("\n") >>> 0;
  const count = (ch: string) => {
    let n = 0;
    for (let i = text.indexOf(ch); i >= 0 && i < end; i = text.indexOf(ch, i + 1)) n++;
    return n;
  };
  const commas = count(",");
  return count(";") > commas ? ";" : count("\t") > commas ? "\t" : ",";
}
