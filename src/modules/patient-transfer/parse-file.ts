/**
 * What an uploaded import file holds, as rows of cells, or why it is refused. The type is decided
 * by the content, not the file name or the client's media type: a ZIP signature means XLSX, valid
 * UTF-8 text without NUL bytes means CSV, anything else is 415. Runs in parse-worker.ts.
 */
import type { Cell } from "./columns.ts";
import { readCsv } from "./csv-read.ts";
import { type ImportLimits, ImportRefusal } from "./import-limits.ts";
import { readXlsx } from "./xlsx-read.ts";

export interface ParseRequest {
  bytes: Uint8Array;
  limits: ImportLimits;
}

/** Dates cross as Dates: postMessage clones structurally. */
export type ParseReply =
  | { ok: true; kind: "csv" | "xlsx"; rows: Cell[][] }
  | { ok: false; status: 413 | 415 | 422; detail: string };

const unsupported = (why: string) =>
  new ImportRefusal(415, `Upload a CSV or XLSX file with a header row: ${why}.`);

const isZip = (b: Uint8Array) =>
  b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

export function parseFile(bytes: Uint8Array, limits: ImportLimits): ParseReply {
  try {
    if (isZip(bytes)) {
      try {
        return { ok: true, kind: "xlsx", rows: readXlsx(bytes, limits) };
      } catch (err) {
        if (err instanceof ImportRefusal) throw err;
        // Anything else a malformed archive or part throws (fflate's, the decoder's) means the
        // same to the client: not a workbook we can read.
        throw unsupported("the file is a ZIP archive but not a readable XLSX workbook");
      }
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw unsupported("the file is neither XLSX nor UTF-8 text");
    }
    if (text.includes("\u0000")) throw unsupported("the file is binary, not CSV text");
    return { ok: true, kind: "csv", rows: readCsv(text, limits) };
  } catch (err) {
    if (err instanceof ImportRefusal) return { ok: false, status: err.status, detail: err.detail };
    throw err;
  }
}
