/**
 * The printable invoice: what the patient takes home and the insurer receives. It gathers the
 * clinic, the patient, the lines and the figures, and lays them out on A4 with pdf-lib under the
 * prescription's header, in the same embedded Unicode font (so "Zoë" prints as named). Amounts
 * print in the currency's own decimals (money.ts).
 */
import { eq } from "drizzle-orm";
import { PDFDocument, type PDFFont, type PDFPage, rgb } from "pdf-lib";
import { facilities, organizations, patients } from "../../../db/schema/mod.ts";
import { findInTenant } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { loadPdfKit } from "../clinical/mod.ts";
import { invoiceView, readInvoiceRow } from "./invoices.ts";
import { formatMoney } from "./money.ts";

export interface InvoicePrint {
  clinic: { name: string; facility?: string | null; address?: string | null };
  number: string;
  status: string;
  date: string;
  currency: string;
  patient: { name: string; mrn: string } | null;
  insurance: { provider: string; memberNumber: string; coveragePercent: number } | null;
  lines: {
    description: string;
    quantity: number;
    unitAmount: number;
    amount: number;
    covered: number;
  }[];
  figures: [string, number][];
}

const MM = 72 / 25.4;
const W = 210 * MM;
const H = 297 * MM;
const M = 14 * MM;
const INK = rgb(0.1, 0.1, 0.1);
const MUTED = rgb(0.4, 0.4, 0.4);
const RULE = rgb(0.75, 0.75, 0.75);
// Description takes what the amounts leave.
const COLS = [
  { title: "#", width: 22, right: false },
  { title: "Description", width: 0, right: false },
  { title: "Qty", width: 36, right: true },
  { title: "Unit", width: 62, right: true },
  { title: "Amount", width: 70, right: true },
  { title: "Insurer", width: 66, right: true },
  { title: "Patient", width: 66, right: true },
];
COLS[1].width = W - 2 * M - COLS.reduce((s, c) => s + c.width, 0);

/** Cuts text to fit a width, with an ellipsis: a line of the table is one line. */
function fit(text: string, font: PDFFont, size: number, width: number) {
  // deno-lint-ignore no-control-regex
  let t = text.replace(/[\u0000-\u001f\u007f]/g, " ");
  if (font.widthOfTextAtSize(t, size) <= width) return t;
  while (t && font.widthOfTextAtSize(`${t}…`, size) > width) t = t.slice(0, -1);
  return `${t}…`;
}

export async function renderInvoicePdf(p: InvoicePrint): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Invoice ${p.number}`);
  doc.setAuthor(p.clinic.name);
  doc.setCreator("Clinic API");
  doc.setProducer("Clinic API");
  const { drawPdfHeader, embedPdfFonts } = await loadPdfKit();
  const fonts = await embedPdfFonts(doc);
  const { regular, bold } = fonts;
  const money = (n: number) => formatMoney(n, p.currency);
  const pages: PDFPage[] = [];
  let y = 0;
  const text = (s: string, x: number, size = 9, font = regular, color = INK, right = false) => {
    const page = pages[pages.length - 1];
    const dx = right ? font.widthOfTextAtSize(s, size) : 0;
    page.drawText(s, { x: x - dx, y, size, font, color });
  };
  const rule = () =>
    pages[pages.length - 1].drawLine({
      start: { x: M, y: y - 3 },
      end: { x: W - M, y: y - 3 },
      thickness: 0.5,
      color: RULE,
    });
  const row = (cells: string[], font = regular) => {
    let x = M;
    COLS.forEach((c, i) => {
      const s = fit(cells[i] ?? "", font, 8.5, c.width - 6);
      text(s, c.right ? x + c.width - 3 : x + 3, 8.5, font, INK, c.right);
      x += c.width;
    });
    rule();
    y -= 14;
  };
  const newPage = () => {
    const page = doc.addPage([W, H]);
    pages.push(page);
    y = drawPdfHeader(page, fonts, p.clinic, {
      title: "Invoice",
      number: p.number,
      date: p.date,
    }) - 10;
    text(`Status: ${p.status.replaceAll("_", " ")}`, W - M, 9, regular, MUTED, true);
    y -= 16;
    if (p.patient) {
      text(`Patient: ${p.patient.name}`, M, 10, bold);
      text(`MRN ${p.patient.mrn}`, W - M, 10, regular, INK, true);
      y -= 14;
    }
    if (p.insurance) {
      text(
        `Insurance: ${p.insurance.provider}, member ${p.insurance.memberNumber}, ` +
          `${p.insurance.coveragePercent}% covered`,
        M,
        9,
      );
      y -= 14;
    }
    text(`Amounts in ${p.currency}`, M, 8, regular, MUTED);
    y -= 14;
    row(COLS.map((c) => c.title), bold);
  };
  newPage();
  p.lines.forEach((l, i) => {
    if (y < M + 40) newPage();
    row([
      String(i + 1),
      l.description,
      String(l.quantity),
      money(l.unitAmount),
      money(l.amount),
      money(l.covered),
      money(l.amount - l.covered),
    ]);
  });
  if (!p.lines.length) row(["", "No charges."]);
  y -= 8;
  for (const [label, amount] of p.figures) {
    if (y < M + 20) newPage();
    const strong = label === "Total" || label === "Balance";
    text(label, W - M - 160, 9.5, strong ? bold : regular);
    text(money(amount), W - M, 9.5, strong ? bold : regular, INK, true);
    y -= 14;
  }
  pages.forEach((page, i) => {
    const label = `${p.number} · Page ${i + 1} of ${pages.length}`;
    page.drawText(label, {
      x: W - M - regular.widthOfTextAtSize(label, 8),
      y: M / 2,
      size: 8,
      font: regular,
      color: MUTED,
    });
  });
  return await doc.save();
}

/** Gathers the invoice's words and figures and renders it; audited as a print. */
export async function invoicePdf(deps: Deps, a: Actor, id: string) {
  const db = deps.db.db;
  const row = await readInvoiceRow(db, a.orgId, id);
  const inv = await invoiceView(db, row);
  const [org] = await db.select().from(organizations).where(eq(organizations.id, a.orgId));
  const facilityId = row.facilityId ?? a.facilityId;
  const facility = facilityId ? await findInTenant(db, facilities, a.orgId, facilityId) : null;
  const patient = row.patientId ? await findInTenant(db, patients, a.orgId, row.patientId) : null;
  const ins = row.insurance as InvoicePrint["insurance"];
  const figures: [string, number][] = [["Subtotal", inv.subtotal]];
  if (inv.discount) figures.push(["Discount", -inv.discount]);
  if (inv.credited) figures.push(["Credited", -inv.credited]);
  figures.push(["Total", inv.total]);
  if (ins) {
    figures.push(["Insurance share", inv.covered], ["Patient share", inv.total - inv.covered]);
  }
  figures.push(["Paid", inv.paid], ["Balance", inv.balance]);
  const bytes = await renderInvoicePdf({
    clinic: { name: org?.name ?? "", facility: facility?.name, address: facility?.address },
    number: row.number,
    status: row.status,
    date: row.issuedOn ?? row.createdAt.slice(0, 10),
    currency: row.currency,
    patient: patient
      ? {
        name: [patient.givenName, patient.middleName, patient.familyName].filter(Boolean).join(" "),
        mrn: patient.mrn,
      }
      : null,
    insurance: ins,
    lines: inv.lines.map((l) => ({
      description: l.waived ? `${l.description} (waived: ${l.waived.reason})` : l.description,
      quantity: l.quantity,
      unitAmount: l.unitAmount,
      amount: l.amount,
      covered: l.coveredAmount,
    })),
    figures,
  });
  deps.audit.recordRead(a, {
    action: "invoice.print",
    entityType: "invoice",
    entityId: id,
    patientId: row.patientId ?? undefined,
  });
  return { number: row.number, bytes };
}
