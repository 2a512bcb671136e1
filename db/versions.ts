/**
 * Versioned rows: every insert, update and delete of a row in a versioned table (a module's
 * manifest says which) also stores the row as it became, with who changed it and which fields,
 * in `row_versions` (same transaction). The generic writers in tenant.ts call `recordVersion`,
 * so no service can skip it.
 */
import { and, asc, eq, gt } from "drizzle-orm";
import type { Db } from "./client.ts";
import { insertRow } from "./rows.ts";
import { rowVersions } from "./schema/mod.ts";

/** Bookkeeping columns: they change on every write, so they are not "changed fields". */
export const BOOKKEEPING: ReadonlySet<string> = new Set([
  "id",
  "orgId",
  "version",
  "createdAt",
  "updatedAt",
  "createdBy",
  "updatedBy",
]);

/** A value a new row leaves unset: nothing, an empty list, false. */
const unset = (v: unknown) =>
  v === null || v === undefined || v === false || (Array.isArray(v) && v.length === 0);

/**
 * Fields whose values differ between two versions; for a new row (`before` null), the fields it
 * sets. Bookkeeping columns never count.
 */
export function diffFields(before: Record<string, unknown> | null, after: Record<string, unknown>) {
  return Object.keys(after).filter((k) =>
    !BOOKKEEPING.has(k) &&
    (before === null ? !unset(after[k]) : JSON.stringify(before[k]) !== JSON.stringify(after[k]))
  );
}

/** One write of a business row, as the generic writers in tenant.ts report it. */
export interface RowWrite {
  table: string;
  operation: "insert" | "update" | "delete";
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
  actorId: string | null;
  at: string;
}

export async function recordVersion(tx: Db, v: RowWrite, fields: string[]): Promise<void> {
  await insertRow(tx, rowVersions, {
    orgId: v.after.orgId as string,
    tableName: v.table,
    rowId: v.after.id as string,
    version: v.after.version as number,
    operation: v.operation,
    changedAt: v.at,
    changedBy: v.actorId,
    fields,
    data: v.after,
  });
}

export type VersionRow = typeof rowVersions.$inferSelect;

/** Versions of one row, oldest first, after `afterVersion`; `limit + 1` for paging. */
export function listVersions(
  db: Db,
  orgId: string,
  table: string,
  rowId: string,
  opts: { afterVersion?: number; limit: number },
): Promise<VersionRow[]> {
  return db.select().from(rowVersions).where(and(
    eq(rowVersions.tableName, table),
    eq(rowVersions.rowId, rowId),
    eq(rowVersions.orgId, orgId),
    gt(rowVersions.version, opts.afterVersion ?? 0),
  )).orderBy(asc(rowVersions.version)).limit(opts.limit + 1);
}

export async function readVersion(
  db: Db,
  orgId: string,
  table: string,
  rowId: string,
  version: number,
): Promise<VersionRow | undefined> {
  const rows = await db.select().from(rowVersions).where(and(
    eq(rowVersions.tableName, table),
    eq(rowVersions.rowId, rowId),
    eq(rowVersions.orgId, orgId),
    eq(rowVersions.version, version),
  ));
  return rows[0];
}
