/**
 * The primary's side: a node's pushed batch applied in one transaction, and the organisation's
 * changes served to a node from its cursor.
 */
import { eq, inArray } from "drizzle-orm";
import { readLog } from "../../../db/changes.ts";
import { schemaVersion } from "../../../db/migrate.ts";
import { syncNodes } from "../../../db/schema/mod.ts";
import { hlcTime, observeHlc } from "../../../db/hlc.ts";
import type { BusinessTable } from "../../../db/tenant.ts";
import type { Deps } from "../../lib/context.ts";
import { conflict } from "../../lib/errors.ts";
import { appendShipped } from "../audit/mod.ts";
import { applyBatch } from "./apply.ts";
import { toWire } from "./outgoing.ts";
import type { SyncAuditEntryT, SyncChangeT } from "./schemas.ts";

export interface NodeCaller {
  id: string;
  orgId: string;
  siteCode: string;
  facilityIds: string[];
}

function checkSchema(theirs: number) {
  if (theirs !== schemaVersion()) {
    throw conflict(
      `Schema ${theirs} is not this server's (${schemaVersion()}): upgrade the older node; ` +
        "nothing was applied.",
    );
  }
}

/**
 * Applies a node's batch. Changes and audit entries at or below what this node already pushed
 * are skipped, so a batch sent twice (a retry after a lost answer) applies once; the new
 * position is stored in the same transaction as the changes.
 */
/**
 * How far ahead of this server's clock a node's clocks may be. A node whose clock runs further
 * ahead would win every concurrent edit until real time caught up, so its pushes are refused
 * (409) until its clock is set right; its changes wait in its outbox meanwhile.
 */
export const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

function checkClocks(deps: Deps, changes: SyncChangeT[]) {
  const limit = deps.clock.now().getTime() + MAX_CLOCK_AHEAD_MS;
  const ahead = changes.find((c) => hlcTime(c.hlc) > limit);
  if (ahead) {
    const minutes = Math.round((hlcTime(ahead.hlc) - deps.clock.now().getTime()) / 60_000);
    throw conflict(
      `This node's clock is about ${minutes} minutes ahead of the primary's; set its clock ` +
        "right (NTP) and sync again. Nothing was applied.",
    );
  }
}

export async function receivePush(
  deps: Deps,
  node: NodeCaller,
  batch: { schemaVersion: number; changes: SyncChangeT[]; audit: SyncAuditEntryT[] },
) {
  checkSchema(batch.schemaVersion);
  checkClocks(deps, batch.changes);
  const started = performance.now();
  for (const c of batch.changes) observeHlc(c.hlc);
  const at = deps.clock.now().toISOString();
  const result = await deps.db.transaction(async (tx) => {
    const [state] = await tx.select({ pushed: syncNodes.pushedSeq, audit: syncNodes.auditSeq })
      .from(syncNodes).where(eq(syncNodes.id, node.id));
    const fresh = batch.changes.filter((c) => c.seq > state.pushed)
      .sort((a, b) => a.seq - b.seq);
    const conflicts = await applyBatch(tx, {
      deps,
      role: "primary",
      origin: node.id,
      orgId: node.orgId,
      site: node.siteCode,
      keepValues: true,
      trusted: false,
    }, fresh);
    const audit = batch.audit.filter((e) => e.seq > state.audit);
    await appendShipped(tx, node.orgId, node.siteCode, audit);
    const pushedSeq = Math.max(state.pushed, ...fresh.map((c) => c.seq));
    const auditSeq = Math.max(state.audit, ...audit.map((e) => e.seq));
    await tx.update(syncNodes).set({ pushedSeq, auditSeq, lastPushAt: at, lastSeenAt: at })
      .where(eq(syncNodes.id, node.id));
    return { applied: fresh.length, conflicts, pushedSeq, auditSeq, audit: audit.length };
  }, { alone: true }); // a batch of up to 1,000 changes: bulk work
  deps.logger.info("sync: push received", {
    node: node.siteCode,
    changes: result.applied,
    audit: result.audit,
    conflicts: result.conflicts,
    ms: Math.round(performance.now() - started),
  });
  const { audit: _audit, ...answer } = result;
  return answer;
}

/**
 * The organisation's changes after `after`, in this server's commit order. Rows of a table that
 * declares a facility column are left out when they belong to a facility the node does not
 * serve; the cursor still moves past them.
 */
export async function servePull(
  deps: Deps,
  node: NodeCaller,
  q: { after: number; limit: number; schemaVersion: number },
) {
  checkSchema(q.schemaVersion);
  const started = performance.now();
  const entries = await readLog(deps.db.db, node.orgId, q.after, q.limit);
  // A node's own changes applied exactly as it made them are already there as they are here.
  const kept = (await withoutOtherFacilities(deps, node, entries))
    .filter((e) => e.origin !== node.id);
  const changes = await toWire(deps.db.db, deps.registry, kept, { withBase: false });
  const next = entries.length ? entries[entries.length - 1].seq : q.after;
  await notePull(deps, node.id, next);
  deps.logger.info("sync: pull served", {
    node: node.siteCode,
    changes: changes.length,
    after: q.after,
    ms: Math.round(performance.now() - started),
  });
  return { schemaVersion: schemaVersion(), changes, next, more: entries.length === q.limit };
}

/** When each node's pull was last written down, by node id (see `notePull`). */
const notedPulls = new Map<string, { seq: number; atMs: number }>();
const NOTE_IDLE_PULLS_MS = 60_000;

/**
 * Records where a node's pull ended, for the node list. Most pulls find nothing new; those are
 * written down at most once a minute, since each write is a commit (an fsync) that would
 * otherwise cost more than the pull itself. Losing this memory only means one more write.
 */
async function notePull(deps: Deps, nodeId: string, seq: number) {
  const now = deps.clock.now();
  const last = notedPulls.get(nodeId);
  if (last && last.seq === seq && now.getTime() - last.atMs < NOTE_IDLE_PULLS_MS) return;
  const at = now.toISOString();
  await deps.db.transaction((tx) =>
    tx.update(syncNodes).set({ pulledSeq: seq, lastPullAt: at, lastSeenAt: at })
      .where(eq(syncNodes.id, nodeId))
  );
  if (notedPulls.size >= 10_000) notedPulls.clear();
  notedPulls.set(nodeId, { seq, atMs: now.getTime() });
}

async function withoutOtherFacilities(
  deps: Deps,
  node: NodeCaller,
  entries: Awaited<ReturnType<typeof readLog>>,
) {
  if (node.facilityIds.length === 0) return entries;
  const served = new Set(node.facilityIds);
  const outside = new Set<string>();
  const byTable = Map.groupBy(entries, (e) => e.tableName);
  for (const [name, list] of byTable) {
    const spec = deps.registry.tables.get(name)?.spec;
    if (!spec?.facilityColumn) continue;
    const table = spec.table as BusinessTable;
    const column = spec.facilityColumn;
    const ids = [...new Set(list.map((e) => e.rowId))];
    const rows = await deps.db.db.select({ id: table.id, facility: column })
      .from(table as never).where(inArray(table.id, ids));
    for (const r of rows as { id: string; facility: string | null }[]) {
      if (r.facility && !served.has(r.facility)) outside.add(`${name}\u0000${r.id}`);
    }
  }
  return entries.filter((e) => !outside.has(`${e.tableName}\u0000${e.rowId}`));
}
