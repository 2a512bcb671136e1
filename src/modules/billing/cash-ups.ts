/**
 * The daily close of one cashier at one facility (or all of theirs) for one clinic-local day:
 * expected by method (payments net of refunds and reversals; cash less the day's expenses),
 * counted cash, variance = counted − expected cash. The close is written in a write
 * transaction and every payment checks for it in its own (cash-desk.ts), so a payment racing
 * the close is either counted in it or refused, never lost between. A variance beyond
 * BILLING_CASHUP_VARIANCE_THRESHOLD waits for an ADMIN's sign-off.
 */
import type { z } from "@hono/zod-openapi";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { cashUps, expenses, facilities, memberships, payments } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, type FieldError, notFound, unprocessable } from "../../lib/errors.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { deskNow } from "./cash-desk.ts";
import { type CashUpInput, type CashUpQuery, CLOSE_METHODS } from "./schemas-cash.ts";
import { orgCurrency } from "../organizations/mod.ts";

type CashUpRow = typeof cashUps.$inferSelect;

export const toCashUp = (r: CashUpRow) => ({
  id: r.id,
  facilityId: r.facilityId,
  cashierId: r.cashierId,
  date: r.localDate,
  expected: {
    cash: r.expected.cash ?? 0,
    card: r.expected.card ?? 0,
    mobile_money: r.expected.mobile_money ?? 0,
    bank: r.expected.bank ?? 0,
    insurance: r.expected.insurance ?? 0,
  },
  expenses: r.expenses,
  counted: { cash: r.countedCash },
  variance: r.variance,
  currency: r.currency,
  status: r.status as "closed" | "awaiting_signoff" | "signed_off",
  signedOffBy: r.signedOffBy,
  signedOffAt: r.signedOffAt,
  signOffNote: r.signOffNote,
  closedAt: r.closedAt,
  version: r.version,
  createdAt: r.createdAt,
});

/** What the cashier's payments and expenses of the day come to, by method. */
export async function expectedFor(
  db: Db,
  orgId: string,
  cashierId: string,
  date: string,
  facilityId: string | null,
) {
  const scope = <T extends typeof payments | typeof expenses>(t: T) =>
    and(
      eq(t.orgId, orgId),
      eq(t.cashierId, cashierId),
      eq(t.localDate, date),
      isNull(t.deletedAt),
      facilityId ? eq(t.facilityId, facilityId) : undefined,
    );
  const byMethod = await db.select({
    method: payments.method,
    sum: sql<number>`sum(${payments.amount})`,
  }).from(payments).where(scope(payments)).groupBy(payments.method);
  const [spent] = await db.select({ sum: sql<number>`coalesce(sum(${expenses.amount}), 0)` })
    .from(expenses).where(scope(expenses));
  const expected = Object.fromEntries(CLOSE_METHODS.map((m) => [m, 0])) as Record<
    typeof CLOSE_METHODS[number],
    number
  >;
  for (const r of byMethod) {
    if (r.method in expected) expected[r.method as keyof typeof expected] = Number(r.sum);
  }
  const outflow = Number(spent.sum);
  expected.cash -= outflow;
  return { expected, expenses: outflow };
}

export async function closeDay(deps: Deps, a: Actor, input: z.infer<typeof CashUpInput>) {
  const cashierId = input.cashierId ?? a.userId;
  const facilityId = input.facilityId ?? null;
  return await deps.db.transaction(async (tx) => {
    const now = await deskNow(deps, tx, a.orgId);
    const problems: FieldError[] = [];
    if (input.date > now.date) {
      problems.push({ path: "date", in: "body", message: `is after today (${now.date})` });
    }
    if (facilityId && !(await findInTenant(tx, facilities, a.orgId, facilityId))) {
      problems.push({ path: "facilityId", in: "body", message: "is not a facility here" });
    }
    const [member] = await tx.select({ id: memberships.id }).from(memberships).where(and(
      eq(memberships.orgId, a.orgId),
      eq(memberships.userId, cashierId),
      isNull(memberships.deletedAt),
    )).limit(1);
    if (!member) {
      problems.push({ path: "cashierId", in: "body", message: "is not staff here" });
    }
    if (problems.length) throw unprocessable("The close names a day or people not here.", problems);
    // A close of all facilities and one of a single facility would count the same payments.
    const [overlap] = await tx.select({ id: cashUps.id }).from(cashUps).where(and(
      eq(cashUps.orgId, a.orgId),
      eq(cashUps.cashierId, cashierId),
      eq(cashUps.localDate, input.date),
      isNull(cashUps.deletedAt),
      facilityId
        ? sql`(${cashUps.facilityId} IS NULL OR ${cashUps.facilityId} = ${facilityId})`
        : undefined,
    )).limit(1);
    if (overlap) {
      throw conflict(`${input.date} is already closed for this cashier.`, { cashUpId: overlap.id });
    }
    const { expected, expenses: spent } = await expectedFor(
      tx,
      a.orgId,
      cashierId,
      input.date,
      facilityId,
    );
    const variance = input.counted.cash - expected.cash;
    const row = await insertTracked(tx, cashUps, {
      ...stamp(a.orgId, a.userId, now.at),
      facilityId,
      cashierId,
      localDate: input.date,
      expected,
      countedCash: input.counted.cash,
      expenses: spent,
      variance,
      currency: await orgCurrency(tx, a.orgId),
      status: Math.abs(variance) > deps.config.billing.cashUpVarianceThreshold
        ? "awaiting_signoff"
        : "closed",
      closedAt: now.at,
    });
    await deps.audit.record(tx, a, {
      action: "cash-up.close",
      entityType: "cash-up",
      entityId: row.id,
    });
    return toCashUp(row);
  });
}

export async function signOff(deps: Deps, a: Actor, id: string, note: string) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) =>
    toCashUp(
      await auditedUpdate(deps, tx, a, {
        table: cashUps,
        label: "Cash-up",
        id,
        expectedVersion: undefined,
        action: "cash-up.sign-off",
        entityType: "cash-up",
        fields: ["status"],
        check: (before) => {
          if (before.status !== "awaiting_signoff") {
            throw conflict(`A ${before.status.replace("_", " ")} close needs no sign-off.`, {
              cashUpStatus: before.status,
            });
          }
        },
        set: { status: "signed_off", signedOffBy: a.userId, signedOffAt: at, signOffNote: note },
      }),
    )
  );
}

export async function readCashUp(deps: Deps, a: Actor, id: string) {
  const row = await findInTenant(deps.db.db, cashUps, a.orgId, id);
  if (!row) throw notFound("Cash-up");
  return toCashUp(row);
}

export async function listCashUps(deps: Deps, a: Actor, q: z.infer<typeof CashUpQuery>) {
  const rows = await deps.db.db.select().from(cashUps).where(and(
    eq(cashUps.orgId, a.orgId),
    isNull(cashUps.deletedAt),
    q.date ? eq(cashUps.localDate, q.date) : undefined,
    q.cashierId ? eq(cashUps.cashierId, q.cashierId) : undefined,
    q.status ? eq(cashUps.status, q.status) : undefined,
  )).orderBy(desc(cashUps.localDate), desc(cashUps.closedAt)).limit(q.limit);
  return { data: rows.map(toCashUp) };
}
