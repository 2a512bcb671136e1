/**
 * Completing a preparation order, in one transaction: every step finished, each ingredient's
 * batches consumed first-expiry-first-out (never an expired one) through the ledger, and a new
 * batch of the product received with the order's unit cost. Stock short at this point (the
 * reservation does not stop dispensing) answers 409 and nothing is written.
 */
import type { z } from "@hono/zod-openapi";
import { and, asc, eq, gt, gte } from "drizzle-orm";
import type { Db } from "../../../../db/client.ts";
import {
  formulas,
  medications,
  preparationOrders,
  stockBalances,
  stockBatches,
  workCentres,
} from "../../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../../db/tenant.ts";
import type { Actor, Deps } from "../../../lib/context.ts";
import { conflict, unprocessable } from "../../../lib/errors.ts";
import { addDays } from "../../../lib/time.ts";
import { auditedUpdate } from "../../../lib/writes.ts";
import { clinicToday } from "../../patients/mod.ts";
import { move } from "../ledger.ts";
import type { CompleteInput } from "../schemas-preparation.ts";
import { batchRef } from "../service.ts";
import { unitCostOf, workMinuteUnits } from "./costs.ts";
import { needsOf, orderIn, orderSteps, present } from "./orders.ts";

export const DOCUMENT = "preparation-order";

/** A store's unexpired batches of a medication with stock, first to expire first. */
const fefo = (tx: Db, orgId: string, storeId: string, medicationId: string, today: string) =>
  tx.select({ batch: stockBatches, onHand: stockBalances.quantity }).from(stockBatches)
    .innerJoin(stockBalances, eq(stockBalances.batchId, stockBatches.id))
    .where(and(
      eq(stockBatches.orgId, orgId),
      eq(stockBatches.storeId, storeId),
      eq(stockBatches.medicationId, medicationId),
      gte(stockBatches.expiryDate, today),
      gt(stockBalances.quantity, 0),
    )).orderBy(asc(stockBatches.expiryDate), asc(stockBatches.id));

export async function completeOrder(
  deps: Deps,
  a: Actor,
  id: string,
  input: z.infer<typeof CompleteInput>,
) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const order = await orderIn(tx, a, id);
    if (!["confirmed", "in_progress"].includes(order.status)) {
      throw conflict(
        `${order.number} is ${order.status.replaceAll("_", " ")}: it cannot be completed.`,
        { state: order.status },
      );
    }
    const steps = await orderSteps(tx, id);
    const open = steps.filter((s) => s.status !== "done");
    if (open.length) {
      throw conflict(
        `${order.number} has unfinished steps: ${
          open.map((s) => `${s.position} (${s.name})`).join(", ")
        }.`,
        { steps: open.map((s) => s.position) },
      );
    }
    const formula = (await findInTenant(tx, formulas, a.orgId, order.formulaId))!;
    const today = await clinicToday(deps, tx, a.orgId);
    const expiryDate = input.expiryDate ?? addDays(today, formula.shelfLifeDays);
    if (expiryDate <= today) {
      throw unprocessable("A prepared batch must expire after today.", [
        { path: "expiryDate", in: "body", message: `is not after ${today}` },
      ]);
    }
    const batchNumber = input.batchNumber ?? order.number;
    const [clash] = await tx.select({ id: stockBatches.id }).from(stockBatches).where(and(
      eq(stockBatches.orgId, a.orgId),
      eq(stockBatches.storeId, order.storeId),
      eq(stockBatches.medicationId, formula.productId),
      eq(stockBatches.batchNumber, batchNumber),
    ));
    if (clash) {
      throw conflict(`The store already has a batch ${batchNumber} of the product.`, {
        batchNumber,
      });
    }

    let ingredients = 0;
    for (const need of await needsOf(tx, order)) {
      const batches = await fefo(tx, a.orgId, order.storeId, need.medicationId, today);
      const available = batches.reduce((s, b) => s + b.onHand, 0);
      if (available < need.quantity) {
        const med = await findInTenant(tx, medications, a.orgId, need.medicationId);
        throw conflict(
          `Not enough ${med?.name ?? need.medicationId} to complete ${order.number}: ` +
            `${need.quantity} needed, ${available} unexpired on hand.`,
          { medicationId: need.medicationId, needed: need.quantity, available },
        );
      }
      let left = need.quantity;
      for (const b of batches) {
        if (left === 0) break;
        const q = Math.min(left, b.onHand);
        await move(tx, batchRef(b.batch), {
          type: "preparation_use",
          quantity: -q,
          actorId: a.userId,
          at,
          documentType: DOCUMENT,
          documentId: order.id,
        });
        ingredients += q * b.batch.unitCost;
        left -= q;
      }
    }

    let minuteUnits = 0;
    for (const s of steps) {
      const centre = (await findInTenant(tx, workCentres, a.orgId, s.workCentreId))!;
      minuteUnits += workMinuteUnits(s.actualMinutes ?? 0, centre.costPerHour);
    }
    const output = input.outputQuantity ?? order.batches * formula.batchSize;
    const unitCost = unitCostOf(ingredients, minuteUnits, output);
    const batch = await insertTracked(tx, stockBatches, {
      ...stamp(a.orgId, a.userId, at),
      medicationId: formula.productId,
      storeId: order.storeId,
      batchNumber,
      expiryDate,
      unitCost,
      supplierId: null,
    });
    await move(tx, batchRef(batch), {
      type: "preparation_output",
      quantity: output,
      actorId: a.userId,
      at,
      documentType: DOCUMENT,
      documentId: order.id,
    });
    const row = await auditedUpdate(deps, tx, a, {
      table: preparationOrders,
      label: "Preparation order",
      id,
      expectedVersion: undefined,
      action: "preparation-order.complete",
      entityType: "preparation-order",
      fields: ["status", "outputBatchId", "outputQuantity", "unitCost"],
      set: {
        status: "done",
        outputBatchId: batch.id,
        outputQuantity: output,
        unitCost,
        doneAt: at,
      },
    });
    return await present(tx, row);
  });
}
