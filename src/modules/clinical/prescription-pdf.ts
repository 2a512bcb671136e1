/**
 * A printable prescription: the PDF a patient takes to a pharmacy. A pure renderer (no
 * database, no clock): the caller gathers the words and numbers, this lays them out on A4.
 *
 * Layout, top to bottom: the clinic and the title with the number and date (every page), the
 * patient (in full on page 1, name and MRN on later pages), the table of medicines (its header
 * repeated on each page), notes, and a band at the foot of every page with the QR code of the
 * number and "Page N of M"; the last page's band carries the validity, the prescriber and the
 * signature line. Text is set in an embedded Unicode font, so "Zoë" and "Ndéye" print as named.
 *
 * @example
 * const pdf = await renderPrescriptionPdf(print);
 * return c.body(pdf, 200, { "Content-Type": "application/pdf" });
 */
import { PDFDocument, type PDFPage } from "pdf-lib";
import { drawBand } from "./pdf/band.ts";
import { embedFonts, type Fonts } from "./pdf/fonts.ts";
import {
  formatDose,
  formatDuration,
  formatNumber,
  formatQuantity,
  genericSuffix,
} from "./pdf/format.ts";
import { drawHeader } from "./pdf/header.ts";
import { drawPatientBlock, drawPatientLine } from "./pdf/patient.ts";
import { qrMatrix } from "./pdf/qr.ts";
import {
  BAND_HEIGHT,
  CONTENT_WIDTH,
  INK,
  MARGIN,
  MUTED,
  PAGE_HEIGHT,
  PAGE_WIDTH,
  SHADE,
  STRIPE,
} from "./pdf/style.ts";
import {
  type Column,
  drawRow,
  type LaidRow,
  layRow,
  linesFitting,
  type Paragraph,
  rowHeight,
  splitRow,
  type TableStyle,
} from "./pdf/table.ts";
import { wrapText } from "./pdf/text.ts";

export interface PrescriptionPrint {
  clinic: {
    name: string;
    facility?: string | null;
    address?: string | null;
    phone?: string | null;
  };
  prescriber: { name: string; employeeId?: string | null; role?: string };
  patient: {
    name: string;
    mrn: string;
    birthDate?: string | null;
    sex?: string | null;
    weightKg?: number | null;
  };
  /** RX-202612-0042, or RX-K2-202612-0042 at a clinic replica. */
  number: string;
  /** Clinic-local date, YYYY-MM-DD. */
  issuedOn: string;
  /** YYYY-MM-DD. */
  validUntil: string;
  items: {
    medication: string;
    genericName: string;
    dose: number;
    unit: string;
    route: string;
    /** Already worded: "3 times a day", "every 8 hours", "as needed, at most 4 a day". */
    frequency: string;
    durationDays: number | null;
    quantity: number | null;
    quantityUnit?: string | null;
    instructions?: string | null;
  }[];
  notes?: string | null;
}

type Item = PrescriptionPrint["items"][number];

const TABLE: TableStyle = { size: 8.5, lineHeight: 10.5, padX: 3.5, padY: 4 };
// Route fits "subcutaneous", Duration its header, # two digits, without breaking a word.
const WIDTHS = [20, 108, 50, 61, 76, 46, 54];
const COLUMNS: Column[] = [
  "#",
  "Medicine",
  "Dose",
  "Route",
  "Frequency",
  "Duration",
  "Quantity",
  "Instructions",
].map((title, i) => ({
  title,
  // Instructions take what the others leave: they are the longest free text.
  width: WIDTHS[i] ?? CONTENT_WIDTH - WIDTHS.reduce((a, b) => a + b, 0),
}));
/** Nothing but the band goes below this line. */
const CONTENT_BOTTOM = MARGIN + BAND_HEIGHT + 10;

/** Renders the prescription as a PDF file (A4 portrait, one or more pages). */
export async function renderPrescriptionPdf(p: PrescriptionPrint): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Prescription ${p.number}`);
  doc.setAuthor(p.clinic.name);
  doc.setSubject(`Prescription for ${p.patient.name}, valid until ${p.validUntil}`);
  doc.setCreator("Clinic API");
  doc.setProducer("Clinic API");
  doc.setLanguage("en");
  const fonts = await embedFonts(doc);

  const pages: PDFPage[] = [];
  let y = 0;
  let rowsOnPage = 0;
  const header = layRow(COLUMNS.map((c) => [{ text: c.title, font: fonts.bold }]), COLUMNS, TABLE);

  const newPage = (withTableHeader: boolean) => {
    const page = doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
    pages.push(page);
    const heading = { title: "Prescription", number: p.number, date: p.issuedOn };
    y = drawHeader(page, fonts, p.clinic, heading);
    y = pages.length === 1
      ? drawPatientBlock(page, fonts, p.patient, p.issuedOn, y)
      : drawPatientLine(page, fonts, p.patient, y);
    if (withTableHeader) y = drawRow(page, header, COLUMNS, TABLE, MARGIN, y, SHADE);
    rowsOnPage = 0;
  };
  const page = () => pages[pages.length - 1];

  newPage(true);
  const rows = p.items.length
    ? p.items.map((item, i) => layRow(itemCells(item, i, fonts), COLUMNS, TABLE))
    : [layRow([[], [{ text: "No medicines prescribed.", font: fonts.regular }]], COLUMNS, TABLE)];
  rows.forEach((laid, i) => {
    let row: LaidRow = laid;
    const background = i % 2 ? STRIPE : undefined;
    for (;;) {
      const room = y - CONTENT_BOTTOM;
      if (rowHeight(row, TABLE) <= room) {
        y = drawRow(page(), row, COLUMNS, TABLE, MARGIN, y, background);
        rowsOnPage++;
        break;
      }
      // A row moves to the next page whole; one that does not fit even at the top of a page
      // (pages of instructions) is split between lines instead.
      const fit = linesFitting(room, TABLE);
      if (rowsOnPage > 0 || fit < 1) {
        newPage(true);
        continue;
      }
      const [head, rest] = splitRow(row, fit);
      drawRow(page(), head, COLUMNS, TABLE, MARGIN, y, background);
      row = rest;
      newPage(true);
    }
  });

  if (p.notes?.trim()) {
    y -= 10;
    const lines = wrapText(p.notes, fonts.regular, 9, CONTENT_WIDTH);
    // The label stays with at least the first line of the notes.
    if (y - 24 < CONTENT_BOTTOM) newPage(false);
    page().drawText("NOTES", { x: MARGIN, y: y - 8, size: 7.5, font: fonts.regular, color: MUTED });
    y -= 12;
    for (const line of lines) {
      if (y - 12 < CONTENT_BOTTOM) newPage(false);
      y -= 12;
      page().drawText(line, { x: MARGIN, y, size: 9, font: fonts.regular, color: INK });
    }
  }

  const qr = qrMatrix(p.number);
  pages.forEach((pg, i) => drawBand(pg, fonts, p, qr, i, pages.length));
  return await doc.save();
}

/** One table row: the medicine in bold with its generic name under it in brackets. */
function itemCells(item: Item, index: number, fonts: Fonts): Paragraph[][] {
  const cell = (text: string): Paragraph[] => [{ text, font: fonts.regular }];
  const generic = genericSuffix(item.medication, item.genericName);
  return [
    cell(formatNumber(index + 1)),
    [
      { text: item.medication, font: fonts.bold },
      ...(generic ? [{ text: generic, font: fonts.regular, color: MUTED }] : []),
    ],
    cell(formatDose(item.dose, item.unit)),
    cell(item.route),
    cell(item.frequency),
    cell(formatDuration(item.durationDays)),
    cell(formatQuantity(item.quantity, item.quantityUnit)),
    cell(item.instructions?.trim() || ""),
  ];
}
