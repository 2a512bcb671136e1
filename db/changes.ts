/**
 * Helpers every business write uses inside its transaction: the change log the sync feature
 * reads, and per-organisation counters for human numbers.
 */
import { and, asc, count, eq, gt, inArray, lte } from "drizzle-orm";
import { type Db, executorOf } from "./client.ts";
import { insertRow, selectWhere } from "./rows.ts";
import { nextHlc } from "./hlc.ts";
import { changeLog } from "./schema/mod.ts";

export type Operation = "insert" | "update" | "delete";

export interface Change {
  orgId: string;
  table: string;
  rowId: string;
  operation: Operation;
  version: number;
  at: string;
  /** The fields the change set or changed. */
  fields: string[];
  /** What it wrote, by field; null for an entry that only shares a row with another organisation. */
  values: Record<string, unknown> | null;
  actorId: string | null;
}

/**
 * Where a change-log entry came from: `local` (a write on this node: what a replica pushes),
 * `share` (a row of one organisation made visible to another's nodes, e.g. a staff account that
 * joined it; its values are read when it is sent), the id of the node whose change this node
 * applied exactly as made ("primary" on a replica), or `merged:<node id>` when the primary
 * applied it merged with its own (that node must then get it back).
 */
export type Origin = string;

/**
 * Appends the change-log entry for one business write, with the next clock value unless `hlc`
 * (a remote change's own clock) is given; call it in the write's transaction.
 */
export async function recordChange(
  tx: Db,
  change: Change,
  opts: { origin?: Origin; hlc?: string } = {},
): Promise<void> {
  await insertRow(tx, changeLog, {
    orgId: change.orgId,
    tableName: change.table,
    rowId: change.rowId,
    operation: change.operation,
    version: change.version,
    at: change.at,
    origin: opts.origin ?? "local",
    hlc: opts.hlc ?? nextHlc(),
    fields: change.fields,
    values: change.values,
    actorId: change.actorId,
  });
}

export type LogEntry = typeof changeLog.$inferSelect;

/** The condition of `readLog`, for its query plan (an indexed cursor: tests/bench). */
export const READ_LOG_WHERE = `"org_id" = ? AND "seq" > ? ORDER BY "seq" LIMIT ?`;

/** The organisation's entries after `afterSeq`, in commit order: what a node pulls. */
export async function readLog(db: Db, orgId: string, afterSeq: number, limit: number) {
  return await selectWhere(db, changeLog, READ_LOG_WHERE, [orgId, afterSeq, limit]) as LogEntry[];
}

export const ROW_ENTRIES = `SELECT seq, hlc, fields, origin FROM change_log
  WHERE table_name = ? AND row_id = ? ORDER BY seq`;

export interface RowEntry {
  seq: number;
  hlc: string;
  fields: string[] | null;
  origin: string;
}

/** Every entry of one row, oldest first: the source of its per-field clocks. */
export async function rowEntries(db: Db, table: string, rowId: string): Promise<RowEntry[]> {
  const { rows } = await executorOf(db)(ROW_ENTRIES, [table, rowId], "all");
  return (rows as [number, string, string | null, string][]).map(([seq, hlc, fields, origin]) => ({
    seq,
    hlc,
    fields: fields === null ? null : JSON.parse(fields),
    origin,
  }));
}

/**
 * Each field's clock: the greatest clock among the entries that wrote it (before `beforeSeq` when
 * given). Share entries wrote nothing, so they do not count.
 */
export function fieldClocks(
  entries: { seq: number; hlc: string; fields: string[] | null; origin: string }[],
  beforeSeq = Infinity,
): Map<string, string> {
  const clocks = new Map<string, string>();
  for (const e of entries) {
    if (e.seq >= beforeSeq || e.origin === "share") continue;
    for (const f of e.fields ?? []) {
      const c = clocks.get(f);
      if (c === undefined || e.hlc > c) clocks.set(f, e.hlc);
    }
  }
  return clocks;
}

/**
 * Next value of an organisation's counter, allocated inside the caller's write transaction: the
 * row update takes the database write lock, so two concurrent registrations never get the same
 * number, in one process or several.
 */
export async function nextSequence(tx: Db, orgId: string, name: string): Promise<number> {
  const { rows } = await executorOf(tx)(NEXT_SEQUENCE, [orgId, name], "get");
  return Number((rows as unknown[])[0]);
}
// Every numbered write runs it; drizzle built this upsert anew each time (~60 µs).
const NEXT_SEQUENCE = `INSERT INTO "sequences" ("org_id", "name", "value") VALUES (?, ?, 1)
  ON CONFLICT ("org_id", "name") DO UPDATE SET "value" = "value" + 1 RETURNING "value"`;

/** This node's own changes of the organisation after `afterSeq`: a replica's outbox. */
export async function readOutbox(db: Db, orgId: string, afterSeq: number, limit: number) {
  return await selectWhere(
    db,
    changeLog,
    `"org_id" = ? AND "seq" > ? AND "origin" = 'local' ORDER BY "seq" LIMIT ?`,
    [orgId, afterSeq, limit],
  ) as LogEntry[];
}

/**
 * Makes an existing row visible to another organisation's nodes: an entry that writes nothing
 * (origin `share`); whoever sends it sends the row as it is then, with its clocks.
 */
export async function shareRow(
  tx: Db,
  row: { orgId: string; table: string; rowId: string; version: number; at: string },
) {
  await recordChange(tx, {
    orgId: row.orgId,
    table: row.table,
    rowId: row.rowId,
    operation: "insert",
    version: row.version,
    at: row.at,
    fields: [],
    values: null,
    actorId: null,
  }, { origin: "share" });
}

/** How many of this node's own changes follow `afterSeq`: the outbox's length. */
export async function countOutbox(db: Db, orgId: string, afterSeq: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(changeLog).where(and(
    eq(changeLog.orgId, orgId),
    gt(changeLog.seq, afterSeq),
    eq(changeLog.origin, "local"),
  ));
  return row.n;
}

/** This node's own inserts into `tables` between two log positions: rows whose files it holds. */
export function readOwnInserts(
  db: Db,
  orgId: string,
  tables: string[],
  range: { after: number; through: number },
  limit: number,
) {
  return db.select({ seq: changeLog.seq, table: changeLog.tableName, rowId: changeLog.rowId })
    .from(changeLog).where(and(
      eq(changeLog.orgId, orgId),
      gt(changeLog.seq, range.after),
      lte(changeLog.seq, range.through),
      eq(changeLog.origin, "local"),
      eq(changeLog.operation, "insert"),
      inArray(changeLog.tableName, tables),
    )).orderBy(asc(changeLog.seq)).limit(limit);
}
