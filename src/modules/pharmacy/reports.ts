/**
 * Reports for the pharmacy and finance: stock on hand with its value at batch cost, consumption
 * (units dispensed, less returns) per medication over a period, the ledger's movements by
 * medication and type over a period, and expiry losses; as JSON, CSV or XLSX.
 */
import { and, eq, gt, gte, inArray, lt, lte, sql } from "drizzle-orm";
import {
  medications,
  stockBalances,
  stockBatches,
  stockMovements,
} from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { addDays, startOfLocalDay } from "../../lib/time.ts";
import { clinicToday } from "../patients/mod.ts";
import { orgCurrency, orgSettings } from "../organizations/mod.ts";
import type { MovementType } from "./ledger.ts";

export async function valuation(deps: Deps, a: Actor, q: { storeId?: string }) {
  const db = deps.db.db;
  const rows = await db.select({
    medicationId: medications.id,
    medication: medications.name,
    genericName: medications.genericName,
    unit: medications.unit,
    onHand: sql<number>`sum(${stockBalances.quantity})`,
    value: sql<number>`sum(${stockBalances.quantity} * ${stockBatches.unitCost})`,
    batches: sql<number>`count(*)`,
    earliestExpiry: sql<string>`min(${stockBatches.expiryDate})`,
  }).from(stockBalances)
    .innerJoin(stockBatches, eq(stockBatches.id, stockBalances.batchId))
    .innerJoin(medications, eq(medications.id, stockBalances.medicationId))
    .where(and(
      eq(stockBalances.orgId, a.orgId),
      gt(stockBalances.quantity, 0),
      ...(q.storeId ? [eq(stockBalances.storeId, q.storeId)] : []),
    ))
    .groupBy(medications.id).orderBy(medications.name);
  const currency = await orgCurrency(db, a.orgId);
  return rows.map((r) => ({
    ...r,
    onHand: Number(r.onHand),
    value: Number(r.value),
    batches: Number(r.batches),
    currency,
  }));
}

/** Units dispensed less units returned, per medication, over clinic-local days [from, to]. */
export async function consumption(deps: Deps, a: Actor, q: { from?: string; to?: string }) {
  const db = deps.db.db;
  const { timezone } = await orgSettings(db, a.orgId);
  const to = q.to ?? await clinicToday(deps, db, a.orgId);
  const from = q.from ?? addDays(to, -29);
  const rows = await db.select({
    medicationId: medications.id,
    medication: medications.name,
    genericName: medications.genericName,
    unit: medications.unit,
    dispensed: sql<
      number
    >`-sum(CASE WHEN ${stockMovements.type} = 'dispense' THEN ${stockMovements.quantity} ELSE 0 END)`,
    returned: sql<
      number
    >`sum(CASE WHEN ${stockMovements.type} = 'return' THEN ${stockMovements.quantity} ELSE 0 END)`,
  }).from(stockMovements).innerJoin(medications, eq(medications.id, stockMovements.medicationId))
    .where(and(
      eq(stockMovements.orgId, a.orgId),
      inArray(stockMovements.type, ["dispense", "return"]),
      gte(stockMovements.at, startOfLocalDay(from, timezone)),
      lt(stockMovements.at, startOfLocalDay(addDays(to, 1), timezone)),
    ))
    .groupBy(medications.id).orderBy(medications.name);
  return {
    from,
    to,
    rows: rows.map((r) => {
      const dispensed = Number(r.dispensed), returned = Number(r.returned);
      return { ...r, dispensed, returned, consumed: dispensed - returned };
    }),
  };
}

/** Clinic-local days [from, to] (default the last 30) as the instants that bound them. */
async function period(deps: Deps, a: Actor, q: { from?: string; to?: string }) {
  const db = deps.db.db;
  const { timezone } = await orgSettings(db, a.orgId);
  const to = q.to ?? await clinicToday(deps, db, a.orgId);
  const from = q.from ?? addDays(to, -29);
  const start = startOfLocalDay(from, timezone);
  const end = startOfLocalDay(addDays(to, 1), timezone);
  return { from, to, start, end };
}

/** The ledger's movements per medication and type over clinic-local days, valued at batch cost. */
export async function movementReport(
  deps: Deps,
  a: Actor,
  q: { from?: string; to?: string; type?: MovementType; storeId?: string },
) {
  const db = deps.db.db;
  const p = await period(deps, a, q);
  const rows = await db.select({
    medicationId: medications.id,
    medication: medications.name,
    genericName: medications.genericName,
    unit: medications.unit,
    type: stockMovements.type,
    movements: sql<number>`count(*)`,
    unitsIn: sql<number>`sum(max(${stockMovements.quantity}, 0))`,
    unitsOut: sql<number>`-sum(min(${stockMovements.quantity}, 0))`,
    quantity: sql<number>`sum(${stockMovements.quantity})`,
    value: sql<number>`sum(${stockMovements.quantity} * ${stockBatches.unitCost})`,
  }).from(stockMovements)
    .innerJoin(medications, eq(medications.id, stockMovements.medicationId))
    .innerJoin(stockBatches, eq(stockBatches.id, stockMovements.batchId))
    .where(and(
      eq(stockMovements.orgId, a.orgId),
      gte(stockMovements.at, p.start),
      lt(stockMovements.at, p.end),
      ...(q.type ? [eq(stockMovements.type, q.type)] : []),
      ...(q.storeId ? [eq(stockMovements.storeId, q.storeId)] : []),
    ))
    .groupBy(medications.id, stockMovements.type).orderBy(medications.name, stockMovements.type);
  const currency = await orgCurrency(db, a.orgId);
  return {
    from: p.from,
    to: p.to,
    rows: rows.map((r) => ({
      ...r,
      movements: Number(r.movements),
      unitsIn: Number(r.unitsIn),
      unitsOut: Number(r.unitsOut),
      quantity: Number(r.quantity),
      value: Number(r.value),
      currency,
    })),
  };
}

/**
 * What expiry and damage cost over clinic-local days, per medication at batch cost: units
 * written off as expired or damaged in the period, and batches whose expiry date fell in the
 * period (and has passed) with stock still on hand, which are losses not yet written off.
 */
export async function expiryLosses(
  deps: Deps,
  a: Actor,
  q: { from?: string; to?: string; storeId?: string },
) {
  const db = deps.db.db;
  const p = await period(deps, a, q);
  const today = await clinicToday(deps, db, a.orgId);
  const store = (column: typeof stockMovements.storeId | typeof stockBalances.storeId) =>
    q.storeId ? [eq(column, q.storeId)] : [];
  const units = (type: string) =>
    sql<
      number
    >`-sum(CASE WHEN ${stockMovements.type} = ${type} THEN ${stockMovements.quantity} ELSE 0 END)`;
  const value = (type: string) =>
    sql<number>`-sum(CASE WHEN ${stockMovements.type} = ${type}
      THEN ${stockMovements.quantity} * ${stockBatches.unitCost} ELSE 0 END)`;
  const writtenOff = await db.select({
    medicationId: stockMovements.medicationId,
    expired: units("expire"),
    expiredValue: value("expire"),
    damaged: units("damage"),
    damagedValue: value("damage"),
  }).from(stockMovements).innerJoin(stockBatches, eq(stockBatches.id, stockMovements.batchId))
    .where(and(
      eq(stockMovements.orgId, a.orgId),
      inArray(stockMovements.type, ["expire", "damage"]),
      gte(stockMovements.at, p.start),
      lt(stockMovements.at, p.end),
      ...store(stockMovements.storeId),
    )).groupBy(stockMovements.medicationId);
  const lastExpired = today <= p.to ? addDays(today, -1) : p.to;
  const onShelf = await db.select({
    medicationId: stockBalances.medicationId,
    units: sql<number>`sum(${stockBalances.quantity})`,
    value: sql<number>`sum(${stockBalances.quantity} * ${stockBatches.unitCost})`,
    batches: sql<string>`group_concat(${stockBatches.batchNumber}, ' ')`,
  }).from(stockBalances).innerJoin(stockBatches, eq(stockBatches.id, stockBalances.batchId))
    .where(and(
      eq(stockBalances.orgId, a.orgId),
      gt(stockBalances.quantity, 0),
      gte(stockBatches.expiryDate, p.from),
      lte(stockBatches.expiryDate, lastExpired),
      ...store(stockBalances.storeId),
    )).groupBy(stockBalances.medicationId);
  const ids = [...new Set([...writtenOff, ...onShelf].map((r) => r.medicationId))];
  const meds = ids.length
    ? await db.select().from(medications).where(inArray(medications.id, ids))
    : [];
  const currency = await orgCurrency(db, a.orgId);
  const rows = meds.map((m) => {
    const w = writtenOff.find((r) => r.medicationId === m.id);
    const s = onShelf.find((r) => r.medicationId === m.id);
    const row = {
      medicationId: m.id,
      medication: m.name,
      genericName: m.genericName,
      unit: m.unit,
      expired: Number(w?.expired ?? 0),
      expiredValue: Number(w?.expiredValue ?? 0),
      damaged: Number(w?.damaged ?? 0),
      damagedValue: Number(w?.damagedValue ?? 0),
      expiredOnHand: Number(s?.units ?? 0),
      expiredOnHandValue: Number(s?.value ?? 0),
      expiredOnHandBatches: s?.batches ?? null,
    };
    return {
      ...row,
      totalValue: row.expiredValue + row.damagedValue + row.expiredOnHandValue,
      currency,
    };
  }).sort((x, y) => x.medication.localeCompare(y.medication));
  return { from: p.from, to: p.to, rows };
}
