/**
 * Petty cash paid out of the till (cleaning, transport, small purchases), by category with the
 * shop's receipt. It counts in the cashier's close of its clinic-local day (expected cash =
 * cash payments − cash expenses), so one on a day already closed is refused like a payment.
 */
import type { z } from "@hono/zod-openapi";
import { and, desc, eq, isNull } from "drizzle-orm";
import { expenses } from "../../../db/schema/mod.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict } from "../../lib/errors.ts";
import { closeCovering, deskNow } from "./cash-desk.ts";
import type { ExpenseInput, ExpenseQuery } from "./schemas-cash.ts";
import { orgCurrency } from "../organizations/mod.ts";

type ExpenseRow = typeof expenses.$inferSelect;

export const toExpense = (r: ExpenseRow) => ({
  id: r.id,
  facilityId: r.facilityId,
  cashierId: r.cashierId,
  date: r.localDate,
  category: r.category,
  amount: r.amount,
  currency: r.currency,
  description: r.description,
  receiptReference: r.receiptReference,
  at: r.at,
  version: r.version,
  createdAt: r.createdAt,
});

export async function recordExpense(deps: Deps, a: Actor, input: z.infer<typeof ExpenseInput>) {
  return await deps.db.transaction(async (tx) => {
    const now = await deskNow(deps, tx, a.orgId);
    if (await closeCovering(tx, a.orgId, a.userId, now.date, a.facilityId)) {
      throw conflict(`The day is closed: ${now.date} has been cashed up for this cashier.`, {
        date: now.date,
      });
    }
    const row = await insertTracked(tx, expenses, {
      ...stamp(a.orgId, a.userId, now.at),
      facilityId: a.facilityId,
      cashierId: a.userId,
      localDate: now.date,
      category: input.category.toLowerCase(),
      amount: input.amount,
      currency: await orgCurrency(tx, a.orgId),
      description: input.description,
      receiptReference: input.receiptReference ?? null,
      at: now.at,
    });
    await deps.audit.record(tx, a, {
      action: "expense.create",
      entityType: "expense",
      entityId: row.id,
    });
    return toExpense(row);
  });
}

export async function listExpenses(deps: Deps, a: Actor, q: z.infer<typeof ExpenseQuery>) {
  const rows = await deps.db.db.select().from(expenses).where(and(
    eq(expenses.orgId, a.orgId),
    isNull(expenses.deletedAt),
    q.date ? eq(expenses.localDate, q.date) : undefined,
    q.cashierId ? eq(expenses.cashierId, q.cashierId) : undefined,
  )).orderBy(desc(expenses.at)).limit(q.limit);
  return { data: rows.map(toExpense) };
}
