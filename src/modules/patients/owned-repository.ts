/** Queries of the patient-owned record kit (owned.ts): entries of a patient, change authors. */
import { and, asc, eq, gt, inArray, isNull, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "../../../db/client.ts";
import { users } from "../../../db/schema/mod.ts";
import type { BusinessTable } from "../../../db/tenant.ts";

/** Any table of records that hang off a patient: the row conventions and a `patientId`. */
export type EntryTable = BusinessTable & { patientId: SQLiteColumn };

/**
 * One entry of the patient in the organisation. `withDeleted` also finds a removed entry: its
 * versions stay readable after removal, since nothing clinical disappears without a trace.
 */
export async function findEntry<T extends EntryTable>(
  db: Db,
  table: T,
  key: { orgId: string; patientId: string; id: string },
  withDeleted = false,
): Promise<T["$inferSelect"] | undefined> {
  const where = [
    eq(table.id, key.id),
    eq(table.orgId, key.orgId),
    eq(table.patientId, key.patientId),
  ];
  if (!withDeleted) where.push(isNull(table.deletedAt));
  const rows = await db.select().from(table as SQLiteTable).where(and(...where));
  return rows[0] as T["$inferSelect"] | undefined;
}

/**
 * Live entries of the patient, oldest first (ids are UUIDv7, so id order is creation order),
 * after `afterId`; `limit + 1` rows so the caller can tell whether another page exists.
 */
export async function listEntries<T extends EntryTable>(
  db: Db,
  table: T,
  q: { orgId: string; patientId: string; filters: SQL[]; afterId?: string; limit: number },
): Promise<T["$inferSelect"][]> {
  const where = [
    eq(table.orgId, q.orgId),
    eq(table.patientId, q.patientId),
    isNull(table.deletedAt),
    ...q.filters,
  ];
  if (q.afterId) where.push(gt(table.id, q.afterId));
  const rows = await db.select().from(table as SQLiteTable).where(and(...where))
    .orderBy(asc(table.id)).limit(q.limit + 1);
  return rows as T["$inferSelect"][];
}

/** Display names of the users who made changes, by id. */
export async function userNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.select({ id: users.id, name: users.fullName }).from(users)
    .where(inArray(users.id, unique));
  return new Map(rows.map((r) => [r.id, r.name]));
}
