/**
 * The catalogue and stock: medications with their codes, receipts into batches, stock on hand
 * per batch and the ledger's movements. Dispensing is dispense.ts.
 */
import type { z } from "@hono/zod-openapi";
import { and, asc, eq, gt, inArray, isNull, like, or, type SQL } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import {
  medicationCodes,
  medications,
  stockBalances,
  stockBatches,
  stockMovements,
} from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound, unprocessable } from "../../lib/errors.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import { newId } from "../../../db/ids.ts";
import { type BatchRef, move } from "./ledger.ts";
import { receiveAgainstOrder } from "./purchasing.ts";
import { storeFor } from "./store-of.ts";
import { orgCurrency } from "../organizations/mod.ts";

export { storeFor };
import type { MedicationInput, ReceiptInput } from "./schemas.ts";

type MedicationRow = typeof medications.$inferSelect;

export const toMedication = (m: MedicationRow, codes: string[], currency: string) => ({
  id: m.id,
  name: m.name,
  genericName: m.genericName,
  form: m.form,
  strength: m.strength,
  category: m.category,
  unit: m.unit,
  packSize: m.packSize,
  codes,
  reorderLevel: m.reorderLevel,
  unitPrice: m.unitPrice,
  currency,
  prescriptionRequired: m.prescriptionRequired,
  active: m.active,
  version: m.version,
  createdAt: m.createdAt,
  updatedAt: m.updatedAt,
});

async function codesOf(db: Db, orgId: string, medicationId: string) {
  return (await db.select({ code: medicationCodes.code }).from(medicationCodes).where(and(
    eq(medicationCodes.orgId, orgId),
    eq(medicationCodes.medicationId, medicationId),
    isNull(medicationCodes.deletedAt),
  ))).map((c) => c.code);
}

export async function createMedication(
  deps: Deps,
  a: Actor,
  input: z.infer<typeof MedicationInput>,
) {
  const now = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const codes = [...new Set(input.codes ?? [])];
    if (codes.length) {
      const taken = await tx.select({ code: medicationCodes.code }).from(medicationCodes)
        .where(and(eq(medicationCodes.orgId, a.orgId), inArray(medicationCodes.code, codes)));
      if (taken.length) {
        throw conflict(`Code ${taken[0].code} belongs to another medication.`, {
          codes: taken.map((t) => t.code),
        });
      }
    }
    const row = await insertTracked(tx, medications, {
      ...stamp(a.orgId, a.userId, now),
      name: input.name,
      genericName: input.genericName.toLowerCase(),
      form: input.form,
      strength: input.strength ?? null,
      category: input.category ?? null,
      unit: input.unit,
      packSize: input.packSize ?? null,
      reorderLevel: input.reorderLevel,
      unitPrice: input.unitPrice,
      prescriptionRequired: input.prescriptionRequired,
    });
    for (const code of codes) {
      await insertTracked(tx, medicationCodes, {
        ...stamp(a.orgId, a.userId, now),
        medicationId: row.id,
        code,
        kind: /^\d{8,14}$/.test(code) ? "gtin" : "other",
      });
    }
    await deps.audit.record(tx, a, {
      action: "medication.create",
      entityType: "medication",
      entityId: row.id,
    });
    return toMedication(row, codes, await orgCurrency(tx, a.orgId));
  });
}

export async function readMedication(deps: Deps, a: Actor, id: string) {
  const db = deps.db.db;
  const row = await findInTenant(db, medications, a.orgId, id);
  if (!row) throw notFound("Medication");
  return toMedication(row, await codesOf(db, a.orgId, id), await orgCurrency(db, a.orgId));
}

export async function listMedications(
  deps: Deps,
  a: Actor,
  q: { limit: number; cursor?: string; q?: string },
) {
  const db = deps.db.db;
  const where: SQL[] = [eq(medications.orgId, a.orgId), isNull(medications.deletedAt)];
  if (q.q) {
    const pattern = `%${q.q.toLowerCase().replace(/[%_\\]/g, "")}%`;
    where.push(or(like(medications.genericName, pattern), like(medications.name, pattern))!);
  }
  const cursor = decodeCursor(q.cursor);
  if (cursor) where.push(gt(medications.id, cursor.id));
  const rows = await db.select().from(medications).where(and(...where))
    .orderBy(asc(medications.id)).limit(q.limit + 1);
  const currency = await orgCurrency(db, a.orgId);
  const out = [];
  // The page's codes in one query, not one per medication.
  const codes = rows.length
    ? await db.select({ medicationId: medicationCodes.medicationId, code: medicationCodes.code })
      .from(medicationCodes).where(and(
        eq(medicationCodes.orgId, a.orgId),
        inArray(medicationCodes.medicationId, rows.map((r) => r.id)),
        isNull(medicationCodes.deletedAt),
      ))
    : [];
  for (const r of rows) {
    out.push(toMedication(
      r,
      codes.filter((c) => c.medicationId === r.id).map((c) => c.code),
      currency,
    ));
  }
  return pageOf(out, q.limit, (m) => m.id);
}

/** The medication a scanned code names, or undefined. */
export async function medicationByCode(db: Db, orgId: string, code: string) {
  const [hit] = await db.select({ id: medicationCodes.medicationId }).from(medicationCodes)
    .where(and(
      eq(medicationCodes.orgId, orgId),
      eq(medicationCodes.code, code),
      isNull(medicationCodes.deletedAt),
    ));
  return hit ? await findInTenant(db, medications, orgId, hit.id) : undefined;
}

export const batchRef = (b: typeof stockBatches.$inferSelect): BatchRef => ({
  id: b.id,
  orgId: b.orgId,
  medicationId: b.medicationId,
  storeId: b.storeId,
});

/** Goods received: each line into its batch (made when new), one movement each. */
export async function receive(deps: Deps, a: Actor, input: z.infer<typeof ReceiptInput>) {
  const at = deps.clock.now().toISOString();
  const receiptId = newId();
  return await deps.db.transaction(async (tx) => {
    const order = input.purchaseOrderId
      ? await receiveAgainstOrder(deps, tx, a, input.purchaseOrderId, input.items, input.reason)
      : null;
    const store = await storeFor(deps, tx, a, input.storeId ?? order?.storeId);
    const supplierId = input.supplierId ?? order?.supplierId ?? null;
    const out = [];
    for (const [i, item] of input.items.entries()) {
      const med = await findInTenant(tx, medications, a.orgId, item.medicationId);
      if (!med) {
        throw unprocessable("Unknown medication.", [
          { path: `items.${i}.medicationId`, in: "body", message: "is not in the catalogue" },
        ]);
      }
      let [batch] = await tx.select().from(stockBatches).where(and(
        eq(stockBatches.orgId, a.orgId),
        eq(stockBatches.storeId, store.id),
        eq(stockBatches.medicationId, med.id),
        eq(stockBatches.batchNumber, item.batchNumber),
      ));
      if (batch && batch.expiryDate !== item.expiryDate) {
        throw unprocessable("The batch is known with another expiry date.", [{
          path: `items.${i}.expiryDate`,
          in: "body",
          message: `batch ${item.batchNumber} expires on ${batch.expiryDate}`,
        }]);
      }
      batch ??= await insertTracked(tx, stockBatches, {
        ...stamp(a.orgId, a.userId, at),
        medicationId: med.id,
        storeId: store.id,
        batchNumber: item.batchNumber,
        expiryDate: item.expiryDate,
        unitCost: item.unitCost,
        supplierId,
      });
      const m = await move(tx, batchRef(batch), {
        type: "receive",
        quantity: item.quantity,
        actorId: a.userId,
        at,
        reason: input.reason ?? null,
        documentType: input.purchaseOrderId ? "purchase-order" : "receipt",
        documentId: input.purchaseOrderId ?? receiptId,
      });
      out.push({ id: m!.id, batchId: batch.id, quantity: item.quantity });
    }
    await deps.audit.record(tx, a, {
      action: "stock-movement.receive",
      entityType: "stock-movement",
      entityId: receiptId,
    });
    return { id: receiptId, storeId: store.id, movements: out, version: 1 };
  });
}

/** Stock on hand by batch (batches with none left are left out). */
export async function stockOnHand(
  deps: Deps,
  a: Actor,
  q: { medicationId?: string; storeId?: string; limit?: number },
  db: Db = deps.db.db,
) {
  const where: SQL[] = [eq(stockBalances.orgId, a.orgId), gt(stockBalances.quantity, 0)];
  if (q.medicationId) where.push(eq(stockBalances.medicationId, q.medicationId));
  if (q.storeId) where.push(eq(stockBalances.storeId, q.storeId));
  const rows = await db.select({
    batchId: stockBalances.batchId,
    medicationId: stockBalances.medicationId,
    storeId: stockBalances.storeId,
    quantity: stockBalances.quantity,
    batchNumber: stockBatches.batchNumber,
    expiryDate: stockBatches.expiryDate,
    unitCost: stockBatches.unitCost,
  }).from(stockBalances).innerJoin(stockBatches, eq(stockBatches.id, stockBalances.batchId))
    .where(and(...where)).orderBy(asc(stockBatches.expiryDate), asc(stockBatches.id))
    .limit(q.limit ?? 1000);
  return rows;
}

export async function movements(
  deps: Deps,
  a: Actor,
  q: { limit: number; cursor?: string; medicationId?: string; batchId?: string },
) {
  const where: SQL[] = [eq(stockMovements.orgId, a.orgId)];
  if (q.medicationId) where.push(eq(stockMovements.medicationId, q.medicationId));
  if (q.batchId) where.push(eq(stockMovements.batchId, q.batchId));
  const cursor = decodeCursor(q.cursor);
  if (cursor) where.push(gt(stockMovements.id, cursor.id));
  const rows = await deps.db.db.select().from(stockMovements).where(and(...where))
    .orderBy(asc(stockMovements.id)).limit(q.limit + 1);
  for (const r of rows.slice(0, q.limit)) {
    if (r.patientId) {
      deps.audit.recordRead(a, {
        action: "stock-movement.list",
        entityType: "stock-movement",
        entityId: r.id,
        patientId: r.patientId,
      });
    }
  }
  return pageOf(
    rows.map((r) => ({
      id: r.id,
      medicationId: r.medicationId,
      batchId: r.batchId,
      storeId: r.storeId,
      type: r.type,
      quantity: r.quantity,
      quantityBefore: r.quantityBefore,
      quantityAfter: r.quantityAfter,
      actorId: r.actorId,
      reason: r.reason,
      scannedCode: r.scannedCode,
      documentType: r.documentType,
      documentId: r.documentId,
      patientId: r.patientId,
      at: r.at,
    })),
    q.limit,
    (m) => m.id,
  );
}
