/**
 * Insurance claims: the insurer's share (`coveredAmount`) of the lines of issued invoices split
 * by one provider, per period (invoices issued in it) or per encounter, each line claimed once.
 * draft → submitted → approved | partially_approved | rejected → paid.
 *
 * A decision below what was claimed makes the difference the patient's to pay: the invoice's
 * `covered` goes down by it in the decision's transaction (its total and balance do not change;
 * `patientDue` grows). Payment writes insurance payments onto the invoices for the approved
 * amounts (their `paid` goes up); what an invoice no longer owes becomes the patient's credit.
 */
import type { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, gte, inArray, isNull, lte, notInArray, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { nextSequence } from "../../../db/changes.ts";
import {
  insuranceClaimLines,
  insuranceClaims,
  invoiceLines,
  invoices,
  patients,
} from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp, updateInTenant } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound, unprocessable } from "../../lib/errors.ts";
import { numberingSite } from "../../lib/site.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { deskNow, writePayment } from "./cash-desk.ts";
import type { ClaimInput, DecideInput } from "./schemas-claims.ts";
import { orgCurrency } from "../organizations/mod.ts";

type ClaimRow = typeof insuranceClaims.$inferSelect;
type ClaimLineRow = typeof insuranceClaimLines.$inferSelect;

export const toClaim = (c: ClaimRow, lines: ClaimLineRow[]) => ({
  id: c.id,
  number: c.number,
  provider: c.provider,
  scheme: c.scheme,
  periodFrom: c.periodFrom,
  periodTo: c.periodTo,
  encounterId: c.encounterId,
  status: c.status as
    | "draft"
    | "submitted"
    | "approved"
    | "partially_approved"
    | "rejected"
    | "paid",
  claimed: c.claimed,
  approved: c.approved,
  paidAmount: c.paidAmount,
  currency: c.currency,
  submittedAt: c.submittedAt,
  decidedAt: c.decidedAt,
  paidAt: c.paidAt,
  lines: lines.map((l) => ({
    id: l.id,
    invoiceId: l.invoiceId,
    invoiceLineId: l.invoiceLineId,
    patientId: l.patientId,
    memberNumber: l.memberNumber,
    claimed: l.claimed,
    approved: l.approved,
  })),
  version: c.version,
  createdAt: c.createdAt,
});

const linesOf = (db: Db, claimId: string) =>
  db.select().from(insuranceClaimLines).where(and(
    eq(insuranceClaimLines.claimId, claimId),
    isNull(insuranceClaimLines.deletedAt),
  )).orderBy(asc(insuranceClaimLines.createdAt), asc(insuranceClaimLines.id));

export async function createClaim(deps: Deps, a: Actor, input: z.infer<typeof ClaimInput>) {
  const site = numberingSite(deps);
  return await deps.db.transaction(async (tx) => {
    const now = await deskNow(deps, tx, a.orgId);
    const byPeriod = "periodFrom" in input;
    const claimedLines = tx.select({ id: insuranceClaimLines.invoiceLineId })
      .from(insuranceClaimLines).where(and(
        eq(insuranceClaimLines.orgId, a.orgId),
        isNull(insuranceClaimLines.deletedAt),
        sql`${insuranceClaimLines.invoiceLineId} IS NOT NULL`,
      ));
    const found = await tx.select({
      line: invoiceLines,
      invoice: invoices,
    }).from(invoiceLines).innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId)).where(and(
      eq(invoices.orgId, a.orgId),
      isNull(invoices.deletedAt),
      isNull(invoiceLines.deletedAt),
      inArray(invoices.status, ["issued", "partially_paid", "paid"]),
      sql`json_extract(${invoices.insurance}, '$.provider') = ${input.provider}`,
      sql`${invoiceLines.coveredAmount} <> 0`,
      notInArray(invoiceLines.id, claimedLines as never),
      ...(byPeriod
        ? [gte(invoices.issuedOn, input.periodFrom), lte(invoices.issuedOn, input.periodTo)]
        : [eq(invoices.encounterId, input.encounterId)]),
    )).orderBy(asc(invoices.issuedOn), asc(invoices.number), asc(invoiceLines.createdAt));
    const claimed = found.reduce((s, f) => s + f.line.coveredAmount, 0);
    if (!found.length || claimed <= 0) {
      throw unprocessable(`Nothing of ${input.provider}'s is left to claim there.`, [
        {
          path: byPeriod ? "periodFrom" : "encounterId",
          in: "body",
          message: "no unclaimed covered amounts",
        },
      ]);
    }
    const year = now.date.slice(0, 4);
    const n = await nextSequence(tx, a.orgId, site ? `clm:${site}:${year}` : `clm:${year}`);
    const first = found[0].invoice.insurance as Record<string, unknown> | null;
    const claim = await insertTracked(tx, insuranceClaims, {
      ...stamp(a.orgId, a.userId, now.at),
      number: `CLM-${site ? `${site}-` : ""}${year}-${String(n).padStart(5, "0")}`,
      provider: input.provider,
      scheme: (first?.scheme as string | undefined) ?? null,
      periodFrom: byPeriod ? input.periodFrom : null,
      periodTo: byPeriod ? input.periodTo : null,
      encounterId: byPeriod ? null : input.encounterId,
      status: "draft",
      claimed,
      currency: found[0].invoice.currency || await orgCurrency(tx, a.orgId),
    });
    const lines: ClaimLineRow[] = [];
    for (const f of found) {
      const ins = f.invoice.insurance as Record<string, unknown> | null;
      lines.push(
        await insertTracked(tx, insuranceClaimLines, {
          ...stamp(a.orgId, a.userId, now.at),
          claimId: claim.id,
          invoiceId: f.invoice.id,
          invoiceLineId: f.line.id,
          patientId: f.invoice.patientId,
          memberNumber: (ins?.memberNumber as string | undefined) ?? null,
          claimed: f.line.coveredAmount,
        }),
      );
    }
    await deps.audit.record(tx, a, {
      action: "claim.create",
      entityType: "claim",
      entityId: claim.id,
    });
    return toClaim(claim, lines);
  });
}

export async function readClaim(deps: Deps, a: Actor, id: string) {
  const db = deps.db.db;
  const claim = await findInTenant(db, insuranceClaims, a.orgId, id);
  if (!claim) throw notFound("Claim");
  return toClaim(claim, await linesOf(db, id));
}

export async function listClaims(
  deps: Deps,
  a: Actor,
  q: { provider?: string; status?: string; limit: number },
) {
  const db = deps.db.db;
  const rows = await db.select().from(insuranceClaims).where(and(
    eq(insuranceClaims.orgId, a.orgId),
    isNull(insuranceClaims.deletedAt),
    q.provider ? eq(insuranceClaims.provider, q.provider) : undefined,
    q.status ? eq(insuranceClaims.status, q.status) : undefined,
  )).orderBy(desc(insuranceClaims.createdAt)).limit(q.limit);
  return { data: rows.map((r) => toClaim(r, [])) };
}

function refuseUnless(claim: ClaimRow, from: string[], step: string) {
  if (!from.includes(claim.status)) {
    throw conflict(`A ${claim.status.replace("_", " ")} claim cannot be ${step}.`, {
      claimStatus: claim.status,
    });
  }
}

export async function submitClaim(deps: Deps, a: Actor, id: string) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const row = await auditedUpdate(deps, tx, a, {
      table: insuranceClaims,
      label: "Claim",
      id,
      expectedVersion: undefined,
      action: "claim.submit",
      entityType: "claim",
      fields: ["status"],
      check: (before) => refuseUnless(before, ["draft"], "submitted"),
      set: { status: "submitted", submittedAt: at },
    });
    return toClaim(row, await linesOf(tx, id));
  });
}

/** Approved amounts per line from the decision: all, none, per line, or a total in line order. */
function approvals(lines: ClaimLineRow[], d: z.infer<typeof DecideInput>) {
  if (d.status === "rejected") return lines.map(() => 0);
  if (d.lines) {
    const given = new Map(d.lines.map((l) => [l.lineId, l.approved]));
    return lines.map((l, i) => {
      const v = given.get(l.id) ?? (d.status === "approved" ? l.claimed : 0);
      if (v > Math.max(l.claimed, 0)) {
        throw unprocessable("A line is approved for more than was claimed.", [
          { path: `lines.${i}.approved`, in: "body", message: `at most ${l.claimed}` },
        ]);
      }
      return v;
    });
  }
  const claimed = lines.reduce((s, l) => s + l.claimed, 0);
  let left = d.approved ?? (d.status === "approved" ? claimed : 0);
  if (left > claimed) {
    throw unprocessable("More is approved than was claimed.", [
      { path: "approved", in: "body", message: `at most ${claimed}` },
    ]);
  }
  return lines.map((l) => {
    const v = Math.max(0, Math.min(l.claimed, left));
    left -= v;
    return v;
  });
}

export async function decideClaim(
  deps: Deps,
  a: Actor,
  id: string,
  d: z.infer<typeof DecideInput>,
) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const claim = await findInTenant(tx, insuranceClaims, a.orgId, id);
    if (!claim) throw notFound("Claim");
    refuseUnless(claim, ["submitted"], "decided");
    const lines = await linesOf(tx, id);
    const approved = approvals(lines, d);
    // What the insurer will not pay goes back to the patient: the invoice's covered share drops.
    const shortBy = new Map<string, number>();
    for (const [i, l] of lines.entries()) {
      await updateInTenant(tx, insuranceClaimLines, {
        orgId: a.orgId,
        id: l.id,
        set: { approved: approved[i] },
        actorId: a.userId,
        at,
      });
      shortBy.set(l.invoiceId, (shortBy.get(l.invoiceId) ?? 0) + l.claimed - approved[i]);
    }
    for (const [invoiceId, short] of shortBy) {
      if (short <= 0) continue;
      await auditedUpdate(deps, tx, a, {
        table: invoices,
        label: "Invoice",
        id: invoiceId,
        expectedVersion: undefined,
        action: "invoice.insurance-short",
        entityType: "invoice",
        fields: ["covered"],
        set: (before) => Promise.resolve({ covered: Math.max(0, before.covered - short) }),
      });
    }
    const total = approved.reduce((s, v) => s + v, 0);
    const row = await auditedUpdate(deps, tx, a, {
      table: insuranceClaims,
      label: "Claim",
      id,
      expectedVersion: undefined,
      action: `claim.${d.status}`,
      entityType: "claim",
      fields: ["status", "approved"],
      set: { status: d.status, approved: total, decidedAt: at, notes: d.note ?? claim.notes },
    });
    return toClaim(row, await linesOf(tx, id));
  });
}

/**
 * The insurer's payment: insurance payments onto the claim's invoices for the approved amounts
 * (in line order, up to `amount`), in one transaction.
 */
export async function payClaim(deps: Deps, a: Actor, id: string, amount: number) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const claim = await findInTenant(tx, insuranceClaims, a.orgId, id);
    if (!claim) throw notFound("Claim");
    refuseUnless(claim, ["approved", "partially_approved"], "paid");
    if (amount > (claim.approved ?? 0)) {
      throw unprocessable("More than was approved.", [
        { path: "amount", in: "body", message: `at most ${claim.approved}` },
      ]);
    }
    const perInvoice = new Map<string, number>();
    let left = amount;
    for (const l of await linesOf(tx, id)) {
      const v = Math.max(0, Math.min(l.approved ?? 0, left));
      left -= v;
      if (v) perInvoice.set(l.invoiceId, (perInvoice.get(l.invoiceId) ?? 0) + v);
    }
    for (const [invoiceId, v] of perInvoice) {
      const invoice = (await findInTenant(tx, invoices, a.orgId, invoiceId))!;
      const balance = Math.max(0, invoice.total - invoice.paid);
      await writePayment(deps, tx, a, {
        invoice,
        patientId: invoice.patientId,
        method: "insurance",
        amount: v,
        currency: invoice.currency,
        toCredit: invoice.patientId ? Math.max(0, v - balance) : 0,
        provider: claim.provider,
        reference: claim.number,
        action: "payment.insurance",
      });
    }
    const row = await auditedUpdate(deps, tx, a, {
      table: insuranceClaims,
      label: "Claim",
      id,
      expectedVersion: undefined,
      action: "claim.pay",
      entityType: "claim",
      fields: ["status", "paidAmount"],
      set: { status: "paid", paidAmount: amount, paidAt: at },
    });
    return toClaim(row, await linesOf(tx, id));
  });
}

/** The claim's lines for the insurer's spreadsheet: one row per claimed invoice line. */
export async function claimRows(deps: Deps, a: Actor, id: string) {
  const db = deps.db.db;
  const claim = await findInTenant(db, insuranceClaims, a.orgId, id);
  if (!claim) throw notFound("Claim");
  const rows = await db.select({
    invoice: invoices.number,
    issuedOn: invoices.issuedOn,
    mrn: patients.mrn,
    givenName: patients.givenName,
    familyName: patients.familyName,
    memberNumber: insuranceClaimLines.memberNumber,
    description: invoiceLines.description,
    code: invoiceLines.code,
    lineAmount: invoiceLines.amount,
    claimed: insuranceClaimLines.claimed,
    approved: insuranceClaimLines.approved,
  }).from(insuranceClaimLines)
    .innerJoin(invoices, eq(invoices.id, insuranceClaimLines.invoiceId))
    .leftJoin(invoiceLines, eq(invoiceLines.id, insuranceClaimLines.invoiceLineId))
    .leftJoin(patients, eq(patients.id, insuranceClaimLines.patientId))
    .where(and(eq(insuranceClaimLines.claimId, id), isNull(insuranceClaimLines.deletedAt)))
    .orderBy(asc(invoices.number), asc(insuranceClaimLines.createdAt));
  return {
    claim,
    rows: rows.map((r) => ({
      claim: claim.number,
      provider: claim.provider,
      invoice: r.invoice,
      issuedOn: r.issuedOn,
      mrn: r.mrn,
      patient: r.givenName ? `${r.givenName} ${r.familyName}` : null,
      memberNumber: r.memberNumber,
      code: r.code,
      description: r.description,
      lineAmount: r.lineAmount,
      claimed: r.claimed,
      approved: r.approved,
      currency: claim.currency,
    })),
  };
}
