/**
 * The limits an import file is read within, and the refusals that name them. Shared by the main
 * thread and the parse worker, so it imports nothing: a refusal crosses postMessage as plain data
 * and becomes a ProblemError on the main thread.
 */

export interface ImportLimits {
  /** Data rows; the header row comes on top. */
  maxRows: number;
  maxColumns: number;
  /** Characters in one cell (XLSX and CSV alike). */
  maxCellChars: number;
  /** XLSX parts as inflated, and the characters of all cells as delivered. */
  maxUnzippedBytes: number;
}

/**
 * Rows a sheet may number up to, blank ones included: as many blank rows as data rows (plus the
 * header) are tolerated between them. Every row is one array in the result, so this bounds what
 * a file of empty lines, or a cell at row 2,000,000, can make the reader allocate.
 */
export const maxRowNumber = (l: ImportLimits) => 2 * (l.maxRows + 1);

/**
 * Why a file is refused, as the problem it answers: 413 when it is too big (bytes, rows), 422
 * when it is mis-shaped (columns, cell size, cell reference) or unreadable CSV, 415 when it is
 * not a file we read.
 */
export class ImportRefusal extends Error {
  constructor(readonly status: 413 | 415 | 422, readonly detail: string) {
    super(detail);
  }
}

/** A ZIP that is not a workbook we can read: answered as 415 like any unreadable file. */
export class UnreadableError extends Error {}

/** "A", "B", … "XFD" for the 1-based column number. */
export function columnName(n: number): string {
  let s = "";
  for (; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + (n - 1) % 26) + s;
  return s;
}

export const tooManyRows = (l: ImportLimits) =>
  new ImportRefusal(
    413,
    `The file has more than ${l.maxRows} data rows; imports take at most ${l.maxRows}. Split it.`,
  );

export const tooManyLines = (l: ImportLimits) =>
  new ImportRefusal(
    413,
    `The file has more than ${maxRowNumber(l)} rows, blank ones included; imports take at most ` +
      `${l.maxRows} data rows. Split it.`,
  );

export const tooManyColumns = (l: ImportLimits) =>
  new ImportRefusal(
    422,
    `The sheet has more than ${l.maxColumns} columns; imports take at most ${l.maxColumns}.`,
  );

export const cellTooLong = (l: ImportLimits, where: string) =>
  new ImportRefusal(
    422,
    `${where} holds more than ${l.maxCellChars} characters; imports take at most ` +
      `${l.maxCellChars} per cell.`,
  );

export const beyondReference = (l: ImportLimits, ref: string) =>
  new ImportRefusal(
    422,
    `Cell ${ref} is beyond the largest accepted cell reference ` +
      `${columnName(l.maxColumns)}${maxRowNumber(l)} (${l.maxColumns} columns, ` +
      `${maxRowNumber(l)} rows); imports take at most ${l.maxRows} data rows.`,
  );

export const tooMuchContent = (l: ImportLimits) =>
  new ImportRefusal(
    413,
    `The workbook holds more than ${l.maxUnzippedBytes} bytes once uncompressed (shared ` +
      `strings counted each time a cell uses them); imports take at most ` +
      `${l.maxUnzippedBytes}. Split it.`,
  );
