/**
 * Text fitting: wraps a string into lines no wider than a column, breaking inside a word only
 * when the word alone is too wide (a long drug name or an unbroken code), so nothing is ever
 * cut off or drawn over the next column.
 */
import type { PDFFont } from "pdf-lib";

/** Control characters (tabs, carriage returns, NULs from a pasted note) print as spaces. */
export function printable(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, " ");
}

/**
 * Lines of `text` at `size` that each fit in `width`. Newlines in the text start a new line;
 * an empty text gives no lines.
 *
 * @example wrapText("take with food", font, 9, 40) // ["take with", "food"]
 */
export function wrapText(text: string, font: PDFFont, size: number, width: number): string[] {
  const fits = (s: string) => font.widthOfTextAtSize(s, size) <= width;
  const lines: string[] = [];
  for (const paragraph of printable(text).split("\n")) {
    let line = "";
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (fits(candidate)) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = "";
      // A word wider than the column is broken at the last character that fits.
      let rest = word;
      while (!fits(rest)) {
        let cut = 1;
        const chars = [...rest];
        while (cut < chars.length && fits(chars.slice(0, cut + 1).join(""))) cut++;
        lines.push(chars.slice(0, cut).join(""));
        rest = chars.slice(cut).join("");
      }
      line = rest;
    }
    if (line) lines.push(line);
  }
  return lines;
}
