/**
 * Tenant-scoped row access by id for every business table. Each helper puts `org_id` and
 * `deleted_at IS NULL` in the WHERE clause itself, so a service cannot fetch or change another
 * organisation's row by forgetting a condition: another tenant's id simply is not found.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client.ts";
import { recordChange } from "./changes.ts";

/** Any table built with `businessColumns()`. */
export type BusinessTable = SQLiteTable & {
  id: SQLiteColumn;
  orgId: SQLiteColumn;
  version: SQLiteColumn;
  deletedAt: SQLiteColumn;
  updatedAt: SQLiteColumn;
  updatedBy: SQLiteColumn;
};

export const tenantRow = (table: BusinessTable, orgId: string, id: string) =>
  and(eq(table.id, id), eq(table.orgId, orgId), isNull(table.deletedAt));

export async function findInTenant<T extends BusinessTable>(
  db: Db,
  table: T,
  orgId: string,
  id: string,
): Promise<T["$inferSelect"] | undefined> {
  const rows = await db.select().from(table as SQLiteTable).where(tenantRow(table, orgId, id));
  return rows[0] as T["$inferSelect"] | undefined;
}

export type UpdateResult<Row> =
  | { ok: true; row: Row; before: Row }
  | { ok: false; reason: "not-found" }
  | { ok: false; reason: "stale"; currentVersion: number };

/**
 * Applies `set` to one tenant row when its version matches `expectedVersion` (if given), bumps
 * the version, stamps updated_at/updated_by and appends the change log, all in `tx`.
 */
export async function updateInTenant<T extends BusinessTable>(
  tx: Db,
  table: T,
  tableName: string,
  args: {
    orgId: string;
    id: string;
    expectedVersion?: number;
    set: Partial<T["$inferInsert"]>;
    actorId: string;
    at: string;
    operation?: "update" | "delete";
  },
): Promise<UpdateResult<T["$inferSelect"]>> {
  const before = await findInTenant(tx, table, args.orgId, args.id);
  if (!before) return { ok: false, reason: "not-found" };
  const current = (before as { version: number }).version;
  if (args.expectedVersion !== undefined && args.expectedVersion !== current) {
    return { ok: false, reason: "stale", currentVersion: current };
  }
  const rows = await tx.update(table as SQLiteTable).set({
    ...args.set,
    version: sql`${table.version} + 1`,
    updatedAt: args.at,
    updatedBy: args.actorId,
  } as never).where(and(tenantRow(table, args.orgId, args.id), eq(table.version, current)))
    .returning();
  const row = rows[0] as T["$inferSelect"];
  await recordChange(tx, {
    orgId: args.orgId,
    table: tableName,
    rowId: args.id,
    operation: args.operation ?? "update",
    version: current + 1,
    at: args.at,
  });
  return { ok: true, row, before };
}

/** Names of the fields whose values differ between two versions of a row. */
export function changedFields(before: object, after: object, fields: string[]): string[] {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  return fields.filter((f) => JSON.stringify(b[f]) !== JSON.stringify(a[f]));
}
