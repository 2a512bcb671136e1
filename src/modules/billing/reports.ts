/**
 * Billing reports over clinic-local days, as JSON, CSV or XLSX:
 * - revenue (payments received net of refunds and reversals; credit moved is not revenue) by
 *   day, by payer (the method, insurers by name), by service (the kind of the invoice's lines)
 *   and by practitioner. A payment is shared over its invoice's lines in proportion to their
 *   amounts (half up), since a cashier takes money for an invoice, not for a line;
 * - ageing of what is outstanding (issued and partially paid invoices) by days since issue:
 *   0–30, 31–60, 61–90, 90+;
 * - the history of daily closes.
 */
import { and, asc, eq, gte, inArray, isNull, lte, sql } from "drizzle-orm";
import {
  cashUps,
  invoiceLines,
  invoices,
  payments,
  priceItems,
  users,
} from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { addDays } from "../../lib/time.ts";
import { deskNow } from "./cash-desk.ts";
import { divideHalfUp } from "./money.ts";
import type { ReportRow } from "../../lib/report-files.ts";
import { CLOSE_METHODS } from "./schemas-cash.ts";
import { orgCurrency } from "../organizations/mod.ts";

export type RevenueBy = "day" | "payer" | "service" | "practitioner";

async function period(deps: Deps, a: Actor, q: { from?: string; to?: string }) {
  const { date } = await deskNow(deps, deps.db.db, a.orgId);
  const to = q.to ?? date;
  return { from: q.from ?? addDays(to, -29), to };
}

export async function revenueReport(
  deps: Deps,
  a: Actor,
  q: { by: RevenueBy; from?: string; to?: string },
) {
  const db = deps.db.db;
  const p = await period(deps, a, q);
  const currency = await orgCurrency(db, a.orgId);
  const inPeriod = and(
    eq(payments.orgId, a.orgId),
    gte(payments.localDate, p.from),
    lte(payments.localDate, p.to),
    inArray(payments.method, [...CLOSE_METHODS]),
  );
  const sums = new Map<string, number>();
  const add = (key: string, v: number) => sums.set(key, (sums.get(key) ?? 0) + v);
  if (q.by === "day" || q.by === "payer") {
    const key = q.by === "day" ? payments.localDate : sql<
      string
    >`CASE WHEN ${payments.method} = 'insurance' THEN 'insurance: ' || coalesce(${payments.provider}, '?') ELSE ${payments.method} END`;
    const rows = await db.select({
      key,
      sum: sql<number>`sum(${payments.amount} - ${payments.toCredit})`,
    }).from(payments).where(inPeriod).groupBy(key).orderBy(key);
    for (const r of rows) add(String(r.key), Number(r.sum));
  } else {
    const rows = await db.select({
      amount: sql<number>`${payments.amount} - ${payments.toCredit}`,
      lineAmount: invoiceLines.amount,
      subtotal: invoices.subtotal,
      kind: sql<string>`coalesce(${priceItems.kind}, ${invoiceLines.sourceType})`,
      practitioner: users.fullName,
    }).from(payments)
      .innerJoin(invoices, eq(invoices.id, payments.invoiceId))
      .innerJoin(invoiceLines, eq(invoiceLines.invoiceId, invoices.id))
      .leftJoin(priceItems, eq(priceItems.id, invoiceLines.priceItemId))
      .leftJoin(users, eq(users.id, invoiceLines.practitionerId))
      .where(and(inPeriod, isNull(invoiceLines.deletedAt)));
    for (const r of rows) {
      if (!r.subtotal) continue;
      const share = divideHalfUp(Number(r.amount) * r.lineAmount, r.subtotal);
      add(q.by === "service" ? r.kind : r.practitioner ?? "(none)", share);
    }
  }
  const rows: ReportRow[] = [...sums].map(([key, amount]) => ({ [q.by]: key, amount, currency }));
  return { kind: `revenue_by_${q.by}`, from: p.from, to: p.to, rows };
}

const BUCKETS = [
  { name: "0-30", upTo: 30 },
  { name: "31-60", upTo: 60 },
  { name: "61-90", upTo: 90 },
  { name: "90+", upTo: Infinity },
];

export async function ageingReport(deps: Deps, a: Actor) {
  const db = deps.db.db;
  const { date } = await deskNow(deps, db, a.orgId);
  const rows = await db.select({
    issuedOn: invoices.issuedOn,
    invoices: sql<number>`count(*)`,
    owed: sql<number>`sum(${invoices.total} - ${invoices.paid})`,
  }).from(invoices).where(and(
    eq(invoices.orgId, a.orgId),
    inArray(invoices.status, ["issued", "partially_paid"]),
    isNull(invoices.deletedAt),
  )).groupBy(invoices.issuedOn);
  const currency = await orgCurrency(db, a.orgId);
  const out = BUCKETS.map((b) => ({ bucket: b.name, invoices: 0, outstanding: 0, currency }));
  for (const r of rows) {
    const age = r.issuedOn
      ? Math.round((Date.parse(date) - Date.parse(r.issuedOn)) / 86_400_000)
      : 0;
    const i = BUCKETS.findIndex((b) => age <= b.upTo);
    out[i].invoices += Number(r.invoices);
    out[i].outstanding += Number(r.owed);
  }
  return { kind: "ageing", from: null, to: date, rows: out as ReportRow[] };
}

export async function cashUpHistory(deps: Deps, a: Actor, q: { from?: string; to?: string }) {
  const db = deps.db.db;
  const p = await period(deps, a, q);
  const rows = await db.select({ c: cashUps, cashier: users.fullName }).from(cashUps)
    .leftJoin(users, eq(users.id, cashUps.cashierId))
    .where(and(
      eq(cashUps.orgId, a.orgId),
      gte(cashUps.localDate, p.from),
      lte(cashUps.localDate, p.to),
      isNull(cashUps.deletedAt),
    )).orderBy(asc(cashUps.localDate), asc(cashUps.closedAt));
  return {
    kind: "cash_ups",
    from: p.from,
    to: p.to,
    rows: rows.map(({ c, cashier }) => ({
      date: c.localDate,
      cashier,
      facilityId: c.facilityId,
      ...Object.fromEntries(CLOSE_METHODS.map((m) => [`expected_${m}`, c.expected[m] ?? 0])),
      expenses: c.expenses,
      countedCash: c.countedCash,
      variance: c.variance,
      status: c.status,
      currency: c.currency,
    })) as ReportRow[],
  };
}
