/**
 * Alerts computed from the data, never stored: per medication and store, out of stock and low
 * stock (on hand in non-expired batches against the reorder level), and per batch with stock,
 * expired and expiring within N days, by the clinic's own date.
 */
import { and, asc, eq, isNull, type SQL } from "drizzle-orm";
import { medications, stockBalances, stockBatches } from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { addDays } from "../../lib/time.ts";
import { clinicToday } from "../patients/mod.ts";
import type { z } from "@hono/zod-openapi";
import { type Alert, ALERT_KINDS } from "./schemas-catalogue.ts";

type AlertOut = z.infer<typeof Alert>;

const DAY = 86_400_000;
const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);

export async function alerts(
  deps: Deps,
  a: Actor,
  q: { storeId?: string; expiringWithinDays?: number },
) {
  const db = deps.db.db;
  const today = await clinicToday(deps, db, a.orgId);
  const horizon = addDays(today, q.expiringWithinDays ?? deps.config.pharmacy.expiryAlertDays);
  const where: SQL[] = [
    eq(stockBatches.orgId, a.orgId),
    isNull(stockBatches.deletedAt),
    isNull(medications.deletedAt),
    eq(medications.active, true),
  ];
  if (q.storeId) where.push(eq(stockBatches.storeId, q.storeId));
  const rows = await db.select({
    batchId: stockBatches.id,
    batchNumber: stockBatches.batchNumber,
    expiryDate: stockBatches.expiryDate,
    storeId: stockBatches.storeId,
    medicationId: medications.id,
    medicationName: medications.name,
    reorderLevel: medications.reorderLevel,
    quantity: stockBalances.quantity,
  }).from(stockBatches)
    .innerJoin(medications, eq(medications.id, stockBatches.medicationId))
    .leftJoin(stockBalances, eq(stockBalances.batchId, stockBatches.id))
    .where(and(...where))
    .orderBy(asc(stockBatches.expiryDate), asc(stockBatches.id));

  const out: AlertOut[] = [];
  const onHand = new Map<string, AlertOut & { reorderLevel: number }>();
  for (const r of rows) {
    const quantity = r.quantity ?? 0;
    const key = `${r.medicationId} ${r.storeId}`;
    const total = onHand.get(key) ?? {
      kind: "low_stock",
      medicationId: r.medicationId,
      medicationName: r.medicationName,
      storeId: r.storeId,
      quantity: 0,
      reorderLevel: r.reorderLevel,
    };
    onHand.set(key, total);
    const expired = r.expiryDate < today;
    if (!expired) total.quantity += quantity;
    if (quantity < 0) {
      out.push({
        kind: "negative_stock",
        medicationId: r.medicationId,
        medicationName: r.medicationName,
        storeId: r.storeId,
        quantity,
        batchId: r.batchId,
        batchNumber: r.batchNumber,
        expiryDate: r.expiryDate,
      });
    }
    if (quantity <= 0) continue;
    if (expired || r.expiryDate <= horizon) {
      out.push({
        kind: expired ? "expired" : "expiring",
        medicationId: r.medicationId,
        medicationName: r.medicationName,
        storeId: r.storeId,
        quantity,
        batchId: r.batchId,
        batchNumber: r.batchNumber,
        expiryDate: r.expiryDate,
        daysLeft: daysBetween(today, r.expiryDate),
      });
    }
  }
  for (const total of onHand.values()) {
    if (total.quantity <= 0) out.push({ ...total, kind: "out_of_stock", quantity: 0 });
    else if (total.quantity < total.reorderLevel) out.push(total);
  }
  // By kind, then the most urgent first (fewest days left, least on hand), then by name.
  const rank = (x: AlertOut) => ALERT_KINDS.indexOf(x.kind);
  out.sort((x, y) =>
    rank(x) - rank(y) || (x.daysLeft ?? 0) - (y.daysLeft ?? 0) || x.quantity - y.quantity ||
    x.medicationName.localeCompare(y.medicationName)
  );
  return out;
}
