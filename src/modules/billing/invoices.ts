/**
 * Invoices: numbered when created (INV-YYYY-NNNNN, INV-K3-YYYY-NNNNN at a replica), so a draft
 * already has the number it will be issued and paid under and every number allocated stays
 * accounted for (a voided draft keeps its number). draft → issued by a person; payments move it
 * on (payments.ts); void with a reason, never with money on it.
 *
 * The patient's primary insurance valid on the day is copied onto the invoice when it is made:
 * later edits of the registry do not re-split an invoice already made.
 */
import { and, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type Db, prepared } from "../../../db/client.ts";
import { nextSequence } from "../../../db/changes.ts";
import {
  creditNotes,
  encounters,
  invoiceLines,
  invoices,
  patients,
  payments,
  priceItems,
} from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, type FieldError, notFound, unprocessable } from "../../lib/errors.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import { numberingSite } from "../../lib/site.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { clinicToday } from "../patients/mod.ts";
import {
  applyDiscount,
  type Discount,
  insertLine,
  type InvoiceRow,
  type LineRow,
  linesOf,
  refreshTotals,
  toLine,
  waiveLine,
} from "./invoice-lines.ts";
import { orgCurrency } from "../organizations/mod.ts";

export type { InvoiceRow, LineRow };

export interface InsuranceSnapshot {
  provider: string;
  memberNumber: string;
  coveragePercent: number;
  scheme: string;
}

/** What the API shows of an invoice; `extra` are sums kept in other tables. */
export function toInvoice(
  row: InvoiceRow,
  lines: LineRow[],
  extra: { insurancePaid?: number; credited?: number } = {},
) {
  const insurancePaid = extra.insurancePaid ?? 0;
  return {
    id: row.id,
    number: row.number,
    kind: row.kind as "encounter" | "cash_sale" | "manual",
    status: row.status as "draft" | "issued" | "partially_paid" | "paid" | "void",
    patientId: row.patientId,
    encounterId: row.encounterId,
    facilityId: row.facilityId,
    currency: row.currency,
    lines: lines.map(toLine),
    subtotal: row.subtotal,
    discount: row.discount,
    discountReason: row.discountReason,
    credited: extra.credited ?? 0,
    total: row.total,
    covered: row.covered,
    paid: row.paid,
    balance: row.total - row.paid,
    patientDue: Math.max(0, row.total - row.covered - (row.paid - insurancePaid)),
    insurance: (row.insurance ?? null) as InsuranceSnapshot | null,
    issuedAt: row.issuedAt,
    issuedOn: row.issuedOn,
    voidedAt: row.voidedAt,
    voidReason: row.voidReason,
    notes: row.notes,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export type InvoiceView = ReturnType<typeof toInvoice>;

/** The invoice row of the organisation, or 404. */
export async function readInvoiceRow(db: Db, orgId: string, id: string) {
  const row = await findInTenant(db, invoices, orgId, id);
  if (!row) throw notFound("Invoice");
  return row;
}

/** The invoice with its lines and the sums other tables hold (insurance paid, credit notes). */
export async function invoiceView(db: Db, row: InvoiceRow): Promise<InvoiceView> {
  const [lines, [ins], [cn]] = await Promise.all([
    linesOf(db, row.id),
    db.select({ n: sql<number>`coalesce(sum(${payments.amount}), 0)` }).from(payments)
      .where(and(eq(payments.invoiceId, row.id), eq(payments.method, "insurance"))),
    db.select({ n: sql<number>`coalesce(sum(${creditNotes.amount}), 0)` }).from(creditNotes)
      .where(and(eq(creditNotes.invoiceId, row.id), isNull(creditNotes.deletedAt))),
  ]);
  return toInvoice(row, lines, { insurancePaid: Number(ins.n), credited: Number(cn.n) });
}

/** The entry that splits a bill: the primary one valid on the day (else the only valid one). */
export function insuranceOn(entries: unknown, day: string): InsuranceSnapshot | null {
  const list = (Array.isArray(entries) ? entries : []) as {
    provider: string;
    memberNumber: string;
    coveragePercent?: number | null;
    scheme?: string;
    validUntil?: string | null;
    primary?: boolean;
  }[];
  const valid = list.filter((e) => !e.validUntil || e.validUntil >= day);
  const chosen = valid.find((e) => e.primary) ??
    (list.some((e) => e.primary) ? undefined : valid.length === 1 ? valid[0] : undefined);
  if (!chosen) return null;
  return {
    provider: chosen.provider,
    memberNumber: chosen.memberNumber,
    coveragePercent: chosen.coveragePercent ?? 0,
    scheme: chosen.scheme ?? "private",
  };
}

/** A new draft invoice, numbered now, with the patient's insurance as it is today. */
export async function newInvoice(
  deps: Deps,
  tx: Db,
  a: Actor,
  spec: {
    kind: "encounter" | "cash_sale" | "manual";
    patientId?: string | null;
    encounterId?: string | null;
    facilityId?: string | null;
    notes?: string | null;
  },
) {
  const site = numberingSite(deps);
  const today = await clinicToday(deps, tx, a.orgId);
  const year = today.slice(0, 4);
  const n = await nextSequence(tx, a.orgId, site ? `inv:${site}:${year}` : `inv:${year}`);
  const patient = spec.patientId
    ? await findInTenant(tx, patients, a.orgId, spec.patientId)
    : undefined;
  const row = await insertTracked(tx, invoices, {
    ...stamp(a.orgId, a.userId, deps.clock.now().toISOString()),
    number: `INV-${site ? `${site}-` : ""}${year}-${String(n).padStart(5, "0")}`,
    kind: spec.kind,
    patientId: spec.patientId ?? null,
    encounterId: spec.encounterId ?? null,
    facilityId: spec.facilityId ?? a.facilityId ?? null,
    status: "draft",
    currency: await orgCurrency(tx, a.orgId),
    insurance: patient
      ? insuranceOn(patient.insurance, today) as Record<string, unknown> | null
      : null,
    notes: spec.notes ?? null,
  });
  await deps.audit.record(tx, a, {
    action: "invoice.create",
    entityType: "invoice",
    entityId: row.id,
    patientId: row.patientId ?? undefined,
  });
  return row;
}

/** The visit's open (draft) invoice, made when there is none. */
export async function draftFor(
  deps: Deps,
  tx: Db,
  a: Actor,
  visit: { encounterId: string; patientId: string | null; facilityId?: string | null },
) {
  const open = await visitDraft.get(tx, { orgId: a.orgId, encounterId: visit.encounterId });
  return open ?? await newInvoice(deps, tx, a, { kind: "encounter", ...visit });
}
// Every charge of a visit asks for its draft: built once.
const visitDraft = prepared<InvoiceRow>(
  new QueryBuilder().select().from(invoices).where(and(
    eq(invoices.orgId, sql.placeholder("orgId")),
    eq(invoices.encounterId, sql.placeholder("encounterId")),
    eq(invoices.status, "draft"),
    isNull(invoices.deletedAt),
  )).orderBy(desc(invoices.createdAt)).limit(1),
);

type LineInput = {
  description: string;
  quantity: number;
  unitAmount?: number;
  code?: string | null;
  priceItemId?: string | null;
};

async function addTypedLines(deps: Deps, tx: Db, a: Actor, inv: InvoiceRow, lines: LineInput[]) {
  const problems: FieldError[] = [];
  const resolved = [];
  for (const [i, l] of lines.entries()) {
    const price = l.priceItemId
      ? await findInTenant(tx, priceItems, a.orgId, l.priceItemId)
      : undefined;
    if (l.priceItemId && (!price || price.currency !== inv.currency)) {
      problems.push({ path: `lines.${i}.priceItemId`, in: "body", message: "is not a price here" });
      continue;
    }
    const unitAmount = l.unitAmount ?? price?.amount;
    if (unitAmount === undefined) {
      problems.push({
        path: `lines.${i}.unitAmount`,
        in: "body",
        message: "is required without a priceItemId",
      });
      continue;
    }
    resolved.push({ ...l, unitAmount, code: l.code ?? price?.code ?? null });
  }
  if (problems.length) throw unprocessable("Some lines cannot be charged.", problems);
  for (const l of resolved) {
    await insertLine(deps, tx, a, inv, {
      sourceType: "manual",
      description: l.description,
      quantity: l.quantity,
      unitAmount: l.unitAmount,
      code: l.code,
      priceItemId: l.priceItemId ?? null,
    });
  }
}

export async function createManualInvoice(
  deps: Deps,
  a: Actor,
  input: {
    patientId?: string | null;
    encounterId?: string | null;
    notes?: string | null;
    lines: LineInput[];
  },
) {
  return await deps.db.transaction(async (tx) => {
    if (input.patientId && !(await findInTenant(tx, patients, a.orgId, input.patientId))) {
      throw unprocessable("Unknown patient.", [
        { path: "patientId", in: "body", message: "is not a patient here" },
      ]);
    }
    if (input.encounterId) {
      const visit = await findInTenant(tx, encounters, a.orgId, input.encounterId);
      if (!visit || (input.patientId && visit.patientId !== input.patientId)) {
        throw unprocessable("Unknown visit.", [
          { path: "encounterId", in: "body", message: "is not a visit of this patient" },
        ]);
      }
    }
    const inv = await newInvoice(deps, tx, a, { kind: "manual", ...input });
    await addTypedLines(deps, tx, a, inv, input.lines);
    return await invoiceView(tx, await refreshTotals(deps, tx, a, inv.id));
  });
}

export async function addLines(deps: Deps, a: Actor, id: string, lines: LineInput[]) {
  return await deps.db.transaction(async (tx) => {
    const inv = await readInvoiceRow(tx, a.orgId, id);
    if (inv.status !== "draft") {
      throw conflict(`Lines are added to a draft; ${inv.number} is ${inv.status}.`, {
        state: inv.status,
      });
    }
    await addTypedLines(deps, tx, a, inv, lines);
    return await invoiceView(tx, await refreshTotals(deps, tx, a, inv.id));
  });
}

export async function readInvoice(deps: Deps, a: Actor, id: string) {
  const row = await readInvoiceRow(deps.db.db, a.orgId, id);
  if (row.patientId) {
    deps.audit.recordRead(a, {
      action: "invoice.read",
      entityType: "invoice",
      entityId: id,
      patientId: row.patientId,
    });
  }
  return await invoiceView(deps.db.db, row);
}

export async function listInvoices(
  deps: Deps,
  a: Actor,
  q: {
    limit: number;
    cursor?: string;
    patientId?: string;
    encounterId?: string;
    status?: string;
    kind?: string;
  },
) {
  const db = deps.db.db;
  const after = decodeCursor(q.cursor);
  const rows = await db.select().from(invoices).where(and(
    eq(invoices.orgId, a.orgId),
    isNull(invoices.deletedAt),
    q.patientId ? eq(invoices.patientId, q.patientId) : undefined,
    q.encounterId ? eq(invoices.encounterId, q.encounterId) : undefined,
    q.status ? eq(invoices.status, q.status) : undefined,
    q.kind ? eq(invoices.kind, q.kind) : undefined,
    after
      ? or(
        lt(invoices.createdAt, String(after.v)),
        and(eq(invoices.createdAt, String(after.v)), lt(invoices.id, after.id)),
      )
      : undefined,
  )).orderBy(desc(invoices.createdAt), desc(invoices.id)).limit(q.limit + 1);
  const page = pageOf(rows, q.limit, (r) => r.createdAt);
  const ids = page.data.map((r) => r.id);
  const lines = ids.length
    ? await db.select().from(invoiceLines)
      .where(and(inArray(invoiceLines.invoiceId, ids), isNull(invoiceLines.deletedAt)))
    : [];
  lines.sort((x, y) => x.createdAt.localeCompare(y.createdAt) || x.id.localeCompare(y.id));
  return {
    data: page.data.map((r) => toInvoice(r, lines.filter((l) => l.invoiceId === r.id))),
    nextCursor: page.nextCursor,
  };
}

/** draft → issued: from now on the invoice changes only by payments and credit notes. */
export async function issueInvoice(deps: Deps, a: Actor, id: string) {
  return await deps.db.transaction(async (tx) => {
    const today = await clinicToday(deps, tx, a.orgId);
    const lines = await linesOf(tx, id);
    const row = await auditedUpdate(deps, tx, a, {
      table: invoices,
      label: "Invoice",
      id,
      expectedVersion: undefined,
      action: "invoice.issue",
      entityType: "invoice",
      fields: ["status"],
      check: (before) => {
        if (before.status !== "draft") {
          throw conflict(`Only a draft is issued; ${before.number} is ${before.status}.`, {
            state: before.status,
          });
        }
        if (!lines.length) throw conflict(`${before.number} has no lines to issue.`);
      },
      set: { status: "issued", issuedAt: deps.clock.now().toISOString(), issuedOn: today },
    });
    return await invoiceView(tx, row);
  });
}

/** Void with a reason; money taken on it must be refunded first (409). */
export async function voidInvoice(deps: Deps, a: Actor, id: string, reason: string) {
  return await deps.db.transaction(async (tx) => {
    const [money] = await tx.select({
      n: sql<number>`count(*)`,
      net: sql<number>`coalesce(sum(${payments.amount}), 0)`,
    }).from(payments).where(eq(payments.invoiceId, id));
    const row = await auditedUpdate(deps, tx, a, {
      table: invoices,
      label: "Invoice",
      id,
      expectedVersion: undefined,
      action: "invoice.void",
      entityType: "invoice",
      fields: ["status", "voidReason"],
      check: (before) => {
        if (before.status === "void") throw conflict(`${before.number} is already void.`);
        if (Number(money.net) !== 0 || before.paid !== 0) {
          throw conflict(`${before.number} has payments on it: refund first.`, {
            paid: Number(money.net),
          });
        }
      },
      set: { status: "void", voidedAt: deps.clock.now().toISOString(), voidReason: reason },
    });
    return await invoiceView(tx, row);
  });
}

export async function discountInvoice(deps: Deps, a: Actor, id: string, d: Discount) {
  return await deps.db.transaction(async (tx) => {
    const inv = await readInvoiceRow(tx, a.orgId, id);
    return await invoiceView(tx, await applyDiscount(deps, tx, a, inv, d));
  });
}

export async function waiveInvoiceLine(
  deps: Deps,
  a: Actor,
  id: string,
  lineId: string,
  reason: string,
) {
  return await deps.db.transaction(async (tx) => {
    const inv = await readInvoiceRow(tx, a.orgId, id);
    return await invoiceView(tx, await waiveLine(deps, tx, a, inv, lineId, reason));
  });
}
