/**
 * Which cell styles format numbers as dates. XLSX stores a date as a day count; only the number
 * format of the cell's style tells it from a number. The rules follow read-excel-file, which this
 * module replaced, so workbooks read as they did: the built-in date formats by id, and custom
 * formats whose every token is a date or time token ("yyyy-mm-dd", "d/m/yy h:mm", "[$-409]mmm").
 */
import type { XmlHandler } from "./xml-scan.ts";

/** Built-in number formats that are dates or times, in any locale. */
const BUILT_IN_DATES = new Set([
  ...[14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47],
  ...[27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58],
  ...[71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81],
]);

const DATE_TOKENS = new Set([
  "s",
  "ss",
  "m",
  "mm",
  "mmm",
  "mmmm",
  "mmmmm",
  "h",
  "hh",
  "am",
  "pm",
  "a",
  "p",
  "d",
  "dd",
  "ddd",
  "dddd",
  "aaa",
  "aaaa",
  "aaaaa",
  "y",
  "yy",
  "yyyy",
  "e",
  "ee",
  "eeee",
]);

export function isDateFormatCode(code: string): boolean {
  const sections = code.toLowerCase().replace(/;@$/, "").replace(/\\./g, " ").split(";");
  return sections.some((section) => {
    const tokens = section
      .replace(/"[^"]*"/g, " ") // quoted literal text
      .replace(/(\[?[smhd]{1,2}\]?)[.,]00?0?/g, "$1") // fractions of seconds
      .replace(/\[([smhd]{1,2})\]/g, "$1") // elapsed time
      .replace(/\[[^\]]*\]/g, "") // locale, colour, condition
      .split(/[^a-z0#?%]+/)
      .filter(Boolean);
    return tokens.length > 0 && tokens.every((t) => DATE_TOKENS.has(t));
  });
}

/**
 * Reads styles.xml into the set of cell style indexes (`<c s="…">`) that format dates. A cell
 * style without a number format of its own takes its base style's (`xfId`).
 */
export function stylesReader(): XmlHandler & { dateStyles(): Set<number> } {
  const formats = new Map<number, string>();
  const base: (number | undefined)[] = [];
  const cells: { fmt?: number; xfId?: number }[] = [];
  let list: "base" | "cells" | null = null;
  const num = (s: string | undefined) => s === undefined || s === "" ? undefined : Number(s);
  return {
    open(name, a) {
      if (name === "numFmt") formats.set(Number(a.numFmtId), a.formatCode ?? "");
      else if (name === "cellStyleXfs") list = "base";
      else if (name === "cellXfs") list = "cells";
      else if (name === "xf" && list === "base") base.push(num(a.numFmtId));
      else if (name === "xf" && list === "cells") {
        cells.push({ fmt: num(a.numFmtId), xfId: num(a.xfId) });
      }
    },
    close(name) {
      if (name === "cellStyleXfs" || name === "cellXfs") list = null;
    },
    text() {},
    dateStyles() {
      const out = new Set<number>();
      cells.forEach(({ fmt, xfId }, i) => {
        const id = fmt ?? (xfId === undefined ? undefined : base[xfId]);
        if (id === undefined) return;
        // Ids from 100 may be redefined by the file; lower ones are the built-in formats.
        const code = id >= 100 ? formats.get(id) : undefined;
        if (code !== undefined ? isDateFormatCode(code) : BUILT_IN_DATES.has(id)) out.add(i);
      });
      return out;
    },
  };
}
