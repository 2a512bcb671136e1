/**
 * Payments at the cash desk: cash, card, mobile money, bank, insurance, or the patient's credit.
 * Each is decided in one write transaction against the invoice as it is then, so two cashiers
 * paying the same invoice at once never take more than its balance. Payments are append-only:
 * a mistake is undone by a reversing entry dated today (`reversePayment`), never an edit.
 */
import type { z } from "@hono/zod-openapi";
import { and, desc, eq, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import { payments } from "../../../db/schema/mod.ts";
import { findInTenant } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound, unprocessable } from "../../lib/errors.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import { invoices } from "../../../db/schema/mod.ts";
import {
  creditBalance,
  invoiceState,
  type Method,
  type PaymentRow,
  toPayment,
  writePayment,
} from "./cash-desk.ts";
import type { PaymentInput, PaymentQuery } from "./schemas-cash.ts";

const PAYABLE = ["issued", "partially_paid"];

export async function createPayment(deps: Deps, a: Actor, input: z.infer<typeof PaymentInput>) {
  if (input.method === "mobile_money") {
    const missing = (["provider", "reference"] as const).filter((k) => !input[k]);
    if (missing.length) {
      throw unprocessable(
        "A mobile-money payment names its operator and the operator's transaction reference.",
        missing.map((path) => ({ path, in: "body", message: "is required for mobile money" })),
      );
    }
  }
  return await deps.db.transaction(async (tx) => {
    const invoice = await findInTenant(tx, invoices, a.orgId, input.invoiceId);
    if (!invoice) {
      throw unprocessable("No such invoice.", [
        { path: "invoiceId", in: "body", message: "is not an invoice here" },
      ]);
    }
    if (!PAYABLE.includes(invoice.status)) {
      throw conflict(
        invoice.status === "paid"
          ? "The invoice is paid in full."
          : `A ${invoice.status} invoice cannot be paid; issue it first.`,
        { invoiceStatus: invoice.status },
      );
    }
    if (input.method === "mobile_money") {
      // Unique per provider in the organisation, checked in the transaction that writes it.
      const [seen] = await tx.select({ id: payments.id }).from(payments).where(and(
        eq(payments.orgId, a.orgId),
        eq(payments.provider, input.provider!),
        eq(payments.reference, input.reference!),
        eq(payments.method, "mobile_money"),
        sql`${payments.amount} > 0`,
      )).limit(1);
      if (seen) {
        throw conflict(`${input.provider} reference ${input.reference} is already recorded.`, {
          paymentId: seen.id,
        });
      }
    }
    const balance = invoice.total - invoice.paid;
    let toCredit = 0;
    if (input.amount > balance) {
      if (!input.allowCredit || input.method === "credit") {
        throw conflict(
          `The amount is more than the invoice's balance (${balance}); send allowCredit to ` +
            "keep the excess as the patient's credit.",
          { balance },
        );
      }
      if (!invoice.patientId) {
        throw conflict("A sale without a patient cannot keep credit; take the balance only.", {
          balance,
        });
      }
      toCredit = input.amount - balance;
    }
    if (input.method === "credit") {
      const held = invoice.patientId ? await creditBalance(tx, a.orgId, invoice.patientId) : 0;
      if (input.amount > held) {
        throw conflict(`The patient holds ${held} in credit.`, { credit: held });
      }
    }
    const written = await writePayment(deps, tx, a, {
      invoice,
      patientId: invoice.patientId,
      method: input.method,
      amount: input.amount,
      currency: invoice.currency,
      toCredit,
      provider: input.provider,
      reference: input.reference,
      notes: input.notes,
      action: "payment.create",
    });
    return { ...toPayment(written.payment), invoice: invoiceState(written.invoice!) };
  });
}

export async function readPayment(deps: Deps, a: Actor, id: string) {
  const row = await findInTenant(deps.db.db, payments, a.orgId, id);
  if (!row) throw notFound("Payment");
  return toPayment(row);
}

export async function listPayments(deps: Deps, a: Actor, q: z.infer<typeof PaymentQuery>) {
  const where: (SQL | undefined)[] = [eq(payments.orgId, a.orgId), isNull(payments.deletedAt)];
  if (q.invoiceId) where.push(eq(payments.invoiceId, q.invoiceId));
  if (q.patientId) where.push(eq(payments.patientId, q.patientId));
  if (q.cashierId) where.push(eq(payments.cashierId, q.cashierId));
  if (q.date) where.push(eq(payments.localDate, q.date));
  const cursor = decodeCursor(q.cursor);
  if (cursor) {
    where.push(or(
      lt(payments.at, String(cursor.v)),
      and(eq(payments.at, String(cursor.v)), lt(payments.id, cursor.id)),
    ));
  }
  const rows = await deps.db.db.select().from(payments).where(and(...where))
    .orderBy(desc(payments.at), desc(payments.id)).limit(q.limit + 1);
  return pageOf(rows.map(toPayment), q.limit, (p) => p.at);
}

/** What of a payment still stands on its invoice: its amount less credit, refunds, reversals. */
export async function standing(tx: Parameters<typeof creditBalance>[0], p: PaymentRow) {
  const [row] = await tx.select({ undone: sql<number>`coalesce(sum(${payments.amount}), 0)` })
    .from(payments).where(and(
      eq(payments.orgId, p.orgId),
      or(
        eq(payments.reversesPaymentId, p.id),
        sql`${payments.refundId} IN (SELECT id FROM refunds WHERE payment_id = ${p.id})`,
      ),
    ));
  return p.amount - p.toCredit + Number(row.undone);
}

/**
 * Undoes a payment recorded by mistake (wrong method, wrong invoice) with a negative payment
 * dated today: the original stays, closed days stay as they were counted. What went to the
 * patient's credit comes off it again, so credit already spent cannot be reversed (409).
 */
export async function reversePayment(deps: Deps, a: Actor, id: string, reason: string) {
  return await deps.db.transaction(async (tx) => {
    const original = await findInTenant(tx, payments, a.orgId, id);
    if (!original) throw notFound("Payment");
    if (original.amount <= 0) {
      throw conflict("Only money received can be reversed; this entry already pays back.", {});
    }
    const [done] = await tx.select({ id: payments.id }).from(payments)
      .where(and(eq(payments.orgId, a.orgId), eq(payments.reversesPaymentId, id))).limit(1);
    if (done) throw conflict("The payment is already reversed.", { reversalId: done.id });
    const onInvoice = await standing(tx, original);
    if (onInvoice + original.toCredit <= 0) {
      throw conflict("The payment has been refunded in full; nothing is left to reverse.", {});
    }
    if (original.toCredit && original.patientId) {
      const held = await creditBalance(tx, a.orgId, original.patientId);
      if (held < original.toCredit) {
        throw conflict("The credit this payment left has been spent; it cannot be reversed.", {
          credit: held,
        });
      }
    }
    const invoice = original.invoiceId
      ? (await findInTenant(tx, invoices, a.orgId, original.invoiceId)) ?? null
      : null;
    const written = await writePayment(deps, tx, a, {
      invoice,
      patientId: original.patientId,
      method: original.method as Method,
      amount: -(onInvoice + original.toCredit),
      currency: original.currency,
      toCredit: -original.toCredit,
      provider: original.provider,
      reference: original.reference,
      notes: reason,
      reversesPaymentId: original.id,
      facilityId: original.facilityId,
      action: "payment.reverse",
    });
    return {
      ...toPayment(written.payment),
      invoice: written.invoice ? invoiceState(written.invoice) : null,
    };
  });
}
