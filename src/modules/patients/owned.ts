/**
 * The patient-owned record kit: what every record that hangs off a patient shares (allergies,
 * medical history, and the encounters, vitals, notes, prescriptions, invoices and admissions to
 * come). It hangs off a live patient of the organisation, is listed, added, changed with
 * If-Match, removed softly and keeps every version; dates are checked against the clinic's own
 * today. Each kind states its table, names and view once (`EntryKind`); its own service adds its
 * rules. Another module uses the kit through patients/mod.ts.
 *
 * Writes check everything inside the write transaction (serialised, see db/client.ts), so a rule
 * such as "one active allergy per substance" cannot be raced past.
 */
import { eq, type SQL } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import type { PatientRow } from "../../../db/schema/mod.ts";
import { patients } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import { listVersions, type VersionRow } from "../../../db/versions.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import {
  badRequest,
  conflict,
  type FieldError,
  notFound,
  unprocessable,
} from "../../lib/errors.ts";
import { decodeCursor, encodeCursor, pageOf } from "../../lib/pagination.ts";
import { todayIn } from "../../lib/time.ts";
import { entityTypeOf, tableNameOf } from "../../lib/module.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { orgSettings } from "../organizations/mod.ts";
import { type EntryTable, findEntry, listEntries, userNames } from "./owned-repository.ts";
import { findPatient } from "./repository.ts";

export type { EntryTable };

// --- The patient the record hangs off ------------------------------------------------------

/**
 * Merged records are frozen: their data lives on in the survivor until an unmerge, so every
 * write to a patient or to what hangs off it answers 409 naming the survivor.
 */
export function refuseMerged(row: Pick<PatientRow, "mergedInto">) {
  if (row.mergedInto) {
    throw conflict(`This record was merged into ${row.mergedInto}; use the survivor instead.`, {
      mergedInto: row.mergedInto,
    });
  }
}

/** A patient whose data may be read: 404 if missing, deleted or another organisation's. */
export async function readablePatient(deps: Deps, orgId: string, id: string): Promise<PatientRow> {
  const row = await findPatient(deps.db, orgId, id);
  if (!row) throw notFound("Patient");
  return row;
}

/** A patient that writes may attach to, in `tx`: 404 if missing or another tenant's, 409 if merged. */
export async function livePatient(tx: Db, orgId: string, id: string): Promise<PatientRow> {
  const row = await findInTenant(tx, patients, orgId, id);
  if (!row) throw notFound("Patient");
  refuseMerged(row);
  return row;
}

/**
 * Today's date in the organisation's timezone, in `tx`: an onset "today" in a clinic east of UTC
 * is today there, even while UTC's date is still yesterday.
 */
export async function clinicToday(deps: Deps, db: Db, orgId: string): Promise<string> {
  const { timezone } = await orgSettings(db, orgId);
  return todayIn(timezone, deps.clock.now());
}

// --- Rules across fields ----------------------------------------------------------------

export interface Dated {
  onsetDate?: string | null;
  endDate?: string | null;
}

/** An onset cannot be in the future, and an end cannot come before its onset. */
export function dateProblems(e: Dated, today: string): FieldError[] {
  const out: FieldError[] = [];
  if (e.onsetDate && e.onsetDate > today) {
    out.push({ path: "onsetDate", in: "body", message: "must not be in the future" });
  }
  if (e.endDate && e.onsetDate && e.endDate < e.onsetDate) {
    out.push({ path: "endDate", in: "body", message: "must not be before onsetDate" });
  }
  return out;
}

/** Throws one 422 listing every broken rule, or does nothing. */
export function refuseIfAny(problems: FieldError[]) {
  if (problems.length === 0) return;
  throw unprocessable(problems.map((p) => `${p.path} ${p.message}`).join("; ") + ".", problems);
}

// --- Versions ---------------------------------------------------------------------------

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export type ChangedByT = { id: string; name: string } | string | null;

/** A version's bookkeeping as the API shows it; `fields` is narrowed by the caller. */
export interface VersionHead {
  version: number;
  operation: "insert" | "update" | "delete";
  changedAt: string;
  changedBy: ChangedByT;
  fields: string[];
}

/** The version after which the next page starts; the cursor names the row too. */
function afterVersion(cursor: string | undefined, rowId: string): number | undefined {
  const c = decodeCursor(cursor);
  if (!c) return undefined;
  if (typeof c.v !== "number" || c.id !== rowId) {
    throw badRequest("The cursor is not valid; use the nextCursor of a previous page.", [
      { path: "cursor", in: "query", message: "not a cursor of this history" },
    ]);
  }
  return c.v;
}

/** One page of the versions of `rowId` in `table`, with each author's name looked up once. */
export async function versionPage(
  deps: Deps,
  orgId: string,
  table: string,
  rowId: string,
  page: PageRequest,
): Promise<{ rows: VersionRow[]; heads: VersionHead[]; nextCursor: string | null }> {
  const fetched = await listVersions(deps.db.db, orgId, table, rowId, {
    afterVersion: afterVersion(page.cursor, rowId),
    limit: page.limit,
  });
  const rows = fetched.slice(0, page.limit);
  const last = rows[rows.length - 1];
  const nextCursor = fetched.length > page.limit && last
    ? encodeCursor({ v: last.version, id: rowId })
    : null;
  return { rows, heads: await headsOf(deps, rows), nextCursor };
}

export async function headsOf(deps: Deps, rows: VersionRow[]): Promise<VersionHead[]> {
  const names = await userNames(
    deps.db.db,
    rows.flatMap((r) => r.changedBy ? [r.changedBy] : []),
  );
  return rows.map((r) => ({
    version: r.version,
    operation: r.operation as VersionHead["operation"],
    changedAt: r.changedAt,
    changedBy: r.changedBy === null
      ? null
      : names.has(r.changedBy)
      ? { id: r.changedBy, name: names.get(r.changedBy)! }
      : r.changedBy,
    fields: r.fields,
  }));
}

// --- List, add, change, versions of one kind -------------------------------------------

/** One entry of one patient, and the version its writer read (If-Match), if any. */
export interface EntryTarget {
  patientId: string;
  entryId: string;
  expectedVersion: number | undefined;
}

export interface EntryKind<T extends EntryTable, V> {
  table: T;
  /** For messages: "Allergy". */
  label: string;
  /** Fields compared for an update's audit entry. */
  fields: string[];
  view(row: T["$inferSelect"]): V;
}

type Row<T extends EntryTable> = T["$inferSelect"];

export async function listOf<T extends EntryTable, V>(
  deps: Deps,
  a: Actor,
  kind: EntryKind<T, V>,
  patientId: string,
  page: PageRequest,
  filters: SQL[],
): Promise<{ data: V[]; nextCursor: string | null }> {
  await readablePatient(deps, a.orgId, patientId);
  const rows = await listEntries(deps.db.db, kind.table, {
    orgId: a.orgId,
    patientId,
    filters,
    afterId: decodeCursor(page.cursor)?.id,
    limit: page.limit,
  });
  const entityType = entityTypeOf(kind.table);
  deps.audit.recordRead(a, { action: `${entityType}.list`, entityType, patientId });
  const { data, nextCursor } = pageOf(rows as { id: string }[], page.limit, (r) => r.id);
  return { data: (data as Row<T>[]).map(kind.view), nextCursor };
}

/** Versions of one entry, oldest first, each with the entry as it was. Removed entries too. */
export async function versionsOf<T extends EntryTable, V>(
  deps: Deps,
  a: Actor,
  kind: EntryKind<T, V>,
  patientId: string,
  entryId: string,
  page: PageRequest,
): Promise<{ data: (VersionHead & { entry: V })[]; nextCursor: string | null }> {
  await readablePatient(deps, a.orgId, patientId);
  const key = { orgId: a.orgId, patientId, id: entryId };
  if (!await findEntry(deps.db.db, kind.table, key, true)) throw notFound(kind.label);
  const { rows, heads, nextCursor } = await versionPage(
    deps,
    a.orgId,
    tableNameOf(kind.table),
    entryId,
    page,
  );
  deps.audit.recordRead(a, {
    action: `${entityTypeOf(kind.table)}.history`,
    entityType: entityTypeOf(kind.table),
    entityId: entryId,
    patientId,
  });
  return {
    data: rows.map((r, i) => ({ ...heads[i], entry: kind.view(r.data as Row<T>) })),
    nextCursor,
  };
}

/** Adds an entry; `values` checks the kind's rules in the transaction and answers the columns. */
export async function addEntry<T extends EntryTable, V>(
  deps: Deps,
  a: Actor,
  kind: EntryKind<T, V>,
  patientId: string,
  values: (
    tx: Db,
    today: string,
  ) => Promise<Omit<T["$inferInsert"], keyof ReturnType<typeof stamp> | "patientId">>,
): Promise<V> {
  return await deps.db.transaction(async (tx) => {
    await livePatient(tx, a.orgId, patientId);
    const at = deps.clock.now().toISOString();
    const row = await insertTracked(
      tx,
      kind.table,
      {
        ...stamp(a.orgId, a.userId, at),
        patientId,
        ...await values(tx, await clinicToday(deps, tx, a.orgId)),
      } as T["$inferInsert"] & ReturnType<typeof stamp>,
    );
    await deps.audit.record(tx, a, {
      action: `${entityTypeOf(kind.table)}.create`,
      entityType: entityTypeOf(kind.table),
      entityId: row.id,
      patientId,
    });
    return kind.view(row);
  });
}

/**
 * Changes one entry of the patient. A stale If-Match answers 412 before any rule is checked: the
 * caller's view is out of date, so a rule failure on it would mislead.
 */
export async function changeEntry<T extends EntryTable, V>(
  deps: Deps,
  a: Actor,
  kind: EntryKind<T, V>,
  target: EntryTarget,
  change:
    | { remove: true }
    | { set: (tx: Db, current: Row<T>, today: string) => Promise<Partial<T["$inferInsert"]>> },
): Promise<V> {
  return await deps.db.transaction(async (tx) => {
    await livePatient(tx, a.orgId, target.patientId);
    const now = deps.clock.now().toISOString();
    const today = await clinicToday(deps, tx, a.orgId);
    const remove = "remove" in change;
    const row = await auditedUpdate(deps, tx, a, {
      table: kind.table,
      label: kind.label,
      id: target.entryId,
      // An entry is found only under its own patient.
      scope: eq(kind.table.patientId, target.patientId),
      expectedVersion: target.expectedVersion,
      set: remove
        ? { deletedAt: now } as Partial<T["$inferInsert"]>
        : (current) => change.set(tx, current as Row<T>, today),
      operation: remove ? "delete" : "update",
      action: `${entityTypeOf(kind.table)}.${remove ? "delete" : "update"}`,
      entityType: entityTypeOf(kind.table),
      patientId: target.patientId,
      fields: remove ? undefined : kind.fields,
    });
    return kind.view(row as Row<T>);
  });
}

/** A summary lists at most this many entries of one kind; a chart shows the rest. */
export const SUMMARY_LIST_LIMIT = 100;

/**
 * The live entries of one kind for the patient summary (a section's `load`), oldest first, at
 * most `SUMMARY_LIST_LIMIT`. The summary has already checked the patient and audits the read.
 */
export async function summaryEntries<T extends EntryTable, V>(
  deps: Deps,
  a: Actor,
  kind: EntryKind<T, V>,
  patientId: string,
  filters: SQL[],
): Promise<V[]> {
  const rows = await listEntries(deps.db.db, kind.table, {
    orgId: a.orgId,
    patientId,
    filters,
    limit: SUMMARY_LIST_LIMIT,
  });
  return (rows.slice(0, SUMMARY_LIST_LIMIT) as Row<T>[]).map(kind.view);
}
