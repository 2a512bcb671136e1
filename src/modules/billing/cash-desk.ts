/**
 * The one way money is written: a payment row (positive received, negative paid back), the
 * invoice's `paid` and payment-driven status, the patient's credit, and the check that the
 * cashier's day is not closed, all in the caller's write transaction. Payments, refunds,
 * reversals and insurance settlements all go through `writePayment`, so none can skip a rule.
 */
import { and, eq, isNull, or, type SQL, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type Db, prepared } from "../../../db/client.ts";
import { nextSequence } from "../../../db/changes.ts";
import { cashUps, invoices, patientCredits, payments } from "../../../db/schema/mod.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict } from "../../lib/errors.ts";
import { numberingSite } from "../../lib/site.ts";
import { todayIn } from "../../lib/time.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { orgSettings } from "../organizations/mod.ts";

export type InvoiceRow = typeof invoices.$inferSelect;
export type PaymentRow = typeof payments.$inferSelect;
export type Method = "cash" | "card" | "mobile_money" | "bank" | "insurance" | "credit";

/** Now, and the clinic-local day it falls in. */
export async function deskNow(deps: Deps, db: Db, orgId: string) {
  const { timezone } = await orgSettings(db, orgId);
  const now = deps.clock.now();
  return { timezone, at: now.toISOString(), date: todayIn(timezone, now) };
}

/**
 * The close that covers a cashier's day at a facility, if any. A close without a facility
 * covers all the cashier's facilities; a payment without one is covered by any close.
 */
export function closeCovering(
  db: Db,
  orgId: string,
  cashierId: string,
  date: string,
  facilityId: string | null,
) {
  return (facilityId ? closeAtFacility : closeAnywhere).get(db, {
    orgId,
    cashierId,
    date,
    facilityId,
  });
}

const closeOf = (facility?: SQL) =>
  prepared<{ id: string }>(
    new QueryBuilder().select({ id: cashUps.id }).from(cashUps).where(and(
      eq(cashUps.orgId, sql.placeholder("orgId")),
      eq(cashUps.cashierId, sql.placeholder("cashierId")),
      eq(cashUps.localDate, sql.placeholder("date")),
      isNull(cashUps.deletedAt),
      facility,
    )).limit(1),
  );
// Every payment asks: built once, not per payment.
const closeAnywhere = closeOf();
const closeAtFacility = closeOf(
  or(isNull(cashUps.facilityId), eq(cashUps.facilityId, sql.placeholder("facilityId"))),
);

/** The status `paid` puts an issued invoice in. */
export const statusFor = (total: number, paid: number) =>
  paid <= 0 ? "issued" : paid >= total ? "paid" : "partially_paid";

export const invoiceState = (i: InvoiceRow) => ({
  id: i.id,
  number: i.number,
  status: i.status,
  total: i.total,
  paid: i.paid,
  balance: i.total - i.paid,
  currency: i.currency,
});

/** What the patient holds as credit: the sum of their credit entries. */
export async function creditBalance(db: Db, orgId: string, patientId: string) {
  const [row] = await db.select({ sum: sql<number>`coalesce(sum(${patientCredits.amount}), 0)` })
    .from(patientCredits).where(and(
      eq(patientCredits.orgId, orgId),
      eq(patientCredits.patientId, patientId),
      isNull(patientCredits.deletedAt),
    ));
  return Number(row.sum);
}

export interface PaymentWrite {
  invoice: InvoiceRow | null;
  patientId: string | null;
  method: Method;
  /** Signed: positive received, negative paid back. */
  amount: number;
  currency: string;
  /** The part of `amount` that goes to (or, negative, comes off) the patient's credit. */
  toCredit?: number;
  provider?: string | null;
  reference?: string | null;
  notes?: string | null;
  refundId?: string | null;
  reversesPaymentId?: string | null;
  facilityId?: string | null;
  action: string;
}

/**
 * Writes one payment in `tx`: refused (409) when the cashier's day is closed; numbered
 * RCT-YYYY-NNNNN; the invoice's paid and status follow; credit entries for `toCredit` and for
 * spending credit. The caller has checked the amount against the invoice's balance.
 */
export async function writePayment(deps: Deps, tx: Db, a: Actor, w: PaymentWrite) {
  const site = numberingSite(deps);
  const now = await deskNow(deps, tx, a.orgId);
  const facilityId = w.facilityId ?? w.invoice?.facilityId ?? a.facilityId ?? null;
  if (await closeCovering(tx, a.orgId, a.userId, now.date, facilityId)) {
    throw conflict(
      `The day is closed: ${now.date} has been cashed up for this cashier; ` +
        "a correction is a reversing entry on a day still open.",
      { date: now.date },
    );
  }
  const year = now.date.slice(0, 4);
  const n = await nextSequence(tx, a.orgId, site ? `rct:${site}:${year}` : `rct:${year}`);
  const toCredit = w.toCredit ?? 0;
  const row = await insertTracked(tx, payments, {
    ...stamp(a.orgId, a.userId, now.at),
    receiptNumber: `RCT-${site ? `${site}-` : ""}${year}-${String(n).padStart(5, "0")}`,
    invoiceId: w.invoice?.id ?? null,
    patientId: w.patientId,
    method: w.method,
    amount: w.amount,
    currency: w.currency,
    provider: w.provider ?? null,
    reference: w.reference ?? null,
    cashierId: a.userId,
    facilityId,
    at: now.at,
    localDate: now.date,
    refundId: w.refundId ?? null,
    reversesPaymentId: w.reversesPaymentId ?? null,
    toCredit,
    notes: w.notes ?? null,
  });
  let invoice = w.invoice;
  const applied = w.amount - toCredit;
  if (invoice && applied !== 0) {
    invoice = await auditedUpdate(deps, tx, a, {
      table: invoices,
      label: "Invoice",
      id: invoice.id,
      expectedVersion: undefined,
      action: "invoice.payment",
      entityType: "invoice",
      patientId: invoice.patientId ?? undefined,
      fields: ["paid", "status"],
      set: (before) =>
        Promise.resolve({
          paid: before.paid + applied,
          status: statusFor(before.total, before.paid + applied),
        }),
    });
  }
  const credits: { amount: number; reason: string }[] = [];
  if (toCredit) credits.push({ amount: toCredit, reason: w.action });
  if (w.method === "credit") credits.push({ amount: -w.amount, reason: "spent on an invoice" });
  for (const c of credits) {
    await insertTracked(tx, patientCredits, {
      ...stamp(a.orgId, a.userId, now.at),
      patientId: w.patientId!,
      amount: c.amount,
      currency: w.currency,
      paymentId: row.id,
      invoiceId: w.invoice?.id ?? null,
      reason: c.reason,
    });
  }
  await deps.audit.record(tx, a, {
    action: w.action,
    entityType: "payment",
    entityId: row.id,
    patientId: w.patientId ?? undefined,
  });
  return { payment: row, invoice };
}

export const toPayment = (p: PaymentRow) => ({
  id: p.id,
  receiptNumber: p.receiptNumber,
  invoiceId: p.invoiceId,
  patientId: p.patientId,
  method: p.method as Method,
  amount: p.amount,
  currency: p.currency,
  provider: p.provider,
  reference: p.reference,
  cashierId: p.cashierId,
  facilityId: p.facilityId,
  at: p.at,
  localDate: p.localDate,
  refundId: p.refundId,
  reversesPaymentId: p.reversesPaymentId,
  toCredit: p.toCredit,
  notes: p.notes,
  version: p.version,
  createdAt: p.createdAt,
});
