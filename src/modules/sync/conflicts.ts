/**
 * The conflict queue: recording what the primary decided, listing it, and an ADMIN's decision.
 * Rows are ordinary synced business rows, so every node shows the same queue, and a decision
 * taken on any node travels like any other write.
 */
import { and, count, desc, eq, isNull, lt, type SQL } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { syncConflicts } from "../../../db/schema/mod.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import type { SyncChangeT } from "./schemas.ts";

/** Who is applying changes, and from whom (see apply.ts). */
export interface ApplyContext {
  deps: Deps;
  role: "primary" | "replica";
  /** Who sent the changes: a node's id on the primary, "primary" on a replica. */
  origin: string;
  /** The organisation the sending node serves. */
  orgId: string;
  /** The sender's site code, as conflicts name it ("primary" on a replica). */
  site: string;
  /** Whether this node's log keeps what applied changes wrote (it serves its log to nodes). */
  keepValues: boolean;
  /**
   * The changes come from this node's primary, which checked them: a replica applies them
   * without the checks a primary makes on a node's changes (scope, fields only it sets).
   */
  trusted: boolean;
}

export type ConflictRow = typeof syncConflicts.$inferSelect;

export interface NewConflict {
  kind: "field" | "record" | "rejected";
  change: SyncChangeT;
  field?: string;
  keptValue?: unknown;
  otherValue?: unknown;
  keptClock?: string | null;
  otherClock?: string | null;
  /** The value that lost is this node's own (the incoming change won). */
  otherFromHere?: boolean;
  error?: string;
}

/** The patient a row is about: the row itself for a patient, else its patient column. */
function patientOf(change: SyncChangeT, row?: Record<string, unknown>) {
  if (change.table === "patients") return change.rowId;
  const id = row?.patientId ?? change.values.patientId;
  return typeof id === "string" ? id : null;
}

export async function openConflict(tx: Db, ctx: ApplyContext, c: NewConflict) {
  const at = ctx.deps.clock.now().toISOString();
  const row = await insertTracked(tx, syncConflicts, {
    ...stamp(ctx.orgId, null, at),
    kind: c.kind,
    tableName: c.change.table,
    rowId: c.change.rowId,
    patientId: patientOf(c.change),
    field: c.field ?? null,
    keptValue: c.keptValue ?? null,
    otherValue: c.otherValue ?? null,
    keptClock: c.keptClock ?? null,
    otherClock: c.otherClock ?? null,
    otherOrigin: c.otherFromHere ? ctx.deps.site.code ?? "primary" : ctx.site,
    change: c.kind === "rejected" || c.kind === "record" ? c.change : null,
    error: c.error ?? null,
  });
  // Sync decided it, not a person: the entry names the node whose change it was.
  await ctx.deps.audit.record(tx, { orgId: ctx.orgId, requestId: `sync:${ctx.site}` }, {
    action: "sync-conflict.create",
    entityType: "sync-conflict",
    entityId: row.id,
    patientId: row.patientId,
  });
}

export const toConflict = (r: ConflictRow) => ({
  id: r.id,
  kind: r.kind as "field" | "record" | "rejected",
  table: r.tableName,
  rowId: r.rowId,
  patientId: r.patientId,
  field: r.field,
  keptValue: r.keptValue as any,
  otherValue: r.otherValue as any,
  otherOrigin: r.otherOrigin,
  change: r.change ?? null,
  error: r.error,
  status: r.status as "open" | "resolved",
  resolution: r.resolution as "kept" | "other" | null,
  resolvedAt: r.resolvedAt,
  resolvedBy: r.resolvedBy,
  version: r.version,
  createdAt: r.createdAt,
});

export async function listConflicts(
  deps: Deps,
  a: Actor,
  q: { limit: number; cursor?: string; status?: "open" | "resolved" },
) {
  const where: SQL[] = [eq(syncConflicts.orgId, a.orgId), isNull(syncConflicts.deletedAt)];
  if (q.status) where.push(eq(syncConflicts.status, q.status));
  const cursor = decodeCursor(q.cursor);
  if (cursor) where.push(lt(syncConflicts.id, cursor.id));
  const rows = await deps.db.db.select().from(syncConflicts).where(and(...where))
    .orderBy(desc(syncConflicts.id)).limit(q.limit + 1);
  const page = pageOf(rows, q.limit, (r) => r.id);
  // The values are the patient's data: each patient shown is an audited read.
  for (const patientId of new Set(page.data.map((r) => r.patientId).filter(Boolean))) {
    deps.audit.recordRead(a, {
      action: "sync-conflict.list",
      entityType: "sync-conflict",
      patientId: patientId as string,
    });
  }
  return { data: page.data.map(toConflict), nextCursor: page.nextCursor };
}

export async function countOpen(db: Db, orgId: string | null): Promise<number> {
  if (!orgId) return 0;
  const [row] = await db.select({ n: count() }).from(syncConflicts)
    .where(and(eq(syncConflicts.orgId, orgId), eq(syncConflicts.status, "open")));
  return row.n;
}
