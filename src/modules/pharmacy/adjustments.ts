/**
 * Stock that leaves or changes other than by dispensing: adjustments, damage and expiry
 * write-offs (each with a reason), and medicines a patient brings back within the return window.
 * Each is a movement of the ledger, never below zero.
 */
import type { z } from "@hono/zod-openapi";
import { and, eq, sql } from "drizzle-orm";
import {
  dispensationItems,
  dispensations,
  stockBatches,
  stockMovements,
} from "../../../db/schema/mod.ts";
import { findInTenant } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound, unprocessable } from "../../lib/errors.ts";
import { emit } from "../../lib/events.ts";
import { detectForMovements } from "./findings/detect.ts";
import { move } from "./ledger.ts";
import type { AdjustmentInput, ReturnInput } from "./schemas.ts";
import { batchRef } from "./service.ts";

const DAY = 86_400_000;

export const toMovement = (m: typeof stockMovements.$inferSelect) => ({
  id: m.id,
  medicationId: m.medicationId,
  batchId: m.batchId,
  storeId: m.storeId,
  type: m.type,
  quantity: m.quantity,
  quantityBefore: m.quantityBefore,
  quantityAfter: m.quantityAfter,
  actorId: m.actorId,
  reason: m.reason,
  scannedCode: m.scannedCode,
  documentType: m.documentType,
  documentId: m.documentId,
  patientId: m.patientId,
  at: m.at,
});

export async function adjust(deps: Deps, a: Actor, input: z.infer<typeof AdjustmentInput>) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const batch = await findInTenant(tx, stockBatches, a.orgId, input.batchId);
    if (!batch) {
      throw unprocessable("Unknown batch.", [
        { path: "batchId", in: "body", message: "is not a batch of this organisation" },
      ]);
    }
    // Damage and expiry take stock away; an adjustment goes either way.
    const quantity = input.type === "adjust" ? input.quantity : -Math.abs(input.quantity);
    const m = await move(tx, batchRef(batch), {
      type: input.type,
      quantity,
      actorId: a.userId,
      at,
      reason: input.reason,
      documentType: "adjustment",
    });
    if (!m) {
      throw conflict(`Batch ${batch.batchNumber} has fewer than ${-quantity} left.`, {
        batchId: batch.id,
      });
    }
    await detectForMovements(deps, tx, a, [m]);
    await deps.audit.record(tx, a, {
      action: `stock-movement.${input.type}`,
      entityType: "stock-movement",
      entityId: m.id,
    });
    return toMovement(m);
  });
}

/** Medicines brought back: to the batches they came from, within the return window. */
export async function returnItems(
  deps: Deps,
  a: Actor,
  dispensationId: string,
  input: z.infer<typeof ReturnInput>,
) {
  const now = deps.clock.now();
  const at = now.toISOString();
  return await deps.db.transaction(async (tx) => {
    const d = await findInTenant(tx, dispensations, a.orgId, dispensationId);
    if (!d) throw notFound("Dispensation");
    const days = deps.config.pharmacy.returnDays;
    if (now.getTime() - Date.parse(d.at) > days * DAY) {
      throw conflict(`Medicines are taken back within ${days} days of dispensing.`, {
        dispensedAt: d.at,
      });
    }
    const out = [];
    const moved = [];
    const returned: { dispensationItemId: string; medicationId: string; quantity: number }[] = [];
    for (const [i, item] of input.items.entries()) {
      const [given] = await tx.select({ quantity: sql<number>`sum(${dispensationItems.quantity})` })
        .from(dispensationItems).where(and(
          eq(dispensationItems.dispensationId, d.id),
          eq(dispensationItems.batchId, item.batchId),
        ));
      const [back] = await tx.select({
        quantity: sql<number>`coalesce(sum(${stockMovements.quantity}), 0)`,
      })
        .from(stockMovements).where(and(
          eq(stockMovements.documentType, "dispensation-return"),
          eq(stockMovements.documentId, d.id),
          eq(stockMovements.batchId, item.batchId),
        ));
      const open = Number(given?.quantity ?? 0) - Number(back?.quantity ?? 0);
      if (item.quantity > open) {
        throw conflict(`Only ${open} of that batch can come back from this dispensation.`, {
          item: i,
          returnable: open,
        });
      }
      const batch = (await findInTenant(tx, stockBatches, a.orgId, item.batchId))!;
      const m = await move(tx, batchRef(batch), {
        type: "return",
        quantity: item.quantity,
        actorId: a.userId,
        at,
        reason: input.reason,
        documentType: "dispensation-return",
        documentId: d.id,
        patientId: d.patientId,
      });
      out.push(toMovement(m!));
      moved.push(m!);
      const [source] = await tx.select({ id: dispensationItems.id }).from(dispensationItems)
        .where(and(
          eq(dispensationItems.dispensationId, d.id),
          eq(dispensationItems.batchId, item.batchId),
        )).limit(1);
      returned.push({
        dispensationItemId: source.id,
        medicationId: batch.medicationId,
        quantity: item.quantity,
      });
    }
    await emit(deps, tx, a, "dispensation.returned", {
      dispensationId: d.id,
      patientId: d.patientId,
      reason: input.reason,
      items: returned,
    });
    await detectForMovements(deps, tx, a, moved);
    await deps.audit.record(tx, a, {
      action: "dispensation.return",
      entityType: "dispensation",
      entityId: d.id,
      patientId: d.patientId,
    });
    return { data: out };
  });
}
