/**
 * Preparation orders: draft → confirmed → in_progress → done, or cancelled before done.
 * Confirming reserves the ingredients: what other confirmed or in-progress orders of the store
 * have reserved is not available to this one, decided in the write transaction so that two
 * orders racing for the same stock cannot both confirm.
 *
 * Reservations hold only between preparation orders: dispensing is not blocked by them. A
 * patient at the counter comes before a batch of syrup, and a reservation taken over stock that
 * dispensing then uses shows up where it matters: completing the order checks the stock on hand
 * again and answers 409 when it is short, writing nothing.
 */
import type { z } from "@hono/zod-openapi";
import { and, asc, eq, gt, inArray, isNull, ne, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../../db/client.ts";
import { nextSequence } from "../../../../db/changes.ts";
import {
  formulas,
  medications,
  memberships,
  preparationOrders,
  preparationSteps,
  stockBalances,
  stockBatches,
} from "../../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../../db/tenant.ts";
import type { Actor, Deps } from "../../../lib/context.ts";
import { conflict, type FieldError, notFound, unprocessable } from "../../../lib/errors.ts";
import { decodeCursor, pageOf } from "../../../lib/pagination.ts";
import { numberingSite } from "../../../lib/site.ts";
import { auditedUpdate } from "../../../lib/writes.ts";
import { clinicToday } from "../../patients/mod.ts";
import type { PreparationOrderInput } from "../schemas-preparation.ts";
import { storeFor } from "../store-of.ts";
import { ingredientsOf, stepsOf } from "./formulas.ts";
import { orgCurrency } from "../../organizations/mod.ts";

export type OrderRow = typeof preparationOrders.$inferSelect;
type StepRow = typeof preparationSteps.$inferSelect;
export type Status = "draft" | "confirmed" | "in_progress" | "done" | "cancelled";
export interface Reservation {
  medicationId: string;
  quantity: number;
}

const field = (path: string, message: string): FieldError => ({ path, in: "body", message });

export const toStep = (s: StepRow) => ({
  id: s.id,
  orderId: s.orderId,
  position: s.position,
  name: s.name,
  workCentreId: s.workCentreId,
  plannedMinutes: s.plannedMinutes,
  assigneeId: s.assigneeId,
  status: s.status as "pending" | "in_progress" | "done",
  startedAt: s.startedAt,
  startedBy: s.startedBy,
  finishedAt: s.finishedAt,
  finishedBy: s.finishedBy,
  actualMinutes: s.actualMinutes,
  version: s.version,
});

export const toOrder = (
  o: OrderRow,
  f: typeof formulas.$inferSelect,
  steps: StepRow[],
  currency: string,
) => ({
  id: o.id,
  number: o.number,
  formulaId: o.formulaId,
  productId: f.productId,
  storeId: o.storeId,
  batches: o.batches,
  plannedQuantity: o.batches * f.batchSize,
  status: o.status as Status,
  reserved: (o.reserved as Reservation[] | null) ?? null,
  steps: steps.map(toStep),
  outputBatchId: o.outputBatchId,
  outputQuantity: o.outputQuantity,
  unitCost: o.unitCost,
  currency,
  confirmedAt: o.confirmedAt,
  doneAt: o.doneAt,
  cancelReason: o.cancelReason,
  version: o.version,
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
});

export const orderSteps = (db: Db, orderId: string) =>
  db.select().from(preparationSteps).where(and(
    eq(preparationSteps.orderId, orderId),
    isNull(preparationSteps.deletedAt),
  )).orderBy(asc(preparationSteps.position));

/** The order as the API shows it, read in `db` (a transaction's, to show what it wrote). */
export async function present(db: Db, o: OrderRow) {
  const f = (await findInTenant(db, formulas, o.orgId, o.formulaId))!;
  return toOrder(o, f, await orderSteps(db, o.id), await orgCurrency(db, o.orgId));
}

/** The order of the organisation, or 404. */
export async function orderIn(db: Db, a: Actor, id: string) {
  const o = await findInTenant(db, preparationOrders, a.orgId, id);
  if (!o) throw notFound("Preparation order");
  return o;
}

export async function createOrder(
  deps: Deps,
  a: Actor,
  input: z.infer<typeof PreparationOrderInput>,
) {
  const site = numberingSite(deps);
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const formula = await findInTenant(tx, formulas, a.orgId, input.formulaId);
    if (!formula || !formula.active) {
      throw unprocessable("Unknown formula.", [field("formulaId", "is not an active formula")]);
    }
    const steps = await stepsOf(tx, [formula.id]);
    const problems: FieldError[] = [];
    for (const [position, userId] of Object.entries(input.assignees ?? {})) {
      const path = `assignees.${position}`;
      if (!steps.some((s) => s.position === Number(position))) {
        problems.push(field(path, `the formula has no step ${position}`));
        continue;
      }
      const [member] = await tx.select({ id: memberships.id }).from(memberships).where(and(
        eq(memberships.orgId, a.orgId),
        eq(memberships.userId, userId),
        eq(memberships.active, true),
        isNull(memberships.deletedAt),
      ));
      if (!member) problems.push(field(path, "is not a staff member of this organisation"));
    }
    if (problems.length) throw unprocessable("The assignees are not valid.", problems);
    const store = await storeFor(deps, tx, a, input.storeId);
    const year = (await clinicToday(deps, tx, a.orgId)).slice(0, 4);
    const n = await nextSequence(tx, a.orgId, site ? `prep:${site}:${year}` : `prep:${year}`);
    const order = await insertTracked(tx, preparationOrders, {
      ...stamp(a.orgId, a.userId, at),
      number: `PREP-${site ? `${site}-` : ""}${year}-${String(n).padStart(4, "0")}`,
      formulaId: formula.id,
      storeId: store.id,
      batches: input.batches,
      status: "draft",
    });
    const made: StepRow[] = [];
    for (const s of steps) {
      made.push(
        await insertTracked(tx, preparationSteps, {
          ...stamp(a.orgId, a.userId, at),
          orderId: order.id,
          position: s.position,
          name: s.name,
          workCentreId: s.workCentreId,
          plannedMinutes: s.plannedMinutes,
          assigneeId: input.assignees?.[String(s.position)] ?? null,
          status: "pending",
        }),
      );
    }
    await deps.audit.record(tx, a, {
      action: "preparation-order.create",
      entityType: "preparation-order",
      entityId: order.id,
    });
    return toOrder(order, formula, made, await orgCurrency(tx, a.orgId));
  });
}

export async function readOrder(deps: Deps, a: Actor, id: string) {
  return await present(deps.db.db, await orderIn(deps.db.db, a, id));
}

export async function listOrders(
  deps: Deps,
  a: Actor,
  q: { limit: number; cursor?: string; status?: Status },
) {
  const db = deps.db.db;
  const where: SQL[] = [eq(preparationOrders.orgId, a.orgId), isNull(preparationOrders.deletedAt)];
  if (q.status) where.push(eq(preparationOrders.status, q.status));
  const cursor = decodeCursor(q.cursor);
  if (cursor) where.push(gt(preparationOrders.id, cursor.id));
  const rows = await db.select().from(preparationOrders).where(and(...where))
    .orderBy(asc(preparationOrders.id)).limit(q.limit + 1);
  const out = [];
  for (const o of rows) out.push(await present(db, o));
  return pageOf(out, q.limit, (o) => o.id);
}

/** Units of a medication on hand in a store's batches that have not expired by `today`. */
export async function unexpiredOnHand(
  tx: Db,
  orgId: string,
  storeId: string,
  medicationId: string,
  today: string,
) {
  const [row] = await tx.select({ q: sql<number>`coalesce(sum(${stockBalances.quantity}), 0)` })
    .from(stockBalances).innerJoin(stockBatches, eq(stockBatches.id, stockBalances.batchId))
    .where(and(
      eq(stockBalances.orgId, orgId),
      eq(stockBalances.storeId, storeId),
      eq(stockBalances.medicationId, medicationId),
      sql`${stockBatches.expiryDate} >= ${today}`,
      gt(stockBalances.quantity, 0),
    ));
  return Number(row?.q ?? 0);
}

/** What the store's other confirmed and in-progress orders hold, per medication. */
async function reservedByOthers(tx: Db, o: OrderRow) {
  const rows = await tx.select({ reserved: preparationOrders.reserved }).from(preparationOrders)
    .where(and(
      eq(preparationOrders.orgId, o.orgId),
      eq(preparationOrders.storeId, o.storeId),
      inArray(preparationOrders.status, ["confirmed", "in_progress"]),
      ne(preparationOrders.id, o.id),
      isNull(preparationOrders.deletedAt),
    ));
  const held = new Map<string, number>();
  for (const r of rows) {
    for (const x of (r.reserved as Reservation[] | null) ?? []) {
      held.set(x.medicationId, (held.get(x.medicationId) ?? 0) + x.quantity);
    }
  }
  return held;
}

/** What the order needs of each ingredient: its batches times the formula's quantities. */
export async function needsOf(tx: Db, o: OrderRow): Promise<Reservation[]> {
  return (await ingredientsOf(tx, [o.formulaId])).map((i) => ({
    medicationId: i.medicationId,
    quantity: i.quantity * o.batches,
  }));
}

const refuseMove = (o: OrderRow, allowed: string[], verb: string) => {
  if (!allowed.includes(o.status)) {
    throw conflict(
      `${o.number} is ${o.status.replaceAll("_", " ")}: it cannot be ${verb}.`,
      { state: o.status },
    );
  }
};

export async function confirmOrder(deps: Deps, a: Actor, id: string) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const order = await orderIn(tx, a, id);
    refuseMove(order, ["draft"], "confirmed");
    const today = await clinicToday(deps, tx, a.orgId);
    const held = await reservedByOthers(tx, order);
    const needs = await needsOf(tx, order);
    for (const need of needs) {
      const onHand = await unexpiredOnHand(tx, a.orgId, order.storeId, need.medicationId, today);
      const available = onHand - (held.get(need.medicationId) ?? 0);
      if (available < need.quantity) {
        const med = await findInTenant(tx, medications, a.orgId, need.medicationId);
        throw conflict(
          `Not enough ${med?.name ?? need.medicationId} for ${order.number}: ${need.quantity} ` +
            `${med?.unit ?? "units"} needed, ${Math.max(available, 0)} available ` +
            `(${onHand} unexpired on hand, the rest reserved by other orders).`,
          {
            medicationId: need.medicationId,
            needed: need.quantity,
            available: Math.max(available, 0),
          },
        );
      }
    }
    const row = await auditedUpdate(deps, tx, a, {
      table: preparationOrders,
      label: "Preparation order",
      id,
      expectedVersion: undefined,
      action: "preparation-order.confirm",
      entityType: "preparation-order",
      fields: ["status", "reserved"],
      set: { status: "confirmed", reserved: needs as never, confirmedAt: at },
    });
    return await present(tx, row);
  });
}

export async function cancelOrder(deps: Deps, a: Actor, id: string, reason: string) {
  return await deps.db.transaction(async (tx) => {
    const row = await auditedUpdate(deps, tx, a, {
      table: preparationOrders,
      label: "Preparation order",
      id,
      expectedVersion: undefined,
      action: "preparation-order.cancel",
      entityType: "preparation-order",
      fields: ["status", "reserved", "cancelReason"],
      check: (before) => refuseMove(before, ["draft", "confirmed", "in_progress"], "cancelled"),
      // The reservation is released: a cancelled order holds nothing.
      set: { status: "cancelled", reserved: null, cancelReason: reason },
    });
    return await present(tx, row);
  });
}
