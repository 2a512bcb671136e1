/**
 * Who the prescription is for. The first page has the full block (name, MRN, date of birth
 * with age, sex, weight when recorded: a pharmacist checks a child's dose against age and
 * weight); later pages repeat name and MRN on one line.
 */
import type { PDFPage } from "pdf-lib";
import type { Fonts } from "./fonts.ts";
import { formatBirth, formatSex, formatWeight } from "./format.ts";
import { wrapText } from "./text.ts";
import { CONTENT_WIDTH, INK, MARGIN, MUTED, RULE } from "./style.ts";

export interface PatientInfo {
  name: string;
  mrn: string;
  birthDate?: string | null;
  sex?: string | null;
  weightKg?: number | null;
}

const PAD = 7;
const LABEL_SIZE = 7.5;
const VALUE_SIZE = 10;
const LINE = 12.5;

/** Draws the full block with its top at `top`; returns the y below it. `on` dates the age. */
export function drawPatientBlock(
  page: PDFPage,
  fonts: Fonts,
  patient: PatientInfo,
  on: string,
  top: number,
): number {
  const fields = [
    { label: "Patient", value: patient.name, width: 0, bold: true },
    { label: "MRN", value: patient.mrn, width: 95, bold: true },
    { label: "Date of birth (age)", value: formatBirth(patient.birthDate, on), width: 120 },
    { label: "Sex", value: formatSex(patient.sex), width: 62 },
    ...(patient.weightKg == null
      ? []
      : [{ label: "Weight", value: formatWeight(patient.weightKg), width: 62 }]),
  ];
  // The name takes whatever the other fields leave.
  const inner = CONTENT_WIDTH - 2 * PAD;
  fields[0].width = inner - fields.slice(1).reduce((sum, f) => sum + f.width, 0);
  const laid = fields.map((f) => ({
    ...f,
    lines: wrapText(f.value, f.bold ? fonts.bold : fonts.regular, VALUE_SIZE, f.width - 8),
  }));
  const height = 2 * PAD + LABEL_SIZE + 4 + Math.max(...laid.map((f) => f.lines.length)) * LINE;
  page.drawRectangle({
    x: MARGIN,
    y: top - height,
    width: CONTENT_WIDTH,
    height,
    borderColor: RULE,
    borderWidth: 0.75,
  });
  let x = MARGIN + PAD;
  for (const f of laid) {
    page.drawText(f.label.toUpperCase(), {
      x,
      y: top - PAD - LABEL_SIZE,
      size: LABEL_SIZE,
      font: fonts.regular,
      color: MUTED,
    });
    f.lines.forEach((text, i) => {
      page.drawText(text, {
        x,
        y: top - PAD - LABEL_SIZE - 4 - (i + 1) * LINE + 3,
        size: VALUE_SIZE,
        font: f.bold ? fonts.bold : fonts.regular,
        color: INK,
      });
    });
    x += f.width;
  }
  return top - height - 12;
}

/** The reminder on later pages (one line unless the name is very long); returns the y below. */
export function drawPatientLine(page: PDFPage, fonts: Fonts, patient: PatientInfo, top: number) {
  const text = `${patient.name} · MRN ${patient.mrn} · continued`;
  let y = top;
  for (const line of wrapText(text, fonts.regular, 9, CONTENT_WIDTH)) {
    y -= 11;
    page.drawText(line, { x: MARGIN, y, size: 9, font: fonts.regular, color: MUTED });
  }
  return y - 8;
}
