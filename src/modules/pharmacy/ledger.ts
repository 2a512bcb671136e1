/**
 * The stock ledger. Every change of stock is a movement appended here, in the caller's write
 * transaction, together with the batch's balance (a cache of the ledger's sum). Stock never goes
 * negative: the balance is read and written inside the transaction that holds the database's
 * write lock, so of two dispenses racing for the last units the second sees the first.
 *
 * Movements from other clinics arrive by sync and are never refused: two clinics dispensing
 * offline may together take a batch below zero, and the primary then queues that for a person.
 */
import type { Db } from "../../../db/client.ts";
import { executorOf } from "../../../db/client.ts";
import { stockMovements } from "../../../db/schema/mod.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import type { RemoteApplied } from "../../lib/context.ts";
import { raiseNegativeStock } from "./findings/detect.ts";

export type MovementType =
  | "receive"
  | "dispense"
  | "return"
  | "transfer_out"
  | "transfer_in"
  | "adjust"
  | "damage"
  | "expire"
  | "count_variance"
  | "preparation_use"
  | "preparation_output";

export interface BatchRef {
  id: string;
  orgId: string;
  medicationId: string;
  storeId: string;
}

const BALANCE = `SELECT quantity FROM stock_balances WHERE batch_id = ?`;
const UPSERT = `INSERT INTO stock_balances (batch_id, org_id, medication_id, store_id, quantity)
  VALUES (?, ?, ?, ?, ?) ON CONFLICT (batch_id) DO UPDATE SET quantity = excluded.quantity`;

export async function onHand(tx: Db, batchId: string): Promise<number> {
  const { rows } = await executorOf(tx)(BALANCE, [batchId], "get");
  return rows ? Number((rows as unknown[])[0]) : 0;
}

async function setBalance(tx: Db, b: BatchRef, quantity: number) {
  await executorOf(tx)(UPSERT, [b.id, b.orgId, b.medicationId, b.storeId, quantity], "run");
}

/**
 * Appends one movement of `quantity` (signed) to `batch` and moves its balance. Answers null,
 * writing nothing, when it would take the batch below zero.
 */
export async function move(
  tx: Db,
  batch: BatchRef,
  m: {
    type: MovementType;
    quantity: number;
    actorId: string | null;
    at: string;
    reason?: string | null;
    scannedCode?: string | null;
    documentType?: string | null;
    documentId?: string | null;
    patientId?: string | null;
  },
) {
  const before = await onHand(tx, batch.id);
  const after = before + m.quantity;
  if (after < 0) return null;
  await setBalance(tx, batch, after);
  return await insertTracked(tx, stockMovements, {
    ...stamp(batch.orgId, m.actorId, m.at),
    medicationId: batch.medicationId,
    batchId: batch.id,
    storeId: batch.storeId,
    type: m.type,
    quantity: m.quantity,
    quantityBefore: before,
    quantityAfter: after,
    actorId: m.actorId,
    reason: m.reason ?? null,
    scannedCode: m.scannedCode ?? null,
    documentType: m.documentType ?? null,
    documentId: m.documentId ?? null,
    patientId: m.patientId ?? null,
    at: m.at,
  });
}

/** A movement made at another clinic: the balance here follows it, whatever it becomes. */
export async function onRemoteMovement(tx: Db, applied: RemoteApplied) {
  if (applied.before) return; // movements are never changed; only their arrival counts
  const m = applied.after as {
    batchId: string;
    orgId: string;
    medicationId: string;
    storeId: string;
    quantity: number;
  };
  const batch = { id: m.batchId, orgId: m.orgId, medicationId: m.medicationId, storeId: m.storeId };
  const after = (await onHand(tx, m.batchId)) + m.quantity;
  await setBalance(tx, batch, after);
  if (after < 0) {
    await applied.openConflict(
      `stock of batch ${m.batchId} is ${after} after movements made apart: count it and adjust`,
    );
    await raiseNegativeStock(tx, applied.after as typeof m & { id: string }, after);
  }
}
