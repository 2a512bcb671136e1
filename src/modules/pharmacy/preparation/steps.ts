/**
 * The work steps of a preparation order, done in their order: a step starts once those before it
 * are finished, and the first start puts the order in progress. Anyone allowed to prepare may
 * start or finish a step (a colleague covers an absent assignee); who did is recorded, and the
 * assignee is whose worklist it appears on.
 */
import { and, asc, eq, isNull, ne, type SQL } from "drizzle-orm";
import { preparationOrders, preparationSteps } from "../../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../../lib/context.ts";
import { conflict, notFound } from "../../../lib/errors.ts";
import { auditedUpdate } from "../../../lib/writes.ts";
import { orderIn, orderSteps, present, toStep } from "./orders.ts";

const MINUTE = 60_000;

async function stepAt(
  deps: Deps,
  a: Actor,
  orderId: string,
  position: number,
  tx = deps.db.db,
) {
  const order = await orderIn(tx, a, orderId);
  if (!["confirmed", "in_progress"].includes(order.status)) {
    throw conflict(
      `${order.number} is ${order.status.replaceAll("_", " ")}: its steps are worked on once ` +
        "it is confirmed and until it is done.",
      { state: order.status },
    );
  }
  const steps = await orderSteps(tx, orderId);
  const step = steps.find((s) => s.position === position);
  if (!step) throw notFound("Step");
  return { order, steps, step };
}

export async function startStep(deps: Deps, a: Actor, orderId: string, position: number) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const { order, steps, step } = await stepAt(deps, a, orderId, position, tx);
    if (step.status !== "pending") {
      throw conflict(
        `Step ${position} (${step.name}) is already ${step.status.replace("_", " ")}.`,
        {
          state: step.status,
        },
      );
    }
    const waiting = steps.find((s) => s.position < position && s.status !== "done");
    if (waiting) {
      throw conflict(
        `Step ${waiting.position} (${waiting.name}) is not finished; steps are done in order.`,
        { position: waiting.position, state: waiting.status },
      );
    }
    await auditedUpdate(deps, tx, a, {
      table: preparationSteps,
      label: "Step",
      id: step.id,
      expectedVersion: undefined,
      action: "preparation-step.start",
      entityType: "preparation-step",
      fields: ["status"],
      set: { status: "in_progress", startedAt: at, startedBy: a.userId },
    });
    if (order.status === "confirmed") {
      await auditedUpdate(deps, tx, a, {
        table: preparationOrders,
        label: "Preparation order",
        id: order.id,
        expectedVersion: undefined,
        action: "preparation-order.start",
        entityType: "preparation-order",
        fields: ["status"],
        set: { status: "in_progress" },
      });
    }
    return await present(tx, await orderIn(tx, a, orderId));
  });
}

/**
 * Finishes a started step: its actual minutes are those given, or the time since it started
 * rounded to the nearest minute.
 */
export async function finishStep(
  deps: Deps,
  a: Actor,
  orderId: string,
  position: number,
  minutes: number | undefined,
) {
  const now = deps.clock.now();
  const at = now.toISOString();
  return await deps.db.transaction(async (tx) => {
    const { step } = await stepAt(deps, a, orderId, position, tx);
    if (step.status !== "in_progress") {
      throw conflict(
        step.status === "pending"
          ? `Step ${position} (${step.name}) has not been started.`
          : `Step ${position} (${step.name}) is already finished.`,
        { state: step.status },
      );
    }
    const elapsed = Math.max(0, Math.round((now.getTime() - Date.parse(step.startedAt!)) / MINUTE));
    await auditedUpdate(deps, tx, a, {
      table: preparationSteps,
      label: "Step",
      id: step.id,
      expectedVersion: undefined,
      action: "preparation-step.finish",
      entityType: "preparation-step",
      fields: ["status", "actualMinutes"],
      set: {
        status: "done",
        finishedAt: at,
        finishedBy: a.userId,
        actualMinutes: minutes ?? elapsed,
      },
    });
    return await present(tx, await orderIn(tx, a, orderId));
  });
}

/** Steps of orders not cancelled, optionally only the caller's, first order first. */
export async function listSteps(
  deps: Deps,
  a: Actor,
  q: { limit: number; mine?: "true" | "false"; status?: "pending" | "in_progress" | "done" },
) {
  const where: SQL[] = [
    eq(preparationSteps.orgId, a.orgId),
    isNull(preparationSteps.deletedAt),
    ne(preparationOrders.status, "cancelled"),
  ];
  if (q.mine === "true") where.push(eq(preparationSteps.assigneeId, a.userId));
  if (q.status) where.push(eq(preparationSteps.status, q.status));
  const rows = await deps.db.db.select({
    step: preparationSteps,
    orderNumber: preparationOrders.number,
    orderStatus: preparationOrders.status,
  }).from(preparationSteps)
    .innerJoin(preparationOrders, eq(preparationOrders.id, preparationSteps.orderId))
    .where(and(...where))
    .orderBy(
      asc(preparationOrders.createdAt),
      asc(preparationOrders.id),
      asc(preparationSteps.position),
    )
    .limit(q.limit);
  return {
    data: rows.map((r) => ({
      ...toStep(r.step),
      orderNumber: r.orderNumber,
      orderStatus: r.orderStatus,
    })),
  };
}
