/**
 * The patient's credit: what they paid beyond a balance (allowCredit), less what they spent of
 * it (payments by `credit`) or what a reversal took back. Entries are append-only; the balance
 * is their sum.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import { patientCredits, patients } from "../../../db/schema/mod.ts";
import { findInTenant } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { unprocessable } from "../../lib/errors.ts";
import { orgCurrency } from "../organizations/mod.ts";

export async function readCredit(deps: Deps, a: Actor, patientId: string) {
  const db = deps.db.db;
  if (!(await findInTenant(db, patients, a.orgId, patientId))) {
    throw unprocessable("No such patient.", [
      { path: "patientId", in: "query", message: "is not a patient here" },
    ]);
  }
  const rows = await db.select().from(patientCredits).where(and(
    eq(patientCredits.orgId, a.orgId),
    eq(patientCredits.patientId, patientId),
    isNull(patientCredits.deletedAt),
  )).orderBy(asc(patientCredits.createdAt), asc(patientCredits.id));
  return {
    patientId,
    balance: rows.reduce((s, r) => s + r.amount, 0),
    currency: rows[0]?.currency ?? await orgCurrency(db, a.orgId),
    entries: rows.map((r) => ({
      id: r.id,
      amount: r.amount,
      paymentId: r.paymentId,
      invoiceId: r.invoiceId,
      reason: r.reason,
      createdAt: r.createdAt,
    })),
  };
}
