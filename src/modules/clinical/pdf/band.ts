/**
 * The bottom of every page: the QR code with the number printed under it (bottom right, so a
 * pharmacist finds it in the same place on every page), the page count, and on the last page
 * the validity, the prescriber and the signature line. Pages before the last say where the
 * signature is, so a page on its own is not taken for a whole prescription.
 */
import type { PDFPage } from "pdf-lib";
import type { Fonts } from "./fonts.ts";
import { drawQr } from "./qr.ts";
import { wrapText } from "./text.ts";
import { BAND_HEIGHT, INK, MARGIN, MUTED, PAGE_WIDTH, QR_SIZE, RULE } from "./style.ts";

export interface Signer {
  name: string;
  employeeId?: string | null;
  role?: string;
}

export interface BandInfo {
  number: string;
  issuedOn: string;
  validUntil: string;
  prescriber: Signer;
}

/** Left of the QR code, less its quiet zone (4 modules of a version 1-3 code, rounded up). */
const LEFT_WIDTH = PAGE_WIDTH - 2 * MARGIN - QR_SIZE - 24;

export function drawBand(
  page: PDFPage,
  fonts: Fonts,
  info: BandInfo,
  qr: boolean[][],
  index: number,
  count: number,
) {
  const right = PAGE_WIDTH - MARGIN;
  const top = MARGIN + BAND_HEIGHT;
  page.drawLine({
    start: { x: MARGIN, y: top },
    end: { x: right, y: top },
    thickness: 1,
    color: RULE,
  });

  const qrLeft = right - QR_SIZE;
  drawQr(page, qr, qrLeft, MARGIN + 12 + QR_SIZE, QR_SIZE);
  const caption = info.number;
  const captionWidth = fonts.regular.widthOfTextAtSize(caption, 8);
  page.drawText(caption, {
    x: qrLeft + (QR_SIZE - captionWidth) / 2,
    y: MARGIN + 1,
    size: 8,
    font: fonts.regular,
    color: INK,
  });

  const footer = `Page ${index + 1} of ${count}`;
  page.drawText(footer, { x: MARGIN, y: MARGIN - 16, size: 8, font: fonts.regular, color: MUTED });

  let y = top - 18;
  const text = (s: string, size: number, bold = false, color = INK) => {
    for (const line of wrapText(s, bold ? fonts.bold : fonts.regular, size, LEFT_WIDTH)) {
      page.drawText(line, { x: MARGIN, y, size, font: bold ? fonts.bold : fonts.regular, color });
      y -= size * 1.3;
    }
  };
  if (index < count - 1) {
    const next = `Continued on page ${index + 2}.`;
    text(`${next} Valid only with the prescriber's signature on page ${count}.`, 9, false, MUTED);
    return;
  }
  text(`Valid until ${info.validUntil}`, 12, true);
  y -= 6;
  text("PRESCRIBED BY", 7.5, false, MUTED);
  const p = info.prescriber;
  text(p.role ? `${p.name}, ${p.role}` : p.name, 10, true);
  if (p.employeeId) text(`Employee ID ${p.employeeId}`, 9);

  // Signature and stamp: a line to sign on, at the foot of the band.
  const lineY = MARGIN + 16;
  page.drawLine({
    start: { x: MARGIN, y: lineY },
    end: { x: MARGIN + 220, y: lineY },
    thickness: 0.75,
    color: INK,
  });
  page.drawText("Signature and stamp", {
    x: MARGIN,
    y: lineY - 10,
    size: 7.5,
    font: fonts.regular,
    color: MUTED,
  });
  page.drawText(`Date ${info.issuedOn}`, {
    x: MARGIN + 240,
    y: lineY + 3,
    size: 9,
    font: fonts.regular,
    color: INK,
  });
}
