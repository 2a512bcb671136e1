/**
 * The fonts a prescription is set in: DejaVu Sans Condensed, regular and bold, shipped beside
 * this file (Bitstream Vera licence, see fonts/LICENSE). pdf-lib's standard fonts only encode
 * WinAnsi, and a patient called "Ndéye" or "Zoë" must be printed as named, so the fonts are
 * embedded (subset: only the glyphs used, which keeps a prescription near 30 kB).
 * Condensed, because the item table has eight columns on an A4 page.
 */
import fontkit from "@pdf-lib/fontkit";
import type { PDFDocument, PDFFont } from "pdf-lib";
import { projectFile } from "../../../../db/paths.ts";

export interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
}

const FILES = {
  regular: projectFile("src/modules/clinical/pdf/fonts/DejaVuSansCondensed.ttf"),
  bold: projectFile("src/modules/clinical/pdf/fonts/DejaVuSansCondensed-Bold.ttf"),
};

// The bytes are read once per process; a failed read is forgotten so the next call retries.
let cached: Promise<{ regular: Uint8Array; bold: Uint8Array }> | undefined;

function fontBytes() {
  cached ??= Promise.all([Deno.readFile(FILES.regular), Deno.readFile(FILES.bold)])
    .then(([regular, bold]) => ({ regular, bold }))
    .catch((err) => {
      cached = undefined;
      throw err;
    });
  return cached;
}

export async function embedFonts(doc: PDFDocument): Promise<Fonts> {
  const bytes = await fontBytes();
  doc.registerFontkit(fontkit);
  const [regular, bold] = await Promise.all([
    doc.embedFont(bytes.regular, { subset: true }),
    doc.embedFont(bytes.bold, { subset: true }),
  ]);
  return { regular, bold };
}
