/**
 * What allergies and medical history entries share: they hang off a live patient of the
 * organisation, are listed, changed with If-Match, removed softly and keep every version. Each
 * kind states its table, names and view once (`EntryKind`); its own service adds its rules.
 *
 * Writes check everything inside the write transaction (serialised, see db/client.ts), so a rule
 * such as "one active allergy per substance" cannot be raced past.
 */
import { eq, type SQL } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { notFound } from "../../lib/errors.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { livePatient, readablePatient } from "../patients/service.ts";
import { type EntryTable, findEntry, listEntries } from "./repository.ts";
import { type PageRequest, type VersionHead, versionPage } from "./version-pages.ts";

export interface EntryKind<T extends EntryTable, V> {
  table: T;
  /** SQL name of the table, as row_versions stores it. */
  tableName: string;
  /** For messages: "Allergy". */
  label: string;
  /** Audit entity type: "patient-allergy". */
  entityType: string;
  /** Audit action prefix of writes: "patient.allergy" → .create, .update, .delete. */
  action: string;
  /** Audit actions of reads: the list and the versions of one entry. */
  listAction: string;
  versionsAction: string;
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
  deps.audit.recordRead(a, { action: kind.listAction, entityType: kind.entityType, patientId });
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
    kind.tableName,
    entryId,
    page,
  );
  deps.audit.recordRead(a, {
    action: kind.versionsAction,
    entityType: kind.entityType,
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
        ...await values(tx, at.slice(0, 10)),
      } as T["$inferInsert"] & ReturnType<typeof stamp>,
    );
    await deps.audit.record(tx, a, {
      action: `${kind.action}.create`,
      entityType: kind.entityType,
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
  target: { patientId: string; entryId: string; expectedVersion: number | undefined },
  change:
    | { remove: true }
    | { set: (tx: Db, current: Row<T>, today: string) => Promise<Partial<T["$inferInsert"]>> },
): Promise<V> {
  return await deps.db.transaction(async (tx) => {
    await livePatient(tx, a.orgId, target.patientId);
    const now = deps.clock.now().toISOString();
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
        : (current) => change.set(tx, current as Row<T>, now.slice(0, 10)),
      operation: remove ? "delete" : "update",
      action: `${kind.action}.${remove ? "delete" : "update"}`,
      entityType: kind.entityType,
      patientId: target.patientId,
      fields: remove ? undefined : kind.fields,
    });
    return kind.view(row as Row<T>);
  });
}
