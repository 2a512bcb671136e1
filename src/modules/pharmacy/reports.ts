/**
 * Reports for the pharmacy and finance: stock on hand with its value at batch cost, and
 * consumption (units dispensed, less returns) per medication over a period; as JSON, CSV or XLSX.
 */
import { stringify } from "csv-stringify/sync";
import writeXlsxFile from "write-excel-file/node";
import { and, eq, gt, gte, inArray, lt, sql } from "drizzle-orm";
import {
  medications,
  stockBalances,
  stockBatches,
  stockMovements,
} from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { addDays, startOfLocalDay } from "../../lib/time.ts";
import { clinicToday } from "../patients/mod.ts";
import { orgSettings } from "../organizations/mod.ts";
import { currencyOf } from "./service.ts";

export type ReportRow = Record<string, string | number | null>;

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
  const currency = await currencyOf(db, a.orgId);
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

export function asCsv(rows: ReportRow[]): string {
  if (!rows.length) return "";
  return stringify(rows, { header: true, columns: Object.keys(rows[0]) });
}

export async function asXlsx(rows: ReportRow[], sheet: string): Promise<Uint8Array> {
  const keys = rows.length ? Object.keys(rows[0]) : ["(no rows)"];
  const data = [
    keys.map((k) => ({ value: k, fontWeight: "bold" })),
    ...rows.map((r) => keys.map((k) => ({ value: r[k] ?? null }))),
  ];
  const buffer = await writeXlsxFile(data as never, { sheet } as never).toBuffer();
  return new Uint8Array(buffer);
}
