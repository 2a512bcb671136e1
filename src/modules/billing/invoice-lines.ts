/**
 * An invoice's lines and the figures made from them: the insurance split of each line, line and
 * invoice discounts, waivers, and the totals kept on the invoice row. Lines are only added or
 * adjusted on a draft; an issued invoice changes by credit notes (credit-notes.ts).
 */
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type Db, prepared } from "../../../db/client.ts";
import { invoiceLines, invoices } from "../../../db/schema/mod.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound, unprocessable } from "../../lib/errors.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { coveredShare, percentOf } from "./money.ts";

export type InvoiceRow = typeof invoices.$inferSelect;
export type LineRow = typeof invoiceLines.$inferSelect;

export const toLine = (l: LineRow) => ({
  id: l.id,
  description: l.description,
  code: l.code,
  quantity: l.quantity,
  unitAmount: l.unitAmount,
  discount: l.discount,
  discountReason: l.discountReason,
  amount: l.amount,
  coveredAmount: l.coveredAmount,
  copay: l.amount - l.coveredAmount,
  sourceType: l.sourceType,
  sourceId: l.sourceId,
  priceItemId: l.priceItemId,
  reversesLineId: l.reversesLineId,
  unpriced: l.sourceType !== "manual" && !l.priceItemId && l.unitAmount === 0 &&
    !l.reversesLineId,
  waived: l.waivedReason ? { reason: l.waivedReason, by: l.waivedBy } : null,
  createdAt: l.createdAt,
});

export const linesOf = (db: Db, invoiceId: string) => invoiceLinesQuery.all(db, { invoiceId });
// Read by every charge (to refresh the invoice's totals) and every invoice shown: built once.
const invoiceLinesQuery = prepared<LineRow>(
  new QueryBuilder().select().from(invoiceLines)
    .where(
      and(eq(invoiceLines.invoiceId, sql.placeholder("invoiceId")), isNull(invoiceLines.deletedAt)),
    )
    .orderBy(asc(invoiceLines.createdAt), asc(invoiceLines.id)),
);

/** The coverage percent the invoice's insurance snapshot names (0 without insurance). */
export function coverageOf(inv: InvoiceRow): number {
  const p = Number((inv.insurance as { coveragePercent?: unknown } | null)?.coveragePercent ?? 0);
  return Number.isFinite(p) ? Math.min(Math.max(p, 0), 100) : 0;
}

/** The insurer's share of a line's amount; a reversal's share mirrors its charge's. */
export const coveredOf = (amount: number, percent: number) =>
  amount < 0 ? -coveredShare(-amount, percent) : coveredShare(amount, percent);

export interface NewLine {
  sourceType: string;
  sourceId?: string | null;
  priceItemId?: string | null;
  code?: string | null;
  description: string;
  quantity: number;
  unitAmount: number;
  /** Set for a reversal whose amount is not quantity × unitAmount (a discounted charge). */
  amount?: number;
  reversesLineId?: string | null;
  practitionerId?: string | null;
}

/** Adds a line to a draft invoice, split by its insurance, audited; totals are the caller's. */
export async function insertLine(
  deps: Deps,
  tx: Db,
  a: Actor,
  inv: InvoiceRow,
  line: NewLine,
) {
  if (inv.status !== "draft") {
    throw conflict(`Lines are added to a draft; ${inv.number} is ${inv.status}.`, {
      state: inv.status,
    });
  }
  const amount = line.amount ?? line.quantity * line.unitAmount;
  const row = await insertTracked(tx, invoiceLines, {
    ...stamp(a.orgId, a.userId, deps.clock.now().toISOString()),
    invoiceId: inv.id,
    sourceType: line.sourceType,
    sourceId: line.sourceId ?? null,
    priceItemId: line.priceItemId ?? null,
    code: line.code ?? null,
    description: line.description,
    quantity: line.quantity,
    unitAmount: line.unitAmount,
    amount,
    coveredAmount: coveredOf(amount, coverageOf(inv)),
    reversesLineId: line.reversesLineId ?? null,
    practitionerId: line.practitionerId ?? null,
  });
  await deps.audit.record(tx, a, {
    action: line.reversesLineId ? "invoice-line.reverse" : "invoice-line.create",
    entityType: "invoice-line",
    entityId: row.id,
    patientId: inv.patientId ?? undefined,
  });
  return row;
}

/**
 * Recomputes a draft's figures from its lines: subtotal Σ amounts, total = subtotal − discount,
 * covered Σ line shares but never more than the total (an invoice discount lowers what the
 * insurer is asked for before the patient's share).
 */
export async function refreshTotals(deps: Deps, tx: Db, a: Actor, invoiceId: string) {
  const lines = await linesOf(tx, invoiceId);
  return await auditedUpdate(deps, tx, a, {
    table: invoices,
    label: "Invoice",
    id: invoiceId,
    expectedVersion: undefined,
    action: "invoice.totals",
    entityType: "invoice",
    fields: ["subtotal", "total", "covered"],
    set: (before) => {
      const subtotal = lines.reduce((s, l) => s + l.amount, 0);
      const total = subtotal - before.discount;
      const shares = lines.reduce((s, l) => s + l.coveredAmount, 0);
      return Promise.resolve({ subtotal, total, covered: Math.min(shares, Math.max(total, 0)) });
    },
  });
}

const onlyDraft = (inv: InvoiceRow, doing: string) => {
  if (inv.status !== "draft") {
    throw conflict(
      `Only a draft is ${doing}; ${inv.number} is ${inv.status} (use a credit note).`,
      { state: inv.status },
    );
  }
};

async function lineOn(tx: Db, inv: InvoiceRow, lineId: string, path = "lineId") {
  const [line] = await tx.select().from(invoiceLines).where(and(
    eq(invoiceLines.id, lineId),
    eq(invoiceLines.invoiceId, inv.id),
    isNull(invoiceLines.deletedAt),
  ));
  if (!line) {
    if (path === "path") throw notFound("Invoice line");
    throw unprocessable("No such line.", [
      { path, in: "body", message: `is not a line of ${inv.number}` },
    ]);
  }
  return line;
}

export interface Discount {
  amount?: number;
  percent?: number;
  reason: string;
  lineId?: string;
}

/**
 * Sets a line's or the invoice's discount (replacing an earlier one, so a repeat is harmless):
 * an amount, or a percent of the gross rounded half up; never more than what it discounts.
 */
export async function applyDiscount(deps: Deps, tx: Db, a: Actor, inv: InvoiceRow, d: Discount) {
  onlyDraft(inv, "discounted");
  if ((d.amount === undefined) === (d.percent === undefined)) {
    throw unprocessable("Give an amount or a percent.", [
      { path: "amount", in: "body", message: "give exactly one of amount and percent" },
    ]);
  }
  if (d.lineId) {
    const line = await lineOn(tx, inv, d.lineId);
    const gross = line.quantity * line.unitAmount;
    if (gross <= 0 || line.reversesLineId) {
      throw unprocessable("Only a charge is discounted.", [
        { path: "lineId", in: "body", message: "is a reversal or has no amount" },
      ]);
    }
    const discount = d.amount ?? percentOf(gross, d.percent!);
    if (discount > gross) {
      throw unprocessable("A discount never takes a line below zero.", [
        { path: "amount", in: "body", message: `at most ${gross}` },
      ]);
    }
    const amount = gross - discount;
    await auditedUpdate(deps, tx, a, {
      table: invoiceLines,
      label: "Invoice line",
      id: line.id,
      expectedVersion: undefined,
      action: "invoice-line.discount",
      entityType: "invoice-line",
      patientId: inv.patientId ?? undefined,
      fields: ["discount", "amount", "discountReason"],
      set: {
        discount,
        amount,
        coveredAmount: coveredOf(amount, coverageOf(inv)),
        discountReason: d.reason,
        discountBy: a.userId,
      },
    });
    return await refreshTotals(deps, tx, a, inv.id);
  }
  const base = inv.subtotal;
  const discount = d.amount ?? percentOf(Math.max(base, 0), d.percent!);
  if (discount > Math.max(base, 0)) {
    throw unprocessable("A discount never takes the invoice below zero.", [
      { path: "amount", in: "body", message: `at most ${Math.max(base, 0)}` },
    ]);
  }
  await auditedUpdate(deps, tx, a, {
    table: invoices,
    label: "Invoice",
    id: inv.id,
    expectedVersion: undefined,
    action: "invoice.discount",
    entityType: "invoice",
    patientId: inv.patientId ?? undefined,
    fields: ["discount", "discountReason"],
    set: { discount, discountReason: d.reason, discountBy: a.userId },
  });
  return await refreshTotals(deps, tx, a, inv.id);
}

/**
 * An exemption: the line stays on the invoice, discounted in full, and says who waived it and
 * why (a public scheme's waived fee, a hardship exemption), so reports can count waivers.
 */
export async function waiveLine(
  deps: Deps,
  tx: Db,
  a: Actor,
  inv: InvoiceRow,
  lineId: string,
  reason: string,
) {
  onlyDraft(inv, "waived");
  const line = await lineOn(tx, inv, lineId, "path");
  if (line.reversesLineId) {
    throw conflict("A reversal is not waived.", { lineId });
  }
  await auditedUpdate(deps, tx, a, {
    table: invoiceLines,
    label: "Invoice line",
    id: line.id,
    expectedVersion: undefined,
    action: "invoice-line.waive",
    entityType: "invoice-line",
    patientId: inv.patientId ?? undefined,
    fields: ["discount", "amount", "waivedReason"],
    set: {
      discount: line.quantity * line.unitAmount,
      amount: 0,
      coveredAmount: 0,
      discountReason: `waived: ${reason}`,
      discountBy: a.userId,
      waivedReason: reason,
      waivedBy: a.userId,
    },
  });
  return await refreshTotals(deps, tx, a, inv.id);
}
