/**
 * The prescription's QR code: it encodes the prescription number and nothing else, so a
 * pharmacy's scanner types exactly "RX-202612-0042" into its own system.
 */
import qrcode from "qrcode-generator";
import { type PDFPage, rgb } from "pdf-lib";

/** Characters QR's alphanumeric mode holds: numbers in upper case fit in a smaller code. */
const ALPHANUMERIC = /^[0-9A-Z $%*+\-./:]*$/;

/**
 * The module matrix (true = dark), smallest version that fits, error correction M (15% of the
 * code may be smudged or folded and it still reads). Without the quiet zone.
 */
export function qrMatrix(text: string): boolean[][] {
  const qr = qrcode(0, "M");
  if (ALPHANUMERIC.test(text)) qr.addData(text, "Alphanumeric");
  // Byte mode takes one char code per byte: hand it the UTF-8 bytes, which scanners expect.
  else qr.addData(String.fromCharCode(...new TextEncoder().encode(text)), "Byte");
  qr.make();
  const n = qr.getModuleCount();
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => qr.isDark(r, c)));
}

/**
 * Draws the matrix with its top-left corner at (x, top) and side `size`. The caller keeps four
 * modules of white around it (the quiet zone scanners need). Dark runs of a row are one
 * rectangle each, all in a single filled path, so no hairline seams appear between modules.
 */
export function drawQr(page: PDFPage, matrix: boolean[][], x: number, top: number, size: number) {
  const parts: string[] = [];
  matrix.forEach((row, r) => {
    for (let c = 0; c < row.length; c++) {
      if (!row[c]) continue;
      const start = c;
      while (c + 1 < row.length && row[c + 1]) c++;
      const run = c - start + 1;
      parts.push(`M${start} ${r}h${run}v1h${-run}z`);
    }
  });
  page.drawSvgPath(parts.join(""), {
    x,
    y: top,
    scale: size / matrix.length,
    color: rgb(0, 0, 0),
    borderWidth: 0,
  });
}
