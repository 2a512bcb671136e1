/**
 * Reads an uploaded CSV or XLSX file into rows of cells. The type is decided by the content, not
 * the file name or the client's media type: a ZIP signature means XLSX, valid UTF-8 text without
 * NUL bytes means CSV, anything else is refused with 415.
 */
import { parse } from "csv-parse/sync";
import { readSheet } from "read-excel-file/universal";
import { ProblemError } from "../../lib/errors.ts";
import type { Cell } from "./columns.ts";

export interface SheetRows {
  kind: "csv" | "xlsx";
  /** Every record, header first, blank ones included so that indexes are row numbers - 1. */
  rows: Cell[][];
}

const unsupported = (why: string) =>
  new ProblemError(415, `Upload a CSV or XLSX file with a header row: ${why}.`);

const isZip = (b: Uint8Array) =>
  b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/** The caller bounds the work by refusing files over the byte limit before reading them. */
export async function readRows(bytes: Uint8Array): Promise<SheetRows> {
  if (isZip(bytes)) {
    let rows: Cell[][];
    try {
      rows = await readSheet(new Uint8Array(bytes).slice().buffer) as Cell[][];
    } catch {
      throw unsupported("the file is a ZIP archive but not a readable XLSX workbook");
    }
    return { kind: "xlsx", rows };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw unsupported("the file is neither XLSX nor UTF-8 text");
  }
  if (text.includes("\u0000")) throw unsupported("the file is binary, not CSV text");
  try {
    const rows = parse(text, {
      bom: true,
      delimiter: delimiterOf(text),
      relax_column_count: true,
      skip_empty_lines: false,
    }) as string[][];
    return { kind: "csv", rows };
  } catch (err) {
    throw new ProblemError(
      422,
      `The CSV file cannot be read: ${(err as Error).message.split("\n")[0]}`,
    );
  }
}

/** Spreadsheets in many locales save CSV with semicolons; the header line tells which. */
function delimiterOf(text: string): string {
  const firstLine = text.slice(0, text.indexOf("\n") >>> 0);
  const count = (ch: string) => firstLine.split(ch).length - 1;
  return count(";") > count(",") ? ";" : count("\t") > count(",") ? "\t" : ",";
}
