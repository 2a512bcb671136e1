/**
 * The top of every page: who issued the document (clinic, facility, address, phone) on the
 * left, what it is (title, number, date) on the right, then a rule. Repeated on each page so a
 * loose second page still says whose prescription it is.
 */
import type { PDFPage } from "pdf-lib";
import type { Fonts } from "./fonts.ts";
import { wrapText } from "./text.ts";
import { CONTENT_WIDTH, INK, MARGIN, MUTED, PAGE_HEIGHT, PAGE_WIDTH, RULE } from "./style.ts";

export interface Issuer {
  name: string;
  facility?: string | null;
  address?: string | null;
  phone?: string | null;
}

export interface Heading {
  title: string;
  number: string;
  date: string;
}

/** Width kept on the right for the title block; the clinic's lines wrap before it. */
const TITLE_WIDTH = 170;

/** Draws the header and returns the y where the page's content may start. */
export function drawHeader(page: PDFPage, fonts: Fonts, issuer: Issuer, heading: Heading) {
  const top = PAGE_HEIGHT - MARGIN;
  const leftWidth = CONTENT_WIDTH - TITLE_WIDTH - 10;
  const wrap = (text: string | null | undefined, size: number, bold = false, muted = false) =>
    text
      ? wrapText(text, bold ? fonts.bold : fonts.regular, size, leftWidth)
        .map((line) => ({ text: line, size, bold, muted }))
      : [];
  const lines = [
    ...wrap(issuer.name, 14, true),
    ...wrap(issuer.facility, 10),
    ...wrap(issuer.address, 9, false, true),
    ...wrap(issuer.phone ? `Tel. ${issuer.phone}` : null, 9, false, true),
  ];
  let y = top;
  for (const line of lines) {
    y -= line.size * 1.25;
    page.drawText(line.text, {
      x: MARGIN,
      y,
      size: line.size,
      font: line.bold ? fonts.bold : fonts.regular,
      color: line.muted ? MUTED : INK,
    });
  }

  const right = PAGE_WIDTH - MARGIN;
  const titleLines = [
    { text: heading.title, size: 20, font: fonts.bold, color: INK },
    { text: heading.number, size: 11, font: fonts.bold, color: INK },
    { text: `Issued ${heading.date}`, size: 9, font: fonts.regular, color: MUTED },
  ];
  let ty = top;
  for (const { text, size, font, color } of titleLines) {
    ty -= size * 1.25;
    const width = font.widthOfTextAtSize(text, size);
    page.drawText(text, { x: right - width, y: ty, size, font, color });
  }

  const ruleY = Math.min(y, ty) - 8;
  page.drawLine({
    start: { x: MARGIN, y: ruleY },
    end: { x: right, y: ruleY },
    thickness: 1,
    color: RULE,
  });
  return ruleY - 10;
}
