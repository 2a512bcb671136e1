/**
 * Stock counts: a count of one store freezes the quantity of each batch, takes counted
 * quantities (typed or scanned) while the pharmacy keeps working, and is submitted, approved by
 * an admin when a variance is above the organisation's threshold, and posted as `count_variance`
 * movements of the ledger (counts-posting.ts).
 *
 * A line's variance is fixed when it is counted, in that write's transaction: counted − (frozen
 * + movements since the freeze up to that moment), which is the batch's on-hand then. So a
 * dispense after the freeze, before or after the shelf is counted, is never a variance, and no
 * comparison of timestamps decides which movements a count saw.
 */
import type { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, inArray, isNull, lt, ne, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { nextSequence } from "../../../db/changes.ts";
import {
  findingRuleSettings,
  medications,
  stockBalances,
  stockBatches,
  stockCountLines,
  stockCounts,
  stockMovements,
} from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, type FieldError, notFound, unprocessable } from "../../lib/errors.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import { numberingSite } from "../../lib/site.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { clinicToday } from "../patients/mod.ts";
import { onHand } from "./ledger.ts";
import type { CountInput, CountLinesInput, CountQuery } from "./schemas-counts.ts";
import { medicationByCode } from "./service.ts";
import { storeFor } from "./store-of.ts";
import { orgCurrency } from "../organizations/mod.ts";

export type CountRow = typeof stockCounts.$inferSelect;
const ACTIVE = ["open", "submitted"];

export interface Threshold {
  units: number;
  /** Minor units at batch cost; null: no limit by value. */
  value: number | null;
}

/** The organisation's `count_variance` thresholds where it set them, else the configured units. */
export async function thresholdOf(deps: Deps, db: Db, orgId: string): Promise<Threshold> {
  const [row] = await db.select({ thresholds: findingRuleSettings.thresholds })
    .from(findingRuleSettings).where(and(
      eq(findingRuleSettings.orgId, orgId),
      eq(findingRuleSettings.rule, "count_variance"),
      isNull(findingRuleSettings.deletedAt),
    ));
  const t = row?.thresholds ?? {};
  return {
    units: typeof t.units === "number" ? t.units : deps.config.pharmacy.countVarianceApprovalUnits,
    value: typeof t.value === "number" ? t.value : null,
  };
}

export const exceeds = (t: Threshold, variance: number, unitCost: number) =>
  Math.abs(variance) > t.units || (t.value !== null && Math.abs(variance) * unitCost > t.value);

/** The count's lines with their batches and what the ledger says of each now. */
export async function countLines(db: Db, count: CountRow) {
  const rows = await db.select({
    line: stockCountLines,
    medication: medications.name,
    batchNumber: stockBatches.batchNumber,
    expiryDate: stockBatches.expiryDate,
    unitCost: stockBatches.unitCost,
    onHand: sql<number>`coalesce(${stockBalances.quantity}, 0)`,
  }).from(stockCountLines)
    .innerJoin(stockBatches, eq(stockBatches.id, stockCountLines.batchId))
    .innerJoin(medications, eq(medications.id, stockCountLines.medicationId))
    .leftJoin(stockBalances, eq(stockBalances.batchId, stockCountLines.batchId))
    .where(and(eq(stockCountLines.countId, count.id), isNull(stockCountLines.deletedAt)))
    .orderBy(asc(medications.name), asc(stockBatches.expiryDate), asc(stockCountLines.id));
  // Once posted, the balance includes this count's own variances: they are not "movements".
  const posted = new Map<string, number>();
  if (count.status === "posted") {
    const own = await db.select({
      batchId: stockMovements.batchId,
      quantity: sql<number>`sum(${stockMovements.quantity})`,
    }).from(stockMovements).where(and(
      eq(stockMovements.orgId, count.orgId),
      eq(stockMovements.documentType, "stock_count"),
      eq(stockMovements.documentId, count.id),
    )).groupBy(stockMovements.batchId);
    for (const o of own) posted.set(o.batchId, Number(o.quantity));
  }
  return rows.map((r) => {
    const l = r.line;
    const expectedNow = Number(r.onHand) - (posted.get(l.batchId) ?? 0);
    return {
      id: l.id,
      batchId: l.batchId,
      medicationId: l.medicationId,
      medication: r.medication,
      batchNumber: r.batchNumber,
      expiryDate: r.expiryDate,
      unitCost: r.unitCost,
      frozenQuantity: l.frozenQuantity,
      countedQuantity: l.countedQuantity,
      countedBy: l.countedBy,
      countedAt: l.countedAt,
      scannedCode: l.scannedCode,
      movementsSinceFreeze: expectedNow - l.frozenQuantity,
      expectedNow,
      variance: l.variance,
      varianceValue: l.variance === null ? null : l.variance * r.unitCost,
      version: l.version,
    };
  });
}

const summary = (c: CountRow) => ({
  id: c.id,
  number: c.number,
  storeId: c.storeId,
  status: c.status as "open" | "submitted" | "posted" | "cancelled",
  frozenAt: c.frozenAt,
  submittedAt: c.submittedAt,
  postedAt: c.postedAt,
  approvedBy: c.approvedBy,
  approvedAt: c.approvedAt,
  notes: c.notes,
  version: c.version,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

export async function toCount(deps: Deps, db: Db, count: CountRow) {
  const lines = await countLines(db, count);
  const threshold = await thresholdOf(deps, db, count.orgId);
  return {
    ...summary(count),
    needsApproval: lines.some((l) =>
      l.variance !== null && exceeds(threshold, l.variance, l.unitCost)
    ),
    threshold,
    currency: await orgCurrency(db, count.orgId),
    lines,
  };
}

export async function readCount(deps: Deps, a: Actor, id: string, db: Db = deps.db.db) {
  const count = await findInTenant(db, stockCounts, a.orgId, id);
  if (!count) throw notFound("Stock count");
  return await toCount(deps, db, count);
}

export async function listCounts(deps: Deps, a: Actor, q: z.infer<typeof CountQuery>) {
  const db = deps.db.db;
  const where: SQL[] = [eq(stockCounts.orgId, a.orgId), isNull(stockCounts.deletedAt)];
  if (q.status) where.push(eq(stockCounts.status, q.status));
  if (q.storeId) where.push(eq(stockCounts.storeId, q.storeId));
  const cursor = decodeCursor(q.cursor);
  if (cursor) where.push(lt(stockCounts.id, cursor.id));
  const rows = await db.select({
    count: stockCounts,
    lineCount: sql<number>`(SELECT count(*) FROM stock_count_lines l
      WHERE l.count_id = "stock_counts"."id" AND l.deleted_at IS NULL)`,
  }).from(stockCounts).where(and(...where)).orderBy(desc(stockCounts.id)).limit(q.limit + 1);
  return pageOf(
    rows.map((r) => ({ ...summary(r.count), lineCount: Number(r.lineCount) })),
    q.limit,
    (c) => c.id,
  );
}

/** Opens a count of one store, freezing each batch's on-hand (those not at zero). */
export async function openCount(deps: Deps, a: Actor, input: z.infer<typeof CountInput>) {
  const site = numberingSite(deps);
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const store = await storeFor(deps, tx, a, input.storeId);
    const [busy] = await tx.select().from(stockCounts).where(and(
      eq(stockCounts.orgId, a.orgId),
      eq(stockCounts.storeId, store.id),
      inArray(stockCounts.status, ACTIVE),
      isNull(stockCounts.deletedAt),
    ));
    if (busy) {
      throw conflict(
        `Count ${busy.number} of this store is ${busy.status}: post or cancel it before opening ` +
          "another.",
        { countId: busy.id },
      );
    }
    const ids = [...new Set(input.medicationIds ?? [])];
    const problems: FieldError[] = [];
    for (const [i, id] of (input.medicationIds ?? []).entries()) {
      if (!(await findInTenant(tx, medications, a.orgId, id))) {
        problems.push({ path: `medicationIds.${i}`, in: "body", message: "not in the catalogue" });
      }
    }
    if (problems.length) throw unprocessable("The count names unknown medications.", problems);
    const year = (await clinicToday(deps, tx, a.orgId)).slice(0, 4);
    const n = await nextSequence(tx, a.orgId, site ? `cnt:${site}:${year}` : `cnt:${year}`);
    const count = await insertTracked(tx, stockCounts, {
      ...stamp(a.orgId, a.userId, at),
      number: `CNT-${site ? `${site}-` : ""}${year}-${String(n).padStart(4, "0")}`,
      storeId: store.id,
      status: "open",
      frozenAt: at,
      notes: input.notes ?? null,
    });
    const balances = await tx.select().from(stockBalances).where(and(
      eq(stockBalances.orgId, a.orgId),
      eq(stockBalances.storeId, store.id),
      ne(stockBalances.quantity, 0),
      ...(ids.length ? [inArray(stockBalances.medicationId, ids)] : []),
    )).orderBy(asc(stockBalances.batchId));
    for (const b of balances) {
      await insertTracked(tx, stockCountLines, {
        ...stamp(a.orgId, a.userId, at),
        countId: count.id,
        batchId: b.batchId,
        medicationId: b.medicationId,
        frozenQuantity: b.quantity,
      });
    }
    await deps.audit.record(tx, a, {
      action: "stock-count.open",
      entityType: "stock-count",
      entityId: count.id,
    });
    return await toCount(deps, tx, count);
  });
}

type Item = z.infer<typeof CountLinesInput>["items"][number];

/** The batch an item names (typed, or a scanned code with a batch number) in the count's store. */
async function batchOf(tx: Db, a: Actor, count: CountRow, item: Item, i: number) {
  const at = (field: string, message: string): never => {
    throw unprocessable("A counted item names no batch of this store.", [
      { path: `items.${i}.${field}`, in: "body", message },
    ]);
  };
  let batch: typeof stockBatches.$inferSelect | undefined;
  if (item.batchId) {
    batch = await findInTenant(tx, stockBatches, a.orgId, item.batchId);
    if (!batch || batch.storeId !== count.storeId) at("batchId", "is not a batch of this store");
  } else if (item.batchNumber && (item.code || item.medicationId)) {
    const med = item.code
      ? await medicationByCode(tx, a.orgId, item.code)
      : await findInTenant(tx, medications, a.orgId, item.medicationId!);
    if (!med) at(item.code ? "code" : "medicationId", "names no medication of the catalogue");
    [batch] = await tx.select().from(stockBatches).where(and(
      eq(stockBatches.orgId, a.orgId),
      eq(stockBatches.storeId, count.storeId),
      eq(stockBatches.medicationId, med!.id),
      eq(stockBatches.batchNumber, item.batchNumber),
      isNull(stockBatches.deletedAt),
    ));
    if (!batch) at("batchNumber", `no batch ${item.batchNumber} of ${med!.name} in this store`);
  } else {
    at("batchId", "name the batch: batchId, or batchNumber with code or medicationId");
  }
  return batch!;
}

/**
 * Records counted quantities. A batch not on the count gets a line frozen at zero: the freeze
 * took every batch with stock (of the counted medications), so it was empty then or received
 * since, and its variance is counted − on-hand like any other.
 */
export async function recordLines(
  deps: Deps,
  a: Actor,
  id: string,
  input: z.infer<typeof CountLinesInput>,
) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const count = await findInTenant(tx, stockCounts, a.orgId, id);
    if (!count) throw notFound("Stock count");
    if (count.status !== "open") {
      throw conflict(`Count ${count.number} is ${count.status}; only an open count is counted.`, {
        state: count.status,
      });
    }
    for (const [i, item] of input.items.entries()) {
      const batch = await batchOf(tx, a, count, item, i);
      const counted = {
        countedQuantity: item.quantity,
        countedBy: a.userId,
        countedAt: at,
        variance: item.quantity - await onHand(tx, batch.id),
        scannedCode: item.code ?? null,
      };
      const [line] = await tx.select().from(stockCountLines).where(and(
        eq(stockCountLines.countId, count.id),
        eq(stockCountLines.batchId, batch.id),
        isNull(stockCountLines.deletedAt),
      ));
      if (line) {
        await auditedUpdate(deps, tx, a, {
          table: stockCountLines,
          label: "Count line",
          id: line.id,
          expectedVersion: undefined,
          action: "stock-count-line.count",
          entityType: "stock-count-line",
          fields: ["countedQuantity", "variance"],
          set: counted,
        });
        continue;
      }
      const added = await insertTracked(tx, stockCountLines, {
        ...stamp(a.orgId, a.userId, at),
        countId: count.id,
        batchId: batch.id,
        medicationId: batch.medicationId,
        frozenQuantity: 0,
        ...counted,
      });
      await deps.audit.record(tx, a, {
        action: "stock-count-line.add",
        entityType: "stock-count-line",
        entityId: added.id,
      });
    }
    return await toCount(deps, tx, count);
  });
}
