/**
 * Reads a worksheet's `<sheetData>` into rows of cells as the scanner goes, enforcing the import
 * limits on each element as it arrives: a cell's reference is checked when its value starts,
 * before anything is kept for it (a lone cell at XFD2000000 costs nothing), its text is stopped
 * at the cell limit while it grows, and rows are counted as they appear.
 *
 * Values as read-excel-file gave them: strings trimmed (empty ones are no value), numbers,
 * booleans, dates for numbers in a date style (UTC, from the workbook's date system), formula
 * results as cached, errors as no value. Rows start at row 1; blank rows are empty arrays.
 */
import type { Cell } from "./columns.ts";
import {
  beyondReference,
  cellTooLong,
  columnName,
  type ImportLimits,
  maxRowNumber,
  tooManyColumns,
  tooManyLines,
  tooManyRows,
  tooMuchContent,
  UnreadableError,
} from "./import-limits.ts";
import { unescapeXstring } from "./xlsx-parts.ts";
import type { XmlHandler } from "./xml-scan.ts";

export interface SheetContext {
  limits: ImportLimits;
  sharedStrings: string[];
  dateStyles: Set<number>;
  epoch1904: boolean;
}

interface OpenCell {
  ref: string | undefined;
  row: number;
  /** The row number came from the file (`<c r>` or `<row r>`), not from counting. */
  numbered: boolean;
  col: number;
  type: string;
  style: number;
  text: string;
  /** `<v>` or `<is>` seen: the cell holds a value, not only a style. */
  hasValue: boolean;
}

const REF = /^([A-Za-z]{1,4})(\d{1,10})$/;
const DAY_MS = 86_400_000;
/** Days from Excel's day 0 (1899-12-30 in practice) to 1970-01-01, and 1900→1904 systems. */
const UNIX_EPOCH_DAYS = 25_569;
const EPOCH_1904_DAYS = 1_462;

const unreadable = (why: string) => new UnreadableError(why);

export function sheetReader(ctx: SheetContext) {
  const { limits } = ctx;
  const rows: Cell[][] = [];
  let current: Cell[] = [];
  let inSheetData = false;
  let rowNumber = 0;
  let rowNumbered = false;
  let lastColOfRow = 0;
  let lastRow = 0;
  let lastCol = 0;
  let nonBlankRows = 0;
  let deliveredChars = 0;
  let cell: OpenCell | null = null;
  let capture: "v" | "is" | null = null;
  let inT = 0;
  let inPhonetic = 0;

  /** The cell's place, checked against the limits before any of its text is kept. */
  const admit = (c: OpenCell) => {
    const ref = () => c.ref?.toUpperCase() ?? columnName(c.col) + c.row;
    if (c.col > limits.maxColumns) {
      throw c.ref === undefined ? tooManyColumns(limits) : beyondReference(limits, ref());
    }
    if (c.row > maxRowNumber(limits)) {
      throw c.numbered ? beyondReference(limits, ref()) : tooManyLines(limits);
    }
    c.hasValue = true;
  };

  const place = (c: OpenCell, value: Cell) => {
    if (c.row < lastRow || (c.row === lastRow && c.col <= lastCol)) {
      throw unreadable(`cell ${c.ref ?? columnName(c.col) + c.row} is out of order`);
    }
    if (c.row !== lastRow) {
      if (++nonBlankRows > limits.maxRows + 1) throw tooManyRows(limits);
      while (rows.length < c.row - 1) rows.push([]);
      rows.push(current = []);
    }
    lastRow = c.row;
    lastCol = c.col;
    if (typeof value === "string") {
      // Shared strings are held once but delivered per cell: this is what bounds the copies.
      deliveredChars += value.length;
      if (deliveredChars > limits.maxUnzippedBytes) throw tooMuchContent(limits);
    }
    while (current.length < c.col - 1) current.push(null);
    current.push(value);
  };

  const handler: XmlHandler = {
    open(name, a) {
      if (name === "sheetData") inSheetData = true;
      else if (!inSheetData) return;
      else if (name === "row") {
        rowNumbered = a.r !== undefined;
        rowNumber = rowNumbered ? Number(a.r) : Math.max(rowNumber, lastRow) + 1;
        if (!Number.isSafeInteger(rowNumber) || rowNumber < 1) throw unreadable("bad row number");
        lastColOfRow = 0;
      } else if (name === "c") {
        const m = a.r === undefined ? null : REF.exec(a.r);
        if (a.r !== undefined && !m) throw unreadable(`bad cell reference ${a.r.slice(0, 20)}`);
        const col = m ? columnNumber(m[1]) : lastColOfRow + 1;
        lastColOfRow = col;
        cell = {
          ref: a.r,
          row: m ? Number(m[2]) : rowNumber,
          numbered: m !== null || rowNumbered,
          col,
          type: a.t ?? "n",
          style: a.s === undefined ? -1 : Number(a.s),
          text: "",
          hasValue: false,
        };
      } else if (cell && (name === "v" || name === "is")) {
        admit(cell);
        capture = name;
      } else if (name === "t") inT++;
      else if (name === "rPh") inPhonetic++;
    },
    close(name) {
      if (name === "sheetData") inSheetData = false;
      else if (!inSheetData) return;
      else if (name === "v" || name === "is") capture = null;
      else if (name === "t") inT--;
      else if (name === "rPh") inPhonetic--;
      else if (name === "c" && cell) {
        if (cell.hasValue) {
          const value = valueOf(ctx, cell);
          if (value !== null) place(cell, value);
        }
        cell = null;
      }
    },
    text(piece) {
      if (!cell || !(capture === "v" || (capture === "is" && inT > 0 && inPhonetic === 0))) return;
      if (cell.text.length + piece.length > limits.maxCellChars) {
        throw cellTooLong(
          limits,
          `Cell ${cell.ref?.toUpperCase() ?? columnName(cell.col) + cell.row}`,
        );
      }
      cell.text += piece;
    },
  };
  return { handler, rows };
}

/** "A" → 1, "XFD" → 16384; four letters at most (already past any limit). */
function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + ch.charCodeAt(0) - 64;
  return n;
}

const text = (s: string) => {
  const t = unescapeXstring(s).trim();
  return t === "" ? null : t;
};

function valueOf(ctx: SheetContext, c: OpenCell): Cell {
  const v = c.text;
  switch (c.type) {
    case "s": {
      if (v.trim() === "") return null;
      const s = ctx.sharedStrings[Number(v)];
      if (s === undefined) throw unreadable("a cell refers to a missing shared string");
      return s.trim() || null; // unescaped when the table was read
    }
    case "inlineStr":
    case "str":
      return text(v);
    case "e":
      return null;
    case "b":
      if (v === "") return null;
      if (v.trim() === "1" || v.trim() === "0") return v.trim() === "1";
      throw unreadable("a boolean cell holds neither 0 nor 1");
    case "d": {
      if (v.trim() === "") return null;
      const d = new Date(v.trim());
      if (Number.isNaN(d.getTime())) throw unreadable("a date cell holds no date");
      return d;
    }
    case "n": {
      if (v === "") return null;
      const n = Number(v);
      if (Number.isNaN(n)) throw unreadable("a number cell holds no number");
      if (!ctx.dateStyles.has(c.style)) return n;
      const days = n + (ctx.epoch1904 ? EPOCH_1904_DAYS : 0);
      return new Date(Math.floor((days - UNIX_EPOCH_DAYS) * DAY_MS));
    }
    default:
      throw unreadable(`unknown cell type ${c.type.slice(0, 20)}`);
  }
}
