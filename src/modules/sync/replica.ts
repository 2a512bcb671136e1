/**
 * A replica's side of sync. First contact: until its primary has told it which organisation and
 * site code it serves, a replica allocates no numbers; the answer is stored (sync_state) so a
 * restart, or days offline, need not ask again. Then rounds: push the outbox, then pull until
 * the primary has nothing more, every SYNC_INTERVAL_SECONDS and on demand (POST /sync/run).
 * While the primary is unreachable it backs off exponentially; the API keeps serving throughout.
 *
 * Files of document rows follow the rows (files.ts).
 *
 * Each push and each pulled page commits with its new cursor, so a replica killed at any point
 * resumes where its last commit left it: a push sent again is applied once by the primary
 * (it skips what it has), and a page pulled again is applied once (its cursor had not moved).
 */
import { eq } from "drizzle-orm";
import { syncState } from "../../../db/schema/mod.ts";
import { schemaVersion } from "../../../db/migrate.ts";
import { countOutbox, readOutbox } from "../../../db/changes.ts";
import { observeHlc } from "../../../db/hlc.ts";
import type { Deps } from "../../lib/context.ts";
import { entriesAfter } from "../audit/mod.ts";
import { applyBatch } from "./apply.ts";
import { countOpen } from "./conflicts.ts";
import { uploadFiles, withPrimaryFallback } from "./files.ts";
import { toWire } from "./outgoing.ts";
import { Hello, type PullPageT, PushResult } from "./schemas.ts";

const MAX_BACKOFF_MS = 5 * 60_000;
const PUSH_BATCH = 1000;
const AUDIT_BATCH = 1000;
const PULL_PAGE = 1000;

type State = typeof syncState.$inferSelect;

/** What this replica knows of itself, or undefined before first contact. */
export async function replicaState(deps: Deps): Promise<State | undefined> {
  const [row] = await deps.db.db.select().from(syncState).where(eq(syncState.id, 1));
  return row;
}

/** A request to the primary with this node's credential. */
async function request(deps: Deps, path: string, init: RequestInit = {}): Promise<Response> {
  const { primaryUrl, nodeToken } = deps.config.sync;
  return await fetch(new URL(`/api/v1/sync/${path}`, primaryUrl!), {
    ...init,
    headers: {
      authorization: `Bearer ${nodeToken}`,
      ...(typeof init.body === "string" ? { "content-type": "application/json" } : {}),
      ...init.headers,
    },
    signal: AbortSignal.timeout(60_000),
  }).catch((err) => {
    throw new Error(`the primary (${primaryUrl}) is unreachable: ${(err as Error).message}`);
  });
}

async function call(deps: Deps, path: string, init: RequestInit = {}) {
  const res = await request(deps, path, init);
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    throw new Error(`the primary answered ${res.status} to ${path}: ${body?.detail ?? ""}`);
  }
  return body;
}

/** Asks the primary who this node is and stores the answer; throws when it cannot. */
export async function contactPrimary(deps: Deps) {
  const hello = Hello.parse(await call(deps, "hello"));
  if (hello.schemaVersion !== schemaVersion()) {
    throw new Error(
      `the primary's schema (${hello.schemaVersion}) is not this node's (${schemaVersion()}): ` +
        "upgrade the older one",
    );
  }
  const row = {
    id: 1,
    nodeId: hello.nodeId,
    orgId: hello.organizationId,
    siteCode: hello.siteCode,
    facilityIds: hello.facilityIds,
    schemaVersion: hello.schemaVersion,
    contactedAt: deps.clock.now().toISOString(),
  };
  await deps.db.transaction((tx) =>
    tx.insert(syncState).values(row).onConflictDoUpdate({ target: syncState.id, set: row })
  );
  deps.site.code = hello.siteCode;
  deps.logger.info("sync: first contact", { siteCode: hello.siteCode, node: hello.nodeId });
}

const saveState = (deps: Deps, set: Partial<State>) =>
  deps.db.transaction((tx) => tx.update(syncState).set(set).where(eq(syncState.id, 1)));

/** One push batch, read and serialised, with the positions it ends at. */
async function prepareBatch(deps: Deps, orgId: string, after: { seq: number; audit: number }) {
  const entries = await readOutbox(deps.db.db, orgId, after.seq, PUSH_BATCH);
  const audit = await entriesAfter(deps.db.db, orgId, after.audit, AUDIT_BATCH);
  const changes = await toWire(deps.db.db, deps.registry, entries, { withBase: true });
  return {
    changes: entries.length,
    audit: audit.length,
    body: JSON.stringify({ schemaVersion: schemaVersion(), changes, audit }),
    seq: entries.length ? entries[entries.length - 1].seq : after.seq,
    auditSeq: audit.length ? audit[audit.length - 1].seq : after.audit,
  };
}

/**
 * Sends the outbox and this node's audit entries, batch by batch, in order; answers how many
 * changes. The next batch is read and serialised while the primary applies the current one; it
 * is sent only once the current one is confirmed.
 */
async function push(deps: Deps, state: State): Promise<number> {
  let pushed = 0;
  let next = prepareBatch(deps, state.orgId, { seq: state.pushedSeq, audit: state.auditSeq });
  while (true) {
    const started = performance.now();
    const batch = await next;
    if (batch.changes === 0 && batch.audit === 0) return pushed;
    next = prepareBatch(deps, state.orgId, { seq: batch.seq, audit: batch.auditSeq });
    let answer;
    try {
      answer = PushResult.parse(await call(deps, "push", { method: "POST", body: batch.body }));
    } catch (err) {
      await next.catch(() => {});
      throw err;
    }
    await saveState(deps, {
      pushedSeq: batch.seq,
      auditSeq: batch.auditSeq,
      lastPushAt: deps.clock.now().toISOString(),
    });
    pushed += batch.changes;
    deps.logger.info("sync: pushed", {
      changes: batch.changes,
      audit: batch.audit,
      conflicts: answer.conflicts,
      ms: Math.round(performance.now() - started),
    });
  }
}

/**
 * A page from the primary, checked in its shape only: the primary is this node's authority,
 * reached with its credential, and has already said its schema is this node's; validating each
 * of a thousand changes field by field cost a tenth of applying them.
 */
function pullPage(body: unknown): PullPageT {
  const page = body as PullPageT | null;
  if (
    !page || typeof page.schemaVersion !== "number" || !Array.isArray(page.changes) ||
    typeof page.next !== "number" || typeof page.more !== "boolean"
  ) throw new Error("the primary's answer to pull is not a page of changes");
  return page;
}

/** Applies the primary's changes after this node's cursor, page by page. */
async function pull(deps: Deps, state: State): Promise<number> {
  let pulled = 0;
  let after = state.pulledSeq;
  while (true) {
    const started = performance.now();
    const page = pullPage(
      await call(deps, `pull?after=${after}&limit=${PULL_PAGE}&schemaVersion=${schemaVersion()}`),
    );
    if (page.schemaVersion !== schemaVersion()) {
      throw new Error(`the primary's schema (${page.schemaVersion}) is not this node's`);
    }
    for (const c of page.changes) observeHlc(c.hlc);
    const ctx = {
      deps,
      role: "replica" as const,
      origin: "primary",
      orgId: state.orgId,
      site: "primary",
      keepValues: false,
      trusted: true,
    };
    await deps.db.transaction(async (tx) => {
      await applyBatch(tx, ctx, page.changes);
      await tx.update(syncState).set({
        pulledSeq: page.next,
        ...(page.more ? {} : { lastPullAt: deps.clock.now().toISOString() }),
      }).where(eq(syncState.id, 1));
    }, { alone: true }); // a page of up to 1,000 changes: bulk work
    pulled += page.changes.length;
    after = page.next;
    if (page.changes.length) {
      deps.logger.info("sync: pulled", {
        changes: page.changes.length,
        ms: Math.round(performance.now() - started),
      });
    }
    if (!page.more) return pulled;
  }
}

/** One round: first contact if needed, push, pull. */
async function round(deps: Deps) {
  if (!deps.site.code) await contactPrimary(deps);
  let state = (await replicaState(deps))!;
  try {
    const pushed = await push(deps, state);
    const files = await uploadFiles(deps, (path, init) => request(deps, path, init));
    if (files) deps.logger.info("sync: files uploaded", { files });
    state = (await replicaState(deps))!;
    const pulled = await pull(deps, state);
    if (state.lastError) await saveState(deps, { lastError: null });
    return { pushed, pulled, conflicts: await countOpen(deps.db.db, state.orgId) };
  } catch (err) {
    await saveState(deps, { lastError: String((err as Error).message ?? err) });
    throw err;
  }
}

export interface ReplicaRunner {
  /** Runs a round now (after the one in progress, if any). */
  run(): Promise<{ pushed: number; pulled: number; conflicts: number }>;
}

const runners = new WeakMap<Deps, ReplicaRunner>();

export const runnerOf = (deps: Deps) => runners.get(deps);

/** Starts the replica's loop; answers the function that stops it. */
export async function startReplica(deps: Deps): Promise<() => Promise<void>> {
  const known = await replicaState(deps);
  if (known) deps.site.code = known.siteCode;
  deps.documents = withPrimaryFallback(
    deps,
    deps.documents,
    (path, init) => request(deps, path, init),
  );
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let tail: Promise<unknown> = Promise.resolve();
  let delay = 1000;
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = tail.then(fn, fn);
    tail = next.catch(() => {});
    return next;
  };
  const tick = () => {
    timer = undefined;
    serial(async () => {
      try {
        await round(deps);
        delay = deps.config.sync.intervalSeconds * 1000;
      } catch (err) {
        deps.logger.warn("sync: primary unreachable, retrying", {
          error: String((err as Error).message ?? err),
          retryInSeconds: Math.round(delay / 1000),
        });
        delay = Math.min(delay * 2, MAX_BACKOFF_MS);
      }
      if (!stopped) timer = setTimeout(tick, delay);
    });
  };
  timer = setTimeout(tick, 0);
  runners.set(deps, { run: () => serial(() => round(deps)) });
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await tail;
  };
}

/** What GET /sync/status answers on a replica. */
export async function replicaStatus(deps: Deps) {
  const state = await replicaState(deps);
  if (!state) {
    return {
      pendingChanges: 0,
      lastPushAt: null,
      lastPullAt: null,
      lagSeconds: null,
      conflictsOpen: 0,
      lastError: null,
    };
  }
  const lag = state.lastPullAt
    ? (deps.clock.now().getTime() - Date.parse(state.lastPullAt)) / 1000
    : null;
  return {
    pendingChanges: await countOutbox(deps.db.db, state.orgId, state.pushedSeq),
    lastPushAt: state.lastPushAt,
    lastPullAt: state.lastPullAt,
    lagSeconds: lag === null ? null : Math.max(0, Math.round(lag)),
    conflictsOpen: await countOpen(deps.db.db, state.orgId),
    lastError: state.lastError,
  };
}
