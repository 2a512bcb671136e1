/**
 * The price list: one row per item, payer and validity period. A change of amount never edits a
 * row in use: it closes the row the day before the new amount applies and starts a new one, so
 * "what did a consultation cost on 3 March" keeps its answer. Invoices copy the amount onto their
 * lines anyway, so no price change reaches an invoice already made.
 */
import { and, asc, desc, eq, gte, isNull, like, lte, or, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type Db, preparedByShape } from "../../../db/client.ts";
import { medications, priceItems } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { type FieldError, notFound, unprocessable } from "../../lib/errors.ts";
import { addDays } from "../../lib/time.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { orgCurrency } from "../organizations/mod.ts";
import { clinicToday } from "../patients/mod.ts";

type PriceRow = typeof priceItems.$inferSelect;

export const toPrice = (p: PriceRow) => ({
  id: p.id,
  code: p.code,
  name: p.name,
  kind: p.kind,
  payer: p.payer,
  amount: p.amount,
  currency: p.currency,
  validFrom: p.validFrom,
  validUntil: p.validUntil,
  encounterType: p.encounterType,
  medicationId: p.medicationId,
  active: p.active,
  version: p.version,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

export interface PriceInput {
  code: string;
  name: string;
  kind: string;
  amount: number;
  currency: string;
  payer?: string | null;
  validFrom?: string;
  validUntil?: string | null;
  encounterType?: string | null;
  medicationId?: string | null;
}

export async function createPrice(deps: Deps, a: Actor, input: PriceInput) {
  return await deps.db.transaction(async (tx) => {
    const problems: FieldError[] = [];
    const currency = await orgCurrency(tx, a.orgId);
    if (input.currency !== currency) {
      problems.push({ path: "currency", in: "body", message: `must be ${currency}` });
    }
    if (input.medicationId) {
      if (!(await findInTenant(tx, medications, a.orgId, input.medicationId))) {
        problems.push({ path: "medicationId", in: "body", message: "not in the catalogue" });
      }
    }
    if (input.kind !== "medicine" && input.medicationId) {
      problems.push({ path: "medicationId", in: "body", message: "only a medicine's price" });
    }
    if (input.kind !== "consultation" && input.encounterType) {
      problems.push({ path: "encounterType", in: "body", message: "only a consultation's" });
    }
    const validFrom = input.validFrom ?? await clinicToday(deps, tx, a.orgId);
    if (input.validUntil && input.validUntil < validFrom) {
      problems.push({ path: "validUntil", in: "body", message: "is before validFrom" });
    }
    if (problems.length) throw unprocessable("The price cannot be listed.", problems);
    const row = await insertTracked(tx, priceItems, {
      ...stamp(a.orgId, a.userId, deps.clock.now().toISOString()),
      code: input.code,
      name: input.name,
      kind: input.kind,
      payer: input.payer ?? null,
      amount: input.amount,
      currency,
      validFrom,
      validUntil: input.validUntil ?? null,
      encounterType: input.encounterType ?? null,
      medicationId: input.medicationId ?? null,
    });
    await deps.audit.record(tx, a, {
      action: "price.create",
      entityType: "price",
      entityId: row.id,
    });
    return toPrice(row);
  });
}

export async function listPrices(
  deps: Deps,
  a: Actor,
  q: { kind?: string; payer?: string; on?: string; q?: string },
) {
  const rows = await deps.db.db.select().from(priceItems).where(and(
    eq(priceItems.orgId, a.orgId),
    isNull(priceItems.deletedAt),
    q.kind ? eq(priceItems.kind, q.kind) : undefined,
    q.payer === "cash"
      ? isNull(priceItems.payer)
      : q.payer
      ? eq(priceItems.payer, q.payer)
      : undefined,
    q.on ? lte(priceItems.validFrom, q.on) : undefined,
    q.on ? or(isNull(priceItems.validUntil), gte(priceItems.validUntil, q.on)) : undefined,
    q.q
      ? or(like(priceItems.name, `%${q.q.replace(/[%_]/g, "")}%`), eq(priceItems.code, q.q))
      : undefined,
  )).orderBy(asc(priceItems.kind), asc(priceItems.code), desc(priceItems.validFrom)).limit(1000);
  return { data: rows.map(toPrice) };
}

export async function readPrice(deps: Deps, a: Actor, id: string) {
  const row = await findInTenant(deps.db.db, priceItems, a.orgId, id);
  if (!row) throw notFound("Price");
  return toPrice(row);
}

/**
 * Edits a price. A new amount from a day after the row started closes this row the day before
 * and answers the new row; on the row's own first day (a typo fixed) it is corrected in place.
 */
export async function updatePrice(
  deps: Deps,
  a: Actor,
  id: string,
  version: number | undefined,
  patch: {
    name?: string;
    amount?: number;
    effectiveFrom?: string;
    validUntil?: string | null;
    active?: boolean;
  },
) {
  return await deps.db.transaction(async (tx) => {
    const today = await clinicToday(deps, tx, a.orgId);
    const from = patch.effectiveFrom ?? today;
    const current = await findInTenant(tx, priceItems, a.orgId, id);
    if (!current) throw notFound("Price");
    const newRow = patch.amount !== undefined && patch.amount !== current.amount &&
      from > current.validFrom;
    const closed = await auditedUpdate(deps, tx, a, {
      table: priceItems,
      label: "Price",
      id,
      expectedVersion: version,
      action: newRow ? "price.close" : "price.update",
      entityType: "price",
      fields: ["name", "amount", "validUntil", "active"],
      // After the If-Match check: a stale edit answers 412 whatever else is wrong with it.
      check: (before) => {
        if (patch.effectiveFrom && patch.effectiveFrom < before.validFrom) {
          throw unprocessable("A new amount starts within the row's period.", [
            { path: "effectiveFrom", in: "body", message: `is before ${before.validFrom}` },
          ]);
        }
      },
      set: newRow ? { validUntil: addDays(from, -1) } : {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.amount !== undefined ? { amount: patch.amount } : {}),
        ...(patch.validUntil !== undefined ? { validUntil: patch.validUntil } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
      },
    });
    if (!newRow) return toPrice(closed);
    const next = await insertTracked(tx, priceItems, {
      ...stamp(a.orgId, a.userId, deps.clock.now().toISOString()),
      code: current.code,
      name: patch.name ?? current.name,
      kind: current.kind,
      payer: current.payer,
      amount: patch.amount!,
      currency: current.currency,
      validFrom: from,
      validUntil: patch.validUntil !== undefined ? patch.validUntil : current.validUntil,
      encounterType: current.encounterType,
      medicationId: current.medicationId,
      active: patch.active ?? current.active,
    });
    await deps.audit.record(tx, a, {
      action: "price.create",
      entityType: "price",
      entityId: next.id,
    });
    return toPrice(next);
  });
}

export interface PriceWanted {
  kind: string;
  code?: string;
  encounterType?: string | null;
  medicationId?: string | null;
  /** The insurer, when the bill is split by one: its own price wins over the cash price. */
  payer?: string | null;
  /** Clinic-local day. */
  on: string;
}

/**
 * The price that applies: the payer's own valid on the day, else the cash price. For a
 * consultation a price for the visit's type wins over one for any visit. None: undefined (a
 * medicine then uses its catalogue price).
 */
// Every charge looks its price up: each shape of the query (which filters it has) built once.
const pricesOfShape = preparedByShape<PriceRow>((shape) => {
  const [code, medication, consultation, encounterType, payer] = [...shape].map((c) => c === "1");
  const p = sql.placeholder;
  return new QueryBuilder().select().from(priceItems).where(and(
    eq(priceItems.orgId, p("orgId")),
    isNull(priceItems.deletedAt),
    eq(priceItems.active, true),
    eq(priceItems.kind, p("kind")),
    code ? eq(priceItems.code, p("code")) : undefined,
    medication ? eq(priceItems.medicationId, p("medicationId")) : undefined,
    consultation
      ? or(
        isNull(priceItems.encounterType),
        encounterType ? eq(priceItems.encounterType, p("encounterType")) : undefined,
      )
      : undefined,
    payer
      ? or(isNull(priceItems.payer), eq(priceItems.payer, p("payer")))
      : isNull(priceItems.payer),
    lte(priceItems.validFrom, p("on")),
    or(isNull(priceItems.validUntil), gte(priceItems.validUntil, p("on"))),
  )).orderBy(desc(priceItems.validFrom), desc(priceItems.createdAt));
});

export async function priceFor(tx: Db, orgId: string, w: PriceWanted) {
  const consultation = w.kind === "consultation";
  const shape = [w.code, w.medicationId, consultation, consultation && w.encounterType, w.payer]
    .map((v) => v ? 1 : 0).join("");
  const rows = await pricesOfShape(shape).all(tx, {
    orgId,
    kind: w.kind,
    code: w.code,
    medicationId: w.medicationId,
    encounterType: w.encounterType,
    payer: w.payer,
    on: w.on,
  });
  const score = (p: PriceRow) =>
    (p.payer ? 2 : 0) + (w.kind === "consultation" && p.encounterType ? 1 : 0);
  return rows.sort((x, y) => score(y) - score(x))[0] as PriceRow | undefined;
}
