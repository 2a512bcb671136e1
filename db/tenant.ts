/**
 * Tenant-scoped row access by id for every business table. Each helper puts `org_id` and
 * `deleted_at IS NULL` in the WHERE clause itself, so a service cannot fetch or change another
 * organisation's row by forgetting a condition: another tenant's id simply is not found.
 */
import { and, desc, eq, is, isNull, lt, Placeholder, SQL, sql } from "drizzle-orm";
import { getTableConfig, type SQLiteColumn, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { newId } from "./ids.ts";
import { insertRow, selectById, updateById } from "./rows.ts";
import { nextHlc } from "./hlc.ts";
import type { Db } from "./client.ts";
import { type Origin, recordChange } from "./changes.ts";
import { diffFields, recordVersion, type RowWrite } from "./versions.ts";

export type { RowWrite };

/** Work that must follow every write of a table, in its transaction (derived data: indexes). */
export type RowHook = (tx: Db, write: RowWrite) => Promise<void>;

export interface RowRules {
  /** SQL names of the tables whose every write also stores the row's version. */
  versioned: ReadonlySet<string>;
  /** Hooks to run after each insert or update of a table, by SQL name. */
  hooks: ReadonlyMap<string, RowHook[]>;
  /**
   * Organisations other than the row's own whose nodes receive a table's rows (a staff account
   * reaches every organisation it is a member of), by SQL name.
   */
  sharedWith: ReadonlyMap<string, (tx: Db, row: Record<string, unknown>) => Promise<string[]>>;
  /** Fields kept out of the change log's values (read from the row when sent), by SQL name. */
  secrets: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * The rules every write through these helpers follows, from the module manifests (the app's
 * registry installs them at start, before the first write). They are one process-wide setting
 * because they are code, not state: every app built from the same module list has the same.
 */
let rules: RowRules = {
  versioned: new Set(),
  hooks: new Map(),
  sharedWith: new Map(),
  secrets: new Map(),
};

export function installRowRules(next: RowRules) {
  rules = next;
}

/** A change made on another node, applied here with its own clocks and origin. */
export interface RemoteStamp {
  origin: Origin;
  /** The change's clock. */
  hlc: string;
  /**
   * The fields it applied here (a conflict may have kept some of ours), each with its clock:
   * the change's own, or a field's own in a snapshot of a shared row.
   */
  clocks: Record<string, string>;
  /**
   * Whether the entry keeps what the change wrote. A primary does (it sends its log to nodes);
   * a replica sends only its own changes, so for those it applied it keeps clocks and fields.
   */
  keepValues: boolean;
}

const pick = (row: Record<string, unknown>, keys: string[], leaveOut?: ReadonlySet<string>) =>
  Object.fromEntries(keys.filter((k) => !leaveOut?.has(k)).map((k) => [k, row[k]]));

/** A write's fields grouped by the clock each is recorded with: one change-log entry each. */
function clockGroups(fields: string[], remote?: RemoteStamp): [string, string[]][] {
  if (!remote) return [[nextHlc(), fields]];
  const groups = new Map<string, string[]>();
  for (const f of fields) {
    const c = remote.clocks[f] ?? remote.hlc;
    groups.set(c, [...(groups.get(c) ?? []), f]);
  }
  return groups.size ? [...groups] : [[remote.hlc, []]];
}

/** What follows every write: its change-log entries, its version and its hooks. */
async function afterWrite(tx: Db, write: RowWrite, remote?: RemoteStamp) {
  const fields = remote ? Object.keys(remote.clocks) : diffFields(write.before, write.after);
  const secret = rules.secrets.get(write.table);
  const share = rules.sharedWith.get(write.table);
  const otherOrgs = share ? await share(tx, write.after) : [];
  const orgId = write.after.orgId as string;
  for (const [hlc, group] of clockGroups(fields, remote)) {
    const change = {
      orgId,
      table: write.table,
      rowId: write.after.id as string,
      operation: write.operation,
      version: write.after.version as number,
      at: write.at,
      fields: group,
      values: remote && !remote.keepValues ? null : pick(
        write.after,
        write.operation === "insert" ? Object.keys(write.after) : group,
        secret,
      ),
      actorId: write.actorId,
    };
    // One clock for the change, whichever organisations' logs it is written to.
    const stamp = { hlc, origin: remote?.origin ?? "local" };
    await recordChange(tx, change, stamp);
    for (const other of otherOrgs) {
      if (other !== orgId) await recordChange(tx, { ...change, orgId: other }, stamp);
    }
  }
  if (rules.versioned.has(write.table)) await recordVersion(tx, write, fields);
  for (const hook of rules.hooks.get(write.table) ?? []) await hook(tx, write);
}

/** Any table built with `businessColumns()`. */
export type BusinessTable = SQLiteTable & {
  id: SQLiteColumn;
  orgId: SQLiteColumn;
  version: SQLiteColumn;
  deletedAt: SQLiteColumn;
  updatedAt: SQLiteColumn;
  updatedBy: SQLiteColumn;
};

/**
 * A live row of the organisation by id. `scope` narrows it further, e.g. to the parent a child row
 * must belong to (`eq(table.patientId, pid)`): a row under another parent is then simply not found.
 */
export const tenantRow = (table: BusinessTable, orgId: string, id: string, scope?: SQL) =>
  and(eq(table.id, id), eq(table.orgId, orgId), isNull(table.deletedAt), scope);

export async function findInTenant<T extends BusinessTable>(
  db: Db,
  table: T,
  orgId: string,
  id: string,
  scope?: SQL,
): Promise<T["$inferSelect"] | undefined> {
  if (!scope) {
    // The common case by primary key, with SQL built once per table (db/rows.ts): drizzle's
    // builder cost ~100 µs per call on a wide table, several times SQLite's own work.
    const row = await selectById(db, table as SQLiteTable, id);
    return row && row.orgId === orgId && row.deletedAt === null
      ? row as T["$inferSelect"]
      : undefined;
  }
  const rows = await db.select().from(table as SQLiteTable)
    .where(tenantRow(table, orgId, id, scope));
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
  args: {
    orgId: string;
    id: string;
    expectedVersion?: number;
    /** The new values, or a function of the current row that answers them (after `check`). */
    set:
      | Partial<T["$inferInsert"]>
      | ((before: T["$inferSelect"]) => Promise<Partial<T["$inferInsert"]>>);
    actorId: string;
    at: string;
    operation?: "update" | "delete";
    /** Narrows the row (see `tenantRow`): a row outside it is not found. */
    scope?: SQL;
    /**
     * Rules on the row as it is, checked on the read this function makes anyway and after the
     * version check (a stale If-Match answers 412 before any rule); throwing refuses the write.
     */
    check?: (before: T["$inferSelect"]) => void | Promise<void>;
  },
): Promise<UpdateResult<T["$inferSelect"]>> {
  const before = await findInTenant(tx, table, args.orgId, args.id, args.scope);
  if (!before) return { ok: false, reason: "not-found" };
  const current = (before as { version: number }).version;
  if (args.expectedVersion !== undefined && args.expectedVersion !== current) {
    return { ok: false, reason: "stale", currentVersion: current };
  }
  await args.check?.(before);
  const values = typeof args.set === "function" ? await args.set(before) : args.set;
  const row = await writeUpdate(tx, table, args, values as Record<string, unknown>, current);
  const name = getTableConfig(table).name;
  const operation = args.operation ?? "update";
  await afterWrite(tx, {
    table: name,
    operation,
    before: before as Record<string, unknown>,
    after: row as Record<string, unknown>,
    actorId: args.actorId,
    at: args.at,
  });
  return { ok: true, row, before };
}

const isExpression = (v: unknown) => is(v, SQL) || is(v, SQL.Aliased) || is(v, Placeholder);

/**
 * The update itself. The row was read in this transaction, which holds the write lock, so its
 * version cannot have moved: plain values go through SQL built once per table and set of columns
 * (db/rows.ts), since drizzle's builder cost ~100 µs per update. Values that are SQL expressions
 * (`sql\`stock - 1\``) still go through drizzle.
 */
async function writeUpdate<T extends BusinessTable>(
  tx: Db,
  table: T,
  args: { orgId: string; id: string; actorId: string; at: string },
  values: Record<string, unknown>,
  current: number,
): Promise<T["$inferSelect"]> {
  const entries = Object.entries(values).filter(([, v]) => v !== undefined);
  if (entries.some(([, v]) => isExpression(v))) {
    const rows = await tx.update(table as SQLiteTable).set({
      ...values,
      version: sql`${table.version} + 1`,
      updatedAt: args.at,
      updatedBy: args.actorId,
    } as never).where(and(tenantRow(table, args.orgId, args.id), eq(table.version, current)))
      .returning();
    return rows[0] as T["$inferSelect"];
  }
  await updateById(tx, table as SQLiteTable, args.id, {
    ...Object.fromEntries(entries),
    version: current + 1,
    updatedAt: args.at,
    updatedBy: args.actorId,
  });
  return await selectById(tx, table as SQLiteTable, args.id) as T["$inferSelect"];
}

/** The row-convention columns of a new business row: UUIDv7 id, tenant, times and actor. */
export function stamp(orgId: string, actorId: string | null, at: string, id: string = newId()) {
  return { id, orgId, createdAt: at, updatedAt: at, createdBy: actorId, updatedBy: actorId };
}

/**
 * Inserts one new business row (version 1) and appends its change-log entry, in `tx`, then its
 * version (for versioned tables) and its hooks. Every business insert goes through here, so none
 * can skip the change log that sync reads.
 */
export async function insertTracked<T extends BusinessTable>(
  tx: Db,
  table: T,
  row: T["$inferInsert"] & { id: string; orgId: string; createdAt: string },
): Promise<T["$inferSelect"]> {
  // Inserted with SQL built once per table and read back (defaults filled in, values mapped as
  // drizzle maps them): two prepared statements cost less than building one insert with drizzle.
  await insertRow(tx, table as SQLiteTable, row as Record<string, unknown>);
  const inserted = await selectById(tx, table as SQLiteTable, row.id);
  const name = getTableConfig(table).name;
  await afterWrite(tx, {
    table: name,
    operation: "insert",
    before: null,
    after: inserted as Record<string, unknown>,
    actorId: (row as { createdBy?: string | null }).createdBy ?? null,
    at: row.createdAt,
  });
  return inserted as T["$inferSelect"];
}

/** Names of the fields whose values differ between two versions of a row. */
export function changedFields(before: object, after: object, fields: string[]): string[] {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  return fields.filter((f) => JSON.stringify(b[f]) !== JSON.stringify(a[f]));
}

/**
 * Applies a change made on another node to one row, through the same bookkeeping as a local
 * write (change log with the change's own clock and origin, version, hooks), keeping the row's
 * origin metadata. The sync module has decided which fields apply and has checked the row is
 * the node's to change; `values` are those fields (the whole row for an insert).
 */
export async function writeRemote(
  tx: Db,
  table: BusinessTable,
  args: {
    before: Record<string, unknown> | undefined;
    id: string;
    values: Record<string, unknown>;
    version: number;
    at: string;
    actorId: string | null;
    stamp: RemoteStamp;
  },
): Promise<Record<string, unknown>> {
  const name = getTableConfig(table).name;
  if (!args.before) {
    await insertRow(tx, table, { ...args.values, id: args.id, version: args.version });
  } else {
    await updateById(tx, table, args.id, {
      ...args.values,
      version: args.version,
      updatedAt: args.at,
      updatedBy: args.actorId,
    });
  }
  const after = (await selectById(tx, table, args.id))!;
  await afterWrite(tx, {
    table: name,
    operation: !args.before ? "insert" : args.values.deletedAt ? "delete" : "update",
    before: args.before ?? null,
    after,
    actorId: args.actorId,
    at: args.at,
  }, args.stamp);
  return after;
}

/**
 * Takes the primary's version and metadata (when not older than ours) for a row whose content
 * the change does not alter (every field it wrote was already here, or lost to ours): no change
 * to record.
 */
export async function adoptVersion(
  tx: Db,
  table: BusinessTable,
  id: string,
  meta: { version: number; at: string; actorId: string | null },
) {
  await tx.update(table as SQLiteTable)
    .set({ version: meta.version, updatedAt: meta.at, updatedBy: meta.actorId } as never)
    .where(and(eq(table.id, id), sql`${table.version} <= ${meta.version}`));
}

/** One row by id whatever its organisation or state, for the sync module's checks. */
export function findAny(db: Db, table: BusinessTable, id: string) {
  return selectById(db, table, id);
}

/**
 * One page of an organisation's live rows matching `where`, newest first by id (ids are time
 * ordered): `limit + 1` rows, so the caller's page knows whether another follows. `afterId` is
 * the last id of the previous page.
 */
export async function newestFirst<T extends BusinessTable>(
  db: Db,
  table: T,
  orgId: string,
  where: (SQL | undefined)[],
  page: { limit: number; afterId?: string },
): Promise<T["$inferSelect"][]> {
  return await db.select().from(table as SQLiteTable).where(and(
    eq(table.orgId, orgId),
    isNull(table.deletedAt),
    ...where,
    page.afterId ? lt(table.id, page.afterId) : undefined,
  )).orderBy(desc(table.id)).limit(page.limit + 1) as T["$inferSelect"][];
}
