/**
 * Readers of the small XLSX parts that lead to the sheet: the workbook (its first sheet, its date
 * system), the workbook's relations (where that sheet, the styles and the shared strings are) and
 * the shared strings table, each a handler for the streaming XML scanner.
 */
import { cellTooLong, type ImportLimits } from "./import-limits.ts";
import type { XmlHandler } from "./xml-scan.ts";

/** `<workbook>`: the relation id of the first sheet, and whether days count from 1904. */
export function workbookReader() {
  const state = { firstSheet: undefined as string | undefined, epoch1904: false };
  const handler: XmlHandler = {
    open(name, a) {
      if (name === "sheet" && state.firstSheet === undefined) state.firstSheet = a.id;
      else if (name === "workbookPr") state.epoch1904 = a.date1904 === "1" || a.date1904 === "true";
    },
    close() {},
    text() {},
  };
  return { handler, state };
}

/** `xl/_rels/workbook.xml.rels`: relation ids to part paths inside the archive. */
export function relationsReader() {
  const targets = new Map<string, string>();
  const state = {
    styles: undefined as string | undefined,
    sharedStrings: undefined as string | undefined,
  };
  const handler: XmlHandler = {
    open(name, a) {
      if (name !== "Relationship" || !a.Target || a.TargetMode === "External") return;
      const path = partPath(a.Target);
      // Transitional and strict documents differ in the namespace, not in the last segment.
      const type = (a.Type ?? "").slice((a.Type ?? "").lastIndexOf("/") + 1);
      if (type === "worksheet") targets.set(a.Id, path);
      else if (type === "styles") state.styles = path;
      else if (type === "sharedStrings") state.sharedStrings = path;
    },
    close() {},
    text() {},
  };
  return { handler, targets, state };
}

/** A relation target as a path in the archive: relative to `xl/`, or absolute from the root. */
function partPath(target: string): string {
  const parts: string[] = target.startsWith("/") ? [] : ["xl"];
  for (const seg of target.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg !== "" && seg !== ".") parts.push(seg);
  }
  return parts.join("/");
}

/** `_x000D_`-style escapes of characters XML cannot hold (ECMA-376 ST_Xstring). */
export const unescapeXstring = (s: string) =>
  s.indexOf("_x") < 0
    ? s
    : s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));

/**
 * `<sst>`: each `<si>` is one string, the text of its `<t>` elements (rich-text runs joined),
 * without phonetic guides (`<rPh>`). A string past the cell limit stops the read as it grows.
 */
export function sharedStringsReader(limits: ImportLimits) {
  const strings: string[] = [];
  let current: string | null = null;
  let inT = 0;
  let inPhonetic = 0;
  const handler: XmlHandler = {
    open(name) {
      if (name === "si") current = "";
      else if (name === "t") inT++;
      else if (name === "rPh") inPhonetic++;
    },
    close(name) {
      if (name === "si" && current !== null) {
        strings.push(unescapeXstring(current));
        current = null;
      } else if (name === "t") inT--;
      else if (name === "rPh") inPhonetic--;
    },
    text(piece) {
      if (current === null || inT <= 0 || inPhonetic > 0) return;
      if (current.length + piece.length > limits.maxCellChars) {
        throw cellTooLong(limits, `Shared string #${strings.length}`);
      }
      current += piece;
    },
  };
  return { handler, strings };
}
