/**
 * Reads the ICD-10-CM order file CDC/NCHS publish each fiscal year (`icd10cm_order_2025.txt`)
 * into a code list of the shipped list's shape, its codes placed in the shipped list's blocks and
 * chapters by range. `scripts/codes-import.ts` (`deno task codes:import FILE`) writes the result
 * to the data folder, where the module loads it at start.
 *
 * The file is fixed-width, one code or header per line:
 *
 * | columns | field                                                         |
 * | ------- | ------------------------------------------------------------- |
 * | 1-5     | order number, zero-padded                                     |
 * | 7-13    | code without the dot, left-aligned (`A0100  `)                |
 * | 15      | 1 when valid for submission (billable), 0 for a header        |
 * | 17-76   | short description                                             |
 * | 78-     | long description (the official title, used here)              |
 */
import { type Icd10Code, type Icd10CodeList, normalizeCode, placer, withDot } from "./catalog.ts";

export interface OrderFileResult {
  list: Icd10CodeList;
  /** Codes in the file whose category no block of the shipped list contains. */
  unplaced: string[];
  /** Lines that are not in the format, with their number (1-based). */
  errors: { line: number; message: string }[];
}

const LINE = /^(\d{5}) ([A-Z][0-9][0-9A-Z][0-9A-Z ]{4}) ([01]) (.{60}) (.+)$/;

/** Parses an order file's text; `ranges` gives the chapters and blocks (the shipped list). */
export function readOrderFile(
  text: string,
  ranges: Pick<Icd10CodeList, "chapters" | "blocks">,
  source: string,
): OrderFileResult {
  const place = placer(ranges);
  const codes: Icd10Code[] = [];
  const errors: OrderFileResult["errors"] = [];
  const unplaced: string[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, n) => {
    if (!raw.trim()) return;
    const m = LINE.exec(raw.trimEnd());
    if (!m) {
      errors.push({ line: n + 1, message: "not an order-file line (see the format above)" });
      return;
    }
    const key = m[2].trim();
    const title = m[5].trim();
    if (!/^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$/.test(key) || !title) {
      errors.push({
        line: n + 1,
        message: `code ${JSON.stringify(key)} or its title is malformed`,
      });
      return;
    }
    if (seen.has(key)) {
      errors.push({ line: n + 1, message: `code ${withDot(key)} appears twice` });
      return;
    }
    seen.add(key);
    const { block, chapter } = place(key);
    if (!chapter) {
      errors.push({ line: n + 1, message: `code ${withDot(key)} is in no chapter's range` });
      return;
    }
    if (!block) unplaced.push(withDot(key));
    codes.push({
      code: withDot(key),
      title,
      kind: key.length === 3 ? "category" : "subcategory",
      chapter,
      block,
    });
  });
  codes.sort((a, b) => {
    const ka = normalizeCode(a.code);
    const kb = normalizeCode(b.code);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return {
    list: { source, chapters: ranges.chapters, blocks: ranges.blocks, codes },
    unplaced,
    errors,
  };
}

/** The source line for a file's name: `icd10cm_order_2025.txt` → "ICD-10-CM, FY2025, …". */
export function sourceOf(fileName: string): string {
  const year = /(\d{4})/.exec(fileName)?.[1];
  return `ICD-10-CM${year ? `, FY${year}` : ""}, National Center for Health Statistics; ` +
    `public domain (imported from ${fileName.split(/[\\/]/).pop()})`;
}
