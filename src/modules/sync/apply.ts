/**
 * Applying changes from another node, one row at a time, through the generic writers (so the
 * change log, versions and derived data such as the search index follow as for a local write).
 *
 * The rule for a field both sides wrote is the same everywhere: the greater hybrid logical clock
 * wins (it ends in the process id, so no two are equal). A change whose `base` clock for a field
 * is not the clock the receiver holds was made without seeing the receiver's edit: concurrent.
 * Only the primary decides conflicts and records them (it sees every change, so each conflict is
 * recorded once); a replica applies the same rule silently and receives the primary's record.
 *
 * - merge tables: different fields both apply; the same field goes to the later clock, and the
 *   primary records the pair in the conflict queue;
 * - queue tables: a concurrent change of a field is held, the primary's value stays (written
 *   again with a new clock, so every replica converges on it) and the queue has the other;
 * - deletes are soft (`deletedAt` is a field like the others): a row deleted on one side stays
 *   deleted, and edits made concurrently on the other side still merge into it;
 * - a change that breaks a constraint here (a unique number, an unknown parent) is rolled back
 *   alone and kept whole in the queue; the rest of the batch applies.
 */
import { type Db, inSavepoint } from "../../../db/client.ts";
import { fieldClocks, rowEntries } from "../../../db/changes.ts";
import { nextHlc } from "../../../db/hlc.ts";
import {
  adoptVersion,
  type BusinessTable,
  findAny,
  type RemoteStamp,
  writeRemote,
} from "../../../db/tenant.ts";
import { BOOKKEEPING, diffFields } from "../../../db/versions.ts";
import type { TableSpec } from "../../lib/context.ts";
import { type ApplyContext, openConflict } from "./conflicts.ts";

export type { ApplyContext };
import type { SyncChangeT } from "./schemas.ts";

/** A change refused by a rule of sync itself (a table that does not sync, a foreign row). */
class Rejected extends Error {}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

async function checkScope(
  tx: Db,
  ctx: ApplyContext,
  spec: TableSpec,
  change: SyncChangeT,
  before: Record<string, unknown> | undefined,
) {
  if (ctx.trusted) return;
  if (spec.sync !== "merge" && spec.sync !== "queue") {
    throw new Rejected(`table ${change.table} does not sync this way`);
  }
  for (const f of spec.notFromNodes ?? []) {
    if (f in change.values && change.values[f] !== (before?.[f] ?? false)) {
      throw new Rejected(`${f} is set at the primary only`);
    }
  }
  if (spec.file) {
    // Storage keys are made by the server from ids (`<orgId>/<rowId>`); a node that could set
    // one could point its row at another organisation's file.
    const key = Object.entries(spec.table).find(([, c]) => c === spec.file!.storageKey)?.[0];
    if (key && key in change.values && change.values[key] !== `${ctx.orgId}/${change.rowId}`) {
      throw new Rejected("a file's storage key is made by the server");
    }
  }
  if (!before) {
    if (change.op !== "insert" || change.values.orgId !== ctx.orgId) {
      throw new Rejected("the row is not known here and the change does not create it");
    }
    return;
  }
  if (before.orgId === ctx.orgId) return;
  const shared = spec.sharedWith ? await spec.sharedWith(tx, before) : [];
  if (!shared.includes(ctx.orgId)) throw new Rejected("the row belongs to another organisation");
}

/**
 * The fields a change wrote: an insert's values are the whole row, but only the fields it set
 * have a clock (as on the node that made it); a snapshot's are those it has clocks for.
 */
function writtenFields(change: SyncChangeT): string[] {
  if (change.clocks) return Object.keys(change.clocks).filter((f) => f in change.values);
  if (change.op === "insert") return diffFields(null, change.values);
  return Object.keys(change.values).filter((f) => !BOOKKEEPING.has(f));
}

/** Applies one change; answers how many conflicts it opened. */
async function applyOne(tx: Db, ctx: ApplyContext, change: SyncChangeT): Promise<number> {
  const spec = ctx.deps.registry.tables.get(change.table)?.spec;
  if (!spec) throw new Rejected(`unknown table ${change.table}`);
  const table = spec.table as BusinessTable;
  const before = await findAny(tx, table, change.rowId);
  await checkScope(tx, ctx, spec, change, before);
  const clockOf = (f: string) => change.clocks?.[f] ?? change.hlc;
  const meta = { version: change.version, at: change.at, actorId: change.actorId };

  if (!before) {
    if (change.op !== "insert") throw new Rejected("the row is not known here");
    const fields = diffFields(null, change.values);
    const after = await writeRemote(tx, table, {
      before: undefined,
      id: change.rowId,
      values: change.values,
      ...meta,
      stamp: {
        origin: ctx.origin,
        hlc: change.hlc,
        clocks: Object.fromEntries(fields.map((f) => [f, clockOf(f)])),
        keepValues: ctx.keepValues,
      },
    });
    return await afterApply(tx, ctx, spec, change, undefined, after, fields);
  }

  const local = fieldClocks(await rowEntries(tx, change.table, change.rowId));
  const apply: Record<string, unknown> = {};
  const clocks: RemoteStamp["clocks"] = {};
  let conflicts = 0;
  for (const f of writtenFields(change)) {
    const value = change.values[f];
    const theirs = clockOf(f);
    const ours = local.get(f);
    if (ours === theirs) continue;
    // Everywhere the later clock wins; that alone makes every node end with the same value.
    const later = ours === undefined || theirs > ours;
    const concurrent = (ours ?? null) !== (change.base[f] ?? null);
    if (ctx.role === "replica" || change.clocks || !concurrent) {
      if (later) {
        apply[f] = value;
        clocks[f] = theirs;
      }
      continue;
    }
    // Concurrent, on the primary.
    const agree = same(before[f], value) || (f === "deletedAt" && before[f] && value);
    if (agree) {
      if (later) {
        apply[f] = value;
        clocks[f] = theirs;
      }
      continue;
    }
    if (spec.sync === "queue") {
      await openConflict(tx, ctx, {
        kind: "record",
        change,
        field: f,
        keptValue: before[f],
        otherValue: value,
        keptClock: ours ?? null,
        otherClock: theirs,
      });
      // Ours stays. Where theirs has the later clock, ours is written again with a newer one,
      // so that every node, deciding by clocks alone, ends with it too.
      if (later) {
        apply[f] = before[f];
        clocks[f] = nextHlc();
      }
    } else {
      await openConflict(tx, ctx, {
        kind: "field",
        change,
        field: f,
        keptValue: later ? value : before[f],
        otherValue: later ? before[f] : value,
        keptClock: later ? theirs : ours ?? null,
        otherClock: later ? ours ?? null : theirs,
        otherFromHere: later,
      });
      if (later) {
        apply[f] = value;
        clocks[f] = theirs;
      }
    }
    conflicts++;
  }
  const fields = Object.keys(clocks);
  if (fields.length === 0 && ctx.role === "replica") {
    // Nothing new here (our own change coming back, or one that lost to ours): take the
    // primary's version and metadata, so the rows match once everything has arrived.
    await adoptVersion(tx, table, change.rowId, meta);
    return conflicts;
  }
  // On the primary even a change that applied nothing moves the version past both sides' and
  // is logged, so every node ends on the primary's version of the row.
  for (const f of fields) if (!(f in apply)) apply[f] = before[f];
  const version = Math.max((before.version as number) + 1, change.version);
  // Applied exactly as made (every field, same version): the sender's row already is ours, so
  // it need not get the change back; anything else goes back to it like any other change.
  const exact = conflicts === 0 && version === change.version &&
    writtenFields(change).every((f) => clocks[f] === clockOf(f));
  const after = await writeRemote(tx, table, {
    before,
    id: change.rowId,
    values: apply,
    ...meta,
    version,
    stamp: {
      origin: exact || ctx.role === "replica" ? ctx.origin : `merged:${ctx.origin}`,
      hlc: change.hlc,
      clocks,
      keepValues: ctx.keepValues,
    },
  });
  return conflicts + await afterApply(tx, ctx, spec, change, before, after, fields);
}

async function afterApply(
  tx: Db,
  ctx: ApplyContext,
  spec: TableSpec,
  change: SyncChangeT,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
  fields: string[],
): Promise<number> {
  if (!spec.onRemoteApply) return 0;
  let opened = 0;
  await spec.onRemoteApply(tx, {
    before,
    after,
    origin: ctx.origin,
    fields,
    openConflict: async (reason) => {
      if (ctx.role !== "primary") return;
      opened++;
      await openConflict(tx, ctx, { kind: "record", change, error: reason });
    },
    forgetUser: (userId) => ctx.deps.principals.forgetUser(userId),
  });
  return opened;
}

const isConstraint = (err: unknown) =>
  err instanceof Rejected || /constraint/i.test(String((err as Error)?.message ?? err)) ||
  /CONSTRAINT/.test(String((err as { code?: string })?.code ?? ""));

/**
 * Applies a batch in the caller's transaction. A change that breaks a constraint is rolled back
 * alone (the batch is applied again change by change, each in a savepoint) and kept whole in the
 * conflict queue, never half applied and never dropped. Answers how many conflicts it opened.
 */
export async function applyBatch(tx: Db, ctx: ApplyContext, changes: SyncChangeT[]) {
  // The whole batch at once first; a savepoint per change costs as much as a tenth of the work.
  try {
    return await inSavepoint(tx, async () => {
      let opened = 0;
      for (const change of changes) opened += await applyOne(tx, ctx, change);
      return opened;
    });
  } catch (err) {
    if (!isConstraint(err)) throw err;
  }
  // One of them breaks a rule: again, one at a time, so that only that one is held back.
  let conflicts = 0;
  for (const change of changes) {
    try {
      conflicts += await inSavepoint(tx, () => applyOne(tx, ctx, change));
    } catch (err) {
      if (!isConstraint(err)) throw err;
      await openConflict(tx, ctx, {
        kind: "rejected",
        change,
        error: err instanceof Rejected ? err.message : String((err as Error).message ?? err),
      });
      conflicts++;
    }
  }
  return conflicts;
}
