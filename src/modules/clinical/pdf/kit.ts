/** The PDF parts other modules print with, loaded on first use through `loadPdfKit` (mod.ts). */
export { embedFonts as embedPdfFonts } from "./fonts.ts";
export { drawHeader as drawPdfHeader } from "./header.ts";
export * as PDF_STYLE from "./style.ts";
