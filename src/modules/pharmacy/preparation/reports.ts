/**
 * Preparation reports: planned against actual minutes per step and per work centre, yield
 * (made against planned) and cost per unit split into ingredients (the consumed batches' costs,
 * read from the ledger) and work (actual minutes at the centres' costs per hour).
 */
import { and, asc, eq, gte, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "../../../../db/client.ts";
import {
  formulas,
  preparationOrders,
  stockBatches,
  stockMovements,
  workCentres,
} from "../../../../db/schema/mod.ts";
import { findInTenant } from "../../../../db/tenant.ts";
import type { Actor, Deps } from "../../../lib/context.ts";
import { addDays, startOfLocalDay } from "../../../lib/time.ts";
import { orgCurrency, orgSettings } from "../../organizations/mod.ts";
import { clinicToday } from "../../patients/mod.ts";
import { DOCUMENT } from "./complete.ts";
import { workCost, workMinuteUnits } from "./costs.ts";
import { orderIn, type OrderRow, orderSteps } from "./orders.ts";

type Centres = Map<string, typeof workCentres.$inferSelect>;

/** Percent with one decimal. */
const percent = (part: number, whole: number) => Math.round((part / whole) * 1000) / 10;

async function centresOf(db: Db, orgId: string): Promise<Centres> {
  const rows = await db.select().from(workCentres)
    .where(and(eq(workCentres.orgId, orgId), isNull(workCentres.deletedAt)));
  return new Map(rows.map((c) => [c.id, c]));
}

/** Minor units of ingredients an order consumed, at the consumed batches' unit costs. */
async function ingredientCost(db: Db, orgId: string, orderId: string) {
  const [row] = await db.select({
    cost: sql<number>`coalesce(sum(-${stockMovements.quantity} * ${stockBatches.unitCost}), 0)`,
  }).from(stockMovements).innerJoin(stockBatches, eq(stockBatches.id, stockMovements.batchId))
    .where(and(
      eq(stockMovements.orgId, orgId),
      eq(stockMovements.type, "preparation_use"),
      eq(stockMovements.documentType, DOCUMENT),
      eq(stockMovements.documentId, orderId),
    ));
  return Number(row?.cost ?? 0);
}

type CentreMinutes = Map<string, { plannedMinutes: number; actualMinutes: number }>;

function addMinutes(into: CentreMinutes, id: string, planned: number, actual: number) {
  const m = into.get(id) ?? { plannedMinutes: 0, actualMinutes: 0 };
  m.plannedMinutes += planned;
  m.actualMinutes += actual;
  into.set(id, m);
}

const centreRows = (minutes: CentreMinutes, centres: Centres) =>
  [...minutes].map(([workCentreId, m]) => ({
    workCentreId,
    name: centres.get(workCentreId)?.name ?? "",
    ...m,
  })).sort((x, y) => x.name < y.name ? -1 : x.name > y.name ? 1 : 0);

async function summarise(db: Db, o: OrderRow, centres: Centres, currency: string) {
  const formula = (await findInTenant(db, formulas, o.orgId, o.formulaId))!;
  const steps = await orderSteps(db, o.id);
  const minutes: CentreMinutes = new Map();
  let minuteUnits = 0;
  for (const s of steps) {
    addMinutes(minutes, s.workCentreId, s.plannedMinutes, s.actualMinutes ?? 0);
    minuteUnits += workMinuteUnits(
      s.actualMinutes ?? 0,
      centres.get(s.workCentreId)?.costPerHour ?? 0,
    );
  }
  const ingredients = await ingredientCost(db, o.orgId, o.id);
  const work = workCost(minuteUnits);
  const planned = o.batches * formula.batchSize;
  return {
    formula,
    steps,
    minutes,
    planned,
    cost: {
      ingredients,
      work,
      total: ingredients + work,
      perUnit: o.unitCost,
      currency,
    },
  };
}

export async function orderReport(deps: Deps, a: Actor, id: string) {
  const db = deps.db.db;
  const order = await orderIn(db, a, id);
  const centres = await centresOf(db, a.orgId);
  const s = await summarise(db, order, centres, await orgCurrency(db, a.orgId));
  return {
    orderId: order.id,
    number: order.number,
    status: order.status,
    steps: s.steps.map((step) => ({
      position: step.position,
      name: step.name,
      workCentreId: step.workCentreId,
      status: step.status,
      plannedMinutes: step.plannedMinutes,
      actualMinutes: step.actualMinutes,
    })),
    workCentres: centreRows(s.minutes, centres),
    yield: {
      planned: s.planned,
      actual: order.outputQuantity,
      percent: order.outputQuantity === null ? null : percent(order.outputQuantity, s.planned),
    },
    cost: s.cost,
  };
}

/** Orders done over clinic-local days [from, to]. */
export async function periodReport(deps: Deps, a: Actor, q: { from?: string; to?: string }) {
  const db = deps.db.db;
  const { timezone } = await orgSettings(db, a.orgId);
  const to = q.to ?? await clinicToday(deps, db, a.orgId);
  const from = q.from ?? addDays(to, -29);
  const orders = await db.select().from(preparationOrders).where(and(
    eq(preparationOrders.orgId, a.orgId),
    eq(preparationOrders.status, "done"),
    isNull(preparationOrders.deletedAt),
    gte(preparationOrders.doneAt, startOfLocalDay(from, timezone)),
    lt(preparationOrders.doneAt, startOfLocalDay(addDays(to, 1), timezone)),
  )).orderBy(asc(preparationOrders.doneAt), asc(preparationOrders.id)).limit(1000);
  const centres = await centresOf(db, a.orgId);
  const currency = await orgCurrency(db, a.orgId);
  const minutes: CentreMinutes = new Map();
  const totals = {
    plannedQuantity: 0,
    outputQuantity: 0,
    yieldPercent: null as number | null,
    plannedMinutes: 0,
    actualMinutes: 0,
    ingredients: 0,
    work: 0,
  };
  const rows = [];
  for (const o of orders) {
    const s = await summarise(db, o, centres, currency);
    const planned = s.steps.reduce((t, x) => t + x.plannedMinutes, 0);
    const actual = s.steps.reduce((t, x) => t + (x.actualMinutes ?? 0), 0);
    for (const [id, m] of s.minutes) addMinutes(minutes, id, m.plannedMinutes, m.actualMinutes);
    const output = o.outputQuantity ?? 0;
    rows.push({
      orderId: o.id,
      number: o.number,
      productId: s.formula.productId,
      doneAt: o.doneAt!,
      plannedQuantity: s.planned,
      outputQuantity: output,
      yieldPercent: percent(output, s.planned),
      plannedMinutes: planned,
      actualMinutes: actual,
      cost: s.cost,
    });
    totals.plannedQuantity += s.planned;
    totals.outputQuantity += output;
    totals.plannedMinutes += planned;
    totals.actualMinutes += actual;
    totals.ingredients += s.cost.ingredients;
    totals.work += s.cost.work;
  }
  if (totals.plannedQuantity) {
    totals.yieldPercent = percent(totals.outputQuantity, totals.plannedQuantity);
  }
  return { from, to, orders: rows, workCentres: centreRows(minutes, centres), totals };
}
