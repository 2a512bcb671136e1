/**
 * A payment's receipt as a PDF: the clinic, "Receipt" with its number and date, who paid for
 * which invoice, how much by which method (with the operator's reference), and the invoice's
 * total, paid and balance after it. Set in the prescription's embedded Unicode font (the
 * clinical module's PDF parts), so a patient's name prints as registered.
 */
import { localParts } from "../../lib/time.ts";
import { eq } from "drizzle-orm";
import { PDFDocument } from "pdf-lib";
import {
  facilities,
  invoices,
  organizations,
  patients,
  payments,
  users,
} from "../../../db/schema/mod.ts";
import { findInTenant } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { notFound } from "../../lib/errors.ts";
import { loadPdfKit } from "../clinical/mod.ts";
import { formatMoney } from "./money.ts";

const METHOD_WORDS: Record<string, string> = {
  cash: "Cash",
  card: "Card",
  mobile_money: "Mobile money",
  bank: "Bank transfer",
  insurance: "Insurance",
  credit: "Patient credit",
};

export interface ReceiptPrint {
  clinic: {
    name: string;
    facility?: string | null;
    address?: string | null;
    phone?: string | null;
  };
  receiptNumber: string;
  date: string;
  /** "Label: value" pairs, in order. */
  rows: [string, string][];
}

export async function renderReceiptPdf(p: ReceiptPrint): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Receipt ${p.receiptNumber}`);
  doc.setAuthor(p.clinic.name);
  doc.setCreator("Clinic API");
  doc.setProducer("Clinic API");
  const { drawPdfHeader, embedPdfFonts, PDF_STYLE } = await loadPdfKit();
  const fonts = await embedPdfFonts(doc);
  const page = doc.addPage([PDF_STYLE.PAGE_WIDTH, PDF_STYLE.PAGE_HEIGHT]);
  let y = drawPdfHeader(page, fonts, p.clinic, {
    title: "Receipt",
    number: p.receiptNumber,
    date: p.date,
  });
  for (const [label, value] of p.rows) {
    y -= 16;
    page.drawText(label, {
      x: PDF_STYLE.MARGIN,
      y,
      size: 10,
      font: fonts.regular,
      color: PDF_STYLE.MUTED,
    });
    page.drawText(value, {
      x: PDF_STYLE.MARGIN + 140,
      y,
      size: 10,
      font: fonts.bold,
      color: PDF_STYLE.INK,
    });
  }
  return await doc.save();
}

export async function receiptPdf(deps: Deps, a: Actor, id: string) {
  const db = deps.db.db;
  const payment = await findInTenant(db, payments, a.orgId, id);
  if (!payment) throw notFound("Payment");
  const [org] = await db.select().from(organizations).where(eq(organizations.id, a.orgId));
  const facility = payment.facilityId
    ? await findInTenant(db, facilities, a.orgId, payment.facilityId)
    : undefined;
  const invoice = payment.invoiceId
    ? await findInTenant(db, invoices, a.orgId, payment.invoiceId)
    : undefined;
  const patient = payment.patientId
    ? await findInTenant(db, patients, a.orgId, payment.patientId)
    : undefined;
  const [cashier] = await db.select({ name: users.fullName }).from(users)
    .where(eq(users.id, payment.cashierId));
  const money = (n: number) => `${payment.currency} ${formatMoney(n, payment.currency)}`;
  const rows: [string, string][] = [];
  if (patient) {
    rows.push(["Received from", `${patient.givenName} ${patient.familyName}`]);
    rows.push(["MRN", patient.mrn]);
  }
  if (invoice) rows.push(["Invoice", invoice.number]);
  rows.push([payment.amount < 0 ? "Paid back" : "Amount", money(Math.abs(payment.amount))]);
  rows.push(["Method", METHOD_WORDS[payment.method] ?? payment.method]);
  if (payment.provider) rows.push(["Provider", payment.provider]);
  if (payment.reference) rows.push(["Reference", payment.reference]);
  if (payment.toCredit) rows.push(["Kept as credit", money(payment.toCredit)]);
  if (invoice) {
    rows.push(["Invoice total", money(invoice.total)]);
    rows.push(["Paid to date", money(invoice.paid)]);
    rows.push(["Balance", money(invoice.total - invoice.paid)]);
  }
  // The clinic's own clock, as the patient and the cashier read it.
  const local = localParts(payment.at, org.timezone);
  rows.push(["Time", `${local.date} ${local.time} (${org.timezone})`]);
  if (cashier) rows.push(["Cashier", cashier.name]);
  const bytes = await renderReceiptPdf({
    clinic: {
      name: org?.name ?? "",
      facility: facility?.name ?? null,
      address: facility?.address ?? null,
      phone: facility?.phone ?? null,
    },
    receiptNumber: payment.receiptNumber,
    date: payment.localDate,
    rows,
  });
  deps.audit.recordRead(a, {
    action: "payment.receipt",
    entityType: "payment",
    entityId: id,
    patientId: payment.patientId ?? undefined,
  });
  return { bytes, receiptNumber: payment.receiptNumber };
}
