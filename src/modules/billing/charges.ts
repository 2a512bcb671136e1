/**
 * What each billable event charges, in the emitter's transaction (listeners.ts), so a charge
 * exists exactly when what it charges for does.
 *
 * - A charge goes on the visit's draft invoice (made when there is none); a charge arriving
 *   after that invoice was issued goes on a new draft for the visit. An over-the-counter sale is
 *   a `cash_sale` invoice of its own.
 * - Each charge names its source (sourceType + sourceId) and is made once per source: a retried
 *   event finds its line and adds nothing. Writes are serialised by the database's write lock,
 *   so two deliveries at once still make one line.
 * - A reversal is a negative line naming the line it reverses, on the same invoice while it is a
 *   draft, else on the visit's (or patient's) draft; never more than was charged.
 * - A consultation without a price on the list is still written, at 0 and flagged `unpriced`,
 *   so the front desk sees a visit to price instead of a visit that silently cost nothing.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type Db, prepared } from "../../../db/client.ts";
import { invoiceLines, invoices } from "../../../db/schema/mod.ts";
import { findInTenant } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { clinicToday } from "../patients/mod.ts";
import { insertLine, type InvoiceRow, type LineRow, refreshTotals } from "./invoice-lines.ts";
import { draftFor, newInvoice } from "./invoices.ts";
import { divideHalfUp } from "./money.ts";
import { priceFor } from "./prices.ts";

/** The charge already made for a source (not a reversal), if any. */
async function chargeOf(tx: Db, orgId: string, sourceType: string, sourceId: string) {
  return await chargeQuery.get(tx, { orgId, sourceType, sourceId });
}
// Asked by every charge (each visit started, each item dispensed): built once.
const chargeQuery = prepared<LineRow>(
  new QueryBuilder().select().from(invoiceLines).where(and(
    eq(invoiceLines.orgId, sql.placeholder("orgId")),
    eq(invoiceLines.sourceType, sql.placeholder("sourceType")),
    eq(invoiceLines.sourceId, sql.placeholder("sourceId")),
    isNull(invoiceLines.reversesLineId),
    isNull(invoiceLines.deletedAt),
  )).limit(1),
);

/** How much of a charge's quantity and amount reversals already took back. */
async function reversedOf(tx: Db, lineId: string) {
  const [row] = await tx.select({
    quantity: sql<number>`coalesce(sum(-${invoiceLines.quantity}), 0)`,
    amount: sql<number>`coalesce(sum(-${invoiceLines.amount}), 0)`,
  }).from(invoiceLines).where(
    and(eq(invoiceLines.reversesLineId, lineId), isNull(invoiceLines.deletedAt)),
  );
  return { quantity: Number(row.quantity), amount: Number(row.amount) };
}

const payerOf = (inv: InvoiceRow) =>
  (inv.insurance as { provider?: string } | null)?.provider ?? null;

/** A visit started: its consultation, priced by the visit's type. */
export async function chargeConsultation(
  deps: Deps,
  tx: Db,
  a: Actor,
  p: {
    encounterId: string;
    patientId: string;
    type: string;
    facilityId?: string | null;
    practitionerId?: string | null;
  },
) {
  if (await chargeOf(tx, a.orgId, "encounter", p.encounterId)) return;
  const inv = await draftFor(deps, tx, a, p);
  const price = await priceFor(tx, a.orgId, {
    kind: "consultation",
    encounterType: p.type,
    payer: payerOf(inv),
    on: await clinicToday(deps, tx, a.orgId),
  });
  const kind = p.type.replaceAll("_", " ");
  await insertLine(deps, tx, a, inv, {
    sourceType: "encounter",
    sourceId: p.encounterId,
    priceItemId: price?.id ?? null,
    code: price?.code ?? null,
    description: price ? price.name : `Consultation (${kind}): no price on the list`,
    quantity: 1,
    unitAmount: price?.amount ?? 0,
    practitionerId: p.practitionerId ?? null,
  });
  await refreshTotals(deps, tx, a, inv.id);
}

export interface DispensedItem {
  dispensationItemId: string;
  medicationId: string;
  name: string;
  quantity: number;
  unitPrice: number;
}

/** Medicines handed over: one line per item, on the visit's draft or a cash sale's own. */
export async function chargeDispensation(
  deps: Deps,
  tx: Db,
  a: Actor,
  p: { patientId?: string | null; encounterId?: string | null; items: DispensedItem[] },
) {
  const fresh = [];
  for (const item of p.items) {
    if (!(await chargeOf(tx, a.orgId, "dispensation_item", item.dispensationItemId))) {
      fresh.push(item);
    }
  }
  if (!fresh.length) return;
  const inv = p.encounterId
    ? await draftFor(deps, tx, a, { encounterId: p.encounterId, patientId: p.patientId ?? null })
    : await newInvoice(deps, tx, a, { kind: "cash_sale", patientId: p.patientId ?? null });
  const on = await clinicToday(deps, tx, a.orgId);
  for (const item of fresh) {
    const price = await priceFor(tx, a.orgId, {
      kind: "medicine",
      medicationId: item.medicationId,
      payer: payerOf(inv),
      on,
    });
    await insertLine(deps, tx, a, inv, {
      sourceType: "dispensation_item",
      sourceId: item.dispensationItemId,
      priceItemId: price?.id ?? null,
      code: price?.code ?? null,
      description: item.name,
      quantity: item.quantity,
      unitAmount: price?.amount ?? item.unitPrice,
    });
  }
  await refreshTotals(deps, tx, a, inv.id);
}

/** Where a reversal of `line` goes: its own invoice while a draft, else a draft beside it. */
async function draftForReversal(deps: Deps, tx: Db, a: Actor, line: LineRow) {
  const inv = (await findInTenant(tx, invoices, a.orgId, line.invoiceId))!;
  if (inv.status === "draft") return inv;
  if (inv.encounterId) {
    return await draftFor(deps, tx, a, {
      encounterId: inv.encounterId,
      patientId: inv.patientId,
      facilityId: inv.facilityId,
    });
  }
  return await newInvoice(deps, tx, a, {
    kind: inv.kind as "cash_sale" | "manual",
    patientId: inv.patientId,
    facilityId: inv.facilityId,
    notes: `Reversal of charges on ${inv.number}`,
  });
}

/** Takes back `quantity` of a charge (all of it by default), never more than is left. */
async function reverse(
  deps: Deps,
  tx: Db,
  a: Actor,
  line: LineRow,
  sourceType: string,
  quantity = line.quantity,
) {
  const done = await reversedOf(tx, line.id);
  const q = Math.min(quantity, line.quantity - done.quantity);
  if (q <= 0) return;
  // The last reversal takes exactly what is left, so rounding never leaves a unit behind.
  const amount = q === line.quantity - done.quantity
    ? line.amount - done.amount
    : divideHalfUp(line.amount * q, line.quantity);
  const inv = await draftForReversal(deps, tx, a, line);
  await insertLine(deps, tx, a, inv, {
    sourceType,
    sourceId: line.sourceId,
    priceItemId: line.priceItemId,
    code: line.code,
    description: `Reversal: ${line.description}`,
    quantity: -q,
    unitAmount: line.unitAmount,
    amount: -amount,
    reversesLineId: line.id,
  });
  await refreshTotals(deps, tx, a, inv.id);
}

/** A cancelled visit (or one left unseen): its consultation is taken back. */
export async function reverseConsultation(
  deps: Deps,
  tx: Db,
  a: Actor,
  p: { encounterId: string },
) {
  const line = await chargeOf(tx, a.orgId, "encounter", p.encounterId);
  if (line) await reverse(deps, tx, a, line, "encounter_cancelled");
}

/** Returned medicines: each item's returned quantity is taken back from its charge. */
export async function reverseDispensed(
  deps: Deps,
  tx: Db,
  a: Actor,
  p: { items: { dispensationItemId: string; quantity: number }[] },
) {
  for (const item of p.items) {
    const line = await chargeOf(tx, a.orgId, "dispensation_item", item.dispensationItemId);
    if (line) await reverse(deps, tx, a, line, "dispensation_return", item.quantity);
  }
}
