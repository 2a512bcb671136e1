/**
 * Credit notes: the only change to an issued invoice. A note lowers the invoice's `total`, and
 * the insurer's share in the same proportion; the invoice shows the sum of its notes as
 * `credited`, so subtotal − discount − credited = total stays readable on paper. Numbered
 * CN-YYYY-NNNNN per organisation (with the site code at a replica).
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { nextSequence } from "../../../db/changes.ts";
import { creditNotes, invoices } from "../../../db/schema/mod.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, type FieldError, unprocessable } from "../../lib/errors.ts";
import { numberingSite } from "../../lib/site.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { clinicToday } from "../patients/mod.ts";
import { linesOf } from "./invoice-lines.ts";
import { divideHalfUp } from "./money.ts";
import { readInvoiceRow } from "./invoices.ts";

type CreditRow = typeof creditNotes.$inferSelect;

export const toCreditNote = (n: CreditRow, currency: string) => ({
  id: n.id,
  number: n.number,
  invoiceId: n.invoiceId,
  patientId: n.patientId,
  amount: n.amount,
  currency,
  reason: n.reason,
  lines: n.lines as { lineId?: string; description: string; amount: number }[],
  version: n.version,
  createdAt: n.createdAt,
});

const CREDITABLE = ["issued", "partially_paid", "paid"];

export async function createCreditNote(
  deps: Deps,
  a: Actor,
  invoiceId: string,
  input: {
    amount?: number;
    reason: string;
    lines?: { lineId?: string; description: string; amount: number }[];
  },
) {
  const site = numberingSite(deps);
  return await deps.db.transaction(async (tx) => {
    const inv = await readInvoiceRow(tx, a.orgId, invoiceId);
    if (!CREDITABLE.includes(inv.status)) {
      throw conflict(
        `A credit note corrects an issued invoice; ${inv.number} is ${inv.status}.`,
        { state: inv.status },
      );
    }
    const problems: FieldError[] = [];
    const lines = input.lines ?? [];
    const invoiceLines = await linesOf(tx, inv.id);
    for (const [i, l] of lines.entries()) {
      const line = l.lineId ? invoiceLines.find((x) => x.id === l.lineId) : undefined;
      if (l.lineId && !line) {
        problems.push({ path: `lines.${i}.lineId`, in: "body", message: "not on this invoice" });
      } else if (line && l.amount > line.amount) {
        problems.push({ path: `lines.${i}.amount`, in: "body", message: `at most ${line.amount}` });
      }
    }
    const sum = lines.reduce((s, l) => s + l.amount, 0);
    const amount = input.amount ?? sum;
    if (lines.length && input.amount !== undefined && input.amount !== sum) {
      problems.push({ path: "amount", in: "body", message: `is not the lines' sum ${sum}` });
    }
    if (amount <= 0) {
      problems.push({ path: "amount", in: "body", message: "give an amount or lines" });
    } else if (amount > inv.total) {
      problems.push({
        path: "amount",
        in: "body",
        message: `at most ${inv.total}: an invoice is never credited below zero`,
      });
    }
    if (problems.length) throw unprocessable("The credit note does not fit the invoice.", problems);
    const year = (await clinicToday(deps, tx, a.orgId)).slice(0, 4);
    const n = await nextSequence(tx, a.orgId, site ? `cn:${site}:${year}` : `cn:${year}`);
    const note = await insertTracked(tx, creditNotes, {
      ...stamp(a.orgId, a.userId, deps.clock.now().toISOString()),
      number: `CN-${site ? `${site}-` : ""}${year}-${String(n).padStart(5, "0")}`,
      invoiceId: inv.id,
      patientId: inv.patientId,
      amount,
      reason: input.reason,
      lines: lines.length ? lines.map((l) => ({ ...l })) : [{ description: input.reason, amount }],
    });
    await deps.audit.record(tx, a, {
      action: "credit-note.create",
      entityType: "credit-note",
      entityId: note.id,
      patientId: inv.patientId ?? undefined,
    });
    await auditedUpdate(deps, tx, a, {
      table: invoices,
      label: "Invoice",
      id: inv.id,
      expectedVersion: undefined,
      action: "invoice.credit",
      entityType: "invoice",
      patientId: inv.patientId ?? undefined,
      fields: ["total", "covered", "status"],
      set: (before) => {
        const total = before.total - amount;
        const status = before.paid >= total
          ? "paid"
          : before.paid > 0
          ? "partially_paid"
          : "issued";
        // The insurer's share falls in proportion: a credit is shared as the invoice was.
        const cut = before.total > 0 ? divideHalfUp(amount * before.covered, before.total) : 0;
        const covered = Math.max(0, Math.min(before.covered - cut, total));
        return Promise.resolve({ total, covered, status });
      },
    });
    return toCreditNote(note, inv.currency);
  });
}

export async function creditNotesOf(db: Db, invoiceId: string) {
  return await db.select().from(creditNotes)
    .where(and(eq(creditNotes.invoiceId, invoiceId), isNull(creditNotes.deletedAt)))
    .orderBy(asc(creditNotes.createdAt));
}
