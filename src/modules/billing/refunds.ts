/**
 * Refunds: FINANCE asks, an ADMIN decides. Approval pays the money back as a negative payment
 * of the same method dated today, and the invoice's paid and status follow. A payment is never
 * refunded beyond what of it still stands on its invoice (its amount less credit kept, refunds
 * and reversals); requests still waiting count against it too, so two cannot overdraw it.
 */
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { invoices, payments, refunds } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound } from "../../lib/errors.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { type Method, writePayment } from "./cash-desk.ts";
import { standing } from "./payments.ts";
import type { Db } from "../../../db/client.ts";

type RefundRow = typeof refunds.$inferSelect;

export const toRefund = (r: RefundRow) => ({
  id: r.id,
  paymentId: r.paymentId,
  invoiceId: r.invoiceId,
  patientId: r.patientId,
  amount: r.amount,
  reason: r.reason,
  status: r.status as "requested" | "approved" | "rejected",
  requestedBy: r.requestedBy,
  decidedBy: r.decidedBy,
  decidedAt: r.decidedAt,
  decisionNote: r.decisionNote,
  refundPaymentId: r.refundPaymentId,
  version: r.version,
  createdAt: r.createdAt,
});

async function waiting(tx: Db, orgId: string, paymentId: string, except?: string) {
  const [row] = await tx.select({ sum: sql<number>`coalesce(sum(${refunds.amount}), 0)` })
    .from(refunds).where(and(
      eq(refunds.orgId, orgId),
      eq(refunds.paymentId, paymentId),
      eq(refunds.status, "requested"),
      isNull(refunds.deletedAt),
      except ? sql`${refunds.id} <> ${except}` : undefined,
    ));
  return Number(row.sum);
}

export async function requestRefund(
  deps: Deps,
  a: Actor,
  paymentId: string,
  input: { amount: number; reason: string },
) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const payment = await findInTenant(tx, payments, a.orgId, paymentId);
    if (!payment) throw notFound("Payment");
    if (payment.amount <= 0 || payment.method === "credit") {
      throw conflict("Only money received (not a refund, reversal or credit) is refunded.", {});
    }
    const left = await standing(tx, payment) - await waiting(tx, a.orgId, paymentId);
    if (input.amount > left) {
      throw conflict(`At most ${left} of this payment can still be refunded.`, {
        refundable: left,
      });
    }
    const row = await insertTracked(tx, refunds, {
      ...stamp(a.orgId, a.userId, at),
      paymentId,
      invoiceId: payment.invoiceId,
      patientId: payment.patientId,
      amount: input.amount,
      reason: input.reason,
      status: "requested",
      requestedBy: a.userId,
    });
    await deps.audit.record(tx, a, {
      action: "refund.request",
      entityType: "refund",
      entityId: row.id,
      patientId: payment.patientId ?? undefined,
    });
    return toRefund(row);
  });
}

export async function decideRefund(
  deps: Deps,
  a: Actor,
  id: string,
  decision: "approve" | "reject",
  note: string | undefined,
) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const refund = await findInTenant(tx, refunds, a.orgId, id);
    if (!refund) throw notFound("Refund");
    if (refund.status !== "requested") {
      throw conflict(`The refund is already ${refund.status}.`, { refundStatus: refund.status });
    }
    let refundPaymentId: string | null = null;
    if (decision === "approve") {
      const payment = (await findInTenant(tx, payments, a.orgId, refund.paymentId))!;
      const left = await standing(tx, payment);
      if (refund.amount > left) {
        throw conflict(`At most ${left} of this payment can still be refunded.`, {
          refundable: left,
        });
      }
      const invoice = payment.invoiceId
        ? (await findInTenant(tx, invoices, a.orgId, payment.invoiceId)) ?? null
        : null;
      const written = await writePayment(deps, tx, a, {
        invoice,
        patientId: payment.patientId,
        method: payment.method as Method,
        amount: -refund.amount,
        currency: payment.currency,
        provider: payment.provider,
        reference: payment.reference,
        notes: refund.reason,
        refundId: refund.id,
        facilityId: payment.facilityId,
        action: "payment.refund",
      });
      refundPaymentId = written.payment.id;
    }
    const row = await auditedUpdate(deps, tx, a, {
      table: refunds,
      label: "Refund",
      id,
      expectedVersion: undefined,
      action: `refund.${decision}`,
      entityType: "refund",
      patientId: refund.patientId ?? undefined,
      fields: ["status"],
      set: {
        status: decision === "approve" ? "approved" : "rejected",
        decidedBy: a.userId,
        decidedAt: at,
        decisionNote: note ?? null,
        refundPaymentId,
      },
    });
    return toRefund(row);
  });
}

export async function readRefund(deps: Deps, a: Actor, id: string) {
  const row = await findInTenant(deps.db.db, refunds, a.orgId, id);
  if (!row) throw notFound("Refund");
  return toRefund(row);
}

export async function listRefunds(
  deps: Deps,
  a: Actor,
  q: { status?: string; limit: number },
) {
  const rows = await deps.db.db.select().from(refunds).where(and(
    eq(refunds.orgId, a.orgId),
    isNull(refunds.deletedAt),
    q.status ? eq(refunds.status, q.status) : undefined,
  )).orderBy(desc(refunds.createdAt)).limit(q.limit);
  return { data: rows.map(toRefund) };
}
