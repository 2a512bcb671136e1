/**
 * The audit trail. Writes are audited inside the write's own transaction (`record`), so a change
 * and its audit entry commit or vanish together. Reads are queued (`recordRead`) and appended in
 * batches, one transaction per batch, so the read path pays a push onto an array instead of a
 * durable write; `close()` flushes, so a clean shutdown loses nothing. On an embedded file
 * database the batches are appended by a worker thread on its own connection, so their cost
 * (mostly index maintenance and the COMMIT's fsync) never stalls a request.
 */
import { and, desc, eq, gte, isNull, lt, lte, type SQL } from "drizzle-orm";
import type { DatabaseHandle, DatabaseOptions, Db } from "../../../db/client.ts";
import { workerScript } from "../../../db/paths.ts";
import { insertRow } from "../../../db/rows.ts";
import { auditEvents } from "../../../db/schema/mod.ts";
import type { Clock } from "../../lib/clock.ts";
import type { Logger } from "../../lib/logger.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import {
  appendBatch,
  type QueuedEntry,
  rowOf,
  type WriterReply,
  type WriterRequest,
} from "./entries.ts";
import { entriesOfPatient, INDEX_BATCH, indexPatients } from "./patient-index.ts";
import type { AuditEntry, AuditLog, AuditSubject } from "../../lib/services.ts";

/** Where batches go: the main connection, or a worker thread with its own connection. */
interface BatchSink {
  append(entries: QueuedEntry[]): Promise<void>;
  /** Brings the index by patient up to the end of the trail (patient-index.ts). */
  index(): Promise<void>;
  close(): Promise<void>;
}

function inlineSink(handle: DatabaseHandle): BatchSink {
  return {
    append: (entries) => appendBatch(handle, JSON.stringify(entries)),
    index: () => handle.transaction(indexPatients, { alone: true }).then(() => {}),
    close: () => Promise.resolve(),
  };
}

/**
 * The worker's connections only append to the trail and index its newest entries: a small page
 * cache does. At the server's 8 MiB, each filled up with pages of the growing trail under a read
 * load, resident memory the API's own reads never use.
 */
const WRITER_CACHE_KIB = 2048;
const writerOptions = (options: DatabaseOptions): DatabaseOptions => ({
  ...options,
  cacheSizeKiB: Math.min(options.cacheSizeKiB ?? WRITER_CACHE_KIB, WRITER_CACHE_KIB),
});

/**
 * Batches go to a worker thread. Should the worker die, every batch it had not confirmed is
 * failed back to the queue (so it is retried, not lost) and later batches go to `fallback`.
 * The worker starts with the first batch: loading it competed with the server's own start
 * (~0.15 s of a cold start on two cores), and a server nobody reads from never needs it.
 */
function workerSink(options: DatabaseOptions, fallback: BatchSink, logger: Logger): BatchSink {
  let worker: Worker | undefined;
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let broken = false;
  const started = () => worker ??= startWorker();
  const startWorker = () => {
    const w = new Worker(workerScript("src/modules/audit/writer-worker.ts"), { type: "module" });
    w.onmessage = onMessage;
    w.onerror = onError;
    w.postMessage({ type: "open", options: writerOptions(options) } satisfies WriterRequest);
    return w;
  };
  const onMessage = (e: MessageEvent<WriterReply>) => {
    const waiter = pending.get(e.data.id);
    pending.delete(e.data.id);
    if (e.data.ok) waiter?.resolve();
    else waiter?.reject(new Error(e.data.error));
  };
  const onError = (e: ErrorEvent) => {
    e.preventDefault();
    broken = true;
    logger.error("audit writer worker failed; appending on the main connection", {
      error: e.message,
    });
    for (const waiter of pending.values()) waiter.reject(new Error("audit writer worker failed"));
    pending.clear();
    worker?.terminate();
  };
  const send = (msg: WriterRequest & { id: number }) =>
    new Promise<void>((resolve, reject) => {
      pending.set(msg.id, { resolve, reject });
      started().postMessage(msg);
    });
  return {
    append: (entries) =>
      broken
        ? fallback.append(entries)
        : send({ type: "append", id: nextId++, batch: JSON.stringify(entries) }),
    // Before the first batch there is no worker to start just for this: the main connection
    // indexes what writes recorded.
    index: () => broken || !worker ? fallback.index() : send({ type: "index", id: nextId++ }),
    async close() {
      if (broken || !worker) return;
      await send({ type: "close", id: nextId++ });
      worker.terminate();
    },
  };
}

export interface AuditLogOptions {
  flushMs: number;
  maxBatch?: number;
  /**
   * How long entries may wait to be indexed by patient (they are found meanwhile by scanning the
   * unindexed tail); sooner once INDEX_BATCH entries wait. Default 5 s.
   */
  indexMs?: number;
  /** Embedded file databases: append read batches from a worker thread (see writer-worker.ts). */
  workerDatabase?: DatabaseOptions;
}

export function createAuditLog(
  handle: DatabaseHandle,
  clock: Clock,
  logger: Logger,
  options: AuditLogOptions,
): AuditLog {
  const maxBatch = options.maxBatch ?? 5000;
  const inline = inlineSink(handle);
  const sink = options.workerDatabase ? workerSink(options.workerDatabase, inline, logger) : inline;
  let queue: QueuedEntry[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let indexTimer: ReturnType<typeof setTimeout> | undefined;
  let unindexed = 0;
  /** Whether entries may have been written since the last indexing. */
  let dirty = false;
  let flushing: Promise<void> = Promise.resolve();
  let closing: Promise<void> | undefined;

  const toEntry = (who: AuditSubject, e: AuditEntry): QueuedEntry => [
    clock.now().getTime(),
    who.orgId ?? null,
    who.userId ?? null,
    // An account on temporary access (self-registered, not yet approved) is marked as such.
    who.role && who.temporary ? `${who.role} (temporary)` : who.role ?? null,
    who.facilityId ?? null,
    e.action,
    e.entityType ?? null,
    e.entityId ?? null,
    e.patientId ?? null,
    e.outcome ?? "success",
    who.ip ?? null,
    who.userAgent ?? null,
    who.requestId,
    e.changedFields ?? null,
    e.patientIds ?? null,
  ];

  const schedule = () => {
    if (timer === undefined) timer = setTimeout(flush, options.flushMs);
  };

  // Indexing goes through the same chain as appends, so it runs after the entries queued before
  // it have been written.
  function index(): Promise<void> {
    if (indexTimer !== undefined) clearTimeout(indexTimer);
    indexTimer = undefined;
    unindexed = 0;
    dirty = false;
    flushing = flushing.then(() => sink.index()).catch((err) => {
      logger.error("audit patient index failed; will retry", { error: String(err) });
      scheduleIndex();
    });
    return flushing;
  }
  const scheduleIndex = () => {
    if (indexTimer === undefined && !closing) {
      indexTimer = setTimeout(index, options.indexMs ?? 5000);
    }
  };

  function flush(): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return flushing;
    const batch = queue;
    queue = [];
    // Batches are appended one after the other, so entries reach the table in order.
    flushing = flushing.then(() => sink.append(batch)).catch((err) => {
      // Keep the entries: put them back in front and try again on the next flush.
      queue = batch.concat(queue);
      logger.error("audit flush failed; will retry", { error: String(err), entries: batch.length });
      schedule();
    });
    unindexed += batch.length;
    dirty = true;
    if (unindexed >= INDEX_BATCH) return index();
    scheduleIndex();
    return flushing;
  }

  return {
    async record(tx, who, entry) {
      // SQL built once (db/rows.ts): every audited write runs it, often twice.
      await insertRow(tx, auditEvents, rowOf(toEntry(who, entry)));
      dirty = true;
      scheduleIndex();
    },
    recordRead(who, entry) {
      queue.push(toEntry(who, entry));
      if (queue.length >= maxBatch) flush();
      else schedule();
    },
    flush,
    index: () => flush().then(index),
    close() {
      closing ??= (async () => {
        await flush();
        await flushing;
        if (queue.length > 0) await sink.append(queue.splice(0));
        if (indexTimer !== undefined) clearTimeout(indexTimer);
        indexTimer = undefined;
        // A clean stop leaves the trail fully indexed; a failure here only leaves a longer tail.
        if (dirty) {
          await sink.index().catch((err) =>
            logger.error("audit patient index failed at close", { error: String(err) })
          );
        }
        await sink.close();
      })();
      return closing;
    },
  };
}

export interface AuditQuery {
  limit: number;
  cursor?: string;
  actorId?: string;
  patientId?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  outcome?: string;
  from?: string;
  to?: string;
}

/**
 * Newest first (the order the trail recorded them), keyset-paginated on `seq`. Always scoped to
 * one trail: the caller's organisation, or (null) the platform's, which holds what belongs to no
 * organisation (failed logins of unknown accounts, super admins' actions).
 *
 * `from`/`to` compare `at` on the rows the other conditions select. There is deliberately no
 * index on `at`: it would cost every appended read entry, and `at` does not follow `seq` closely
 * enough (batched reads land late; clocks get corrected) to bound `seq` by time safely. A window
 * far in the past therefore scans the newer entries of the organisation; add patientId or
 * actorId to narrow it.
 */
export async function listAuditEvents(db: Db, orgId: string | null, q: AuditQuery) {
  const where: SQL[] = [orgId === null ? isNull(auditEvents.orgId) : eq(auditEvents.orgId, orgId)];
  if (q.actorId) where.push(eq(auditEvents.actorId, q.actorId));
  if (q.action) where.push(eq(auditEvents.action, q.action));
  if (q.entityType) where.push(eq(auditEvents.entityType, q.entityType));
  if (q.entityId) where.push(eq(auditEvents.entityId, q.entityId));
  if (q.outcome) where.push(eq(auditEvents.outcome, q.outcome));
  if (q.from) where.push(gte(auditEvents.at, q.from));
  if (q.to) where.push(lte(auditEvents.at, q.to));
  const cursor = decodeCursor(q.cursor);
  const before = cursor ? Number(cursor.v) : undefined;
  if (q.patientId) {
    const rows = await entriesOfPatient(db, q.patientId, where, before, q.limit + 1);
    const page = pageOf(rows, q.limit, (r) => r.seq);
    return { data: page.data.map(({ seq: _seq, ...e }) => e), nextCursor: page.nextCursor };
  }
  if (before !== undefined) where.push(lt(auditEvents.seq, before));
  const rows = await db.select().from(auditEvents).where(and(...where))
    .orderBy(desc(auditEvents.seq)).limit(q.limit + 1);
  const page = pageOf(rows, q.limit, (r) => r.seq);
  return { data: page.data.map(({ seq: _seq, ...e }) => e), nextCursor: page.nextCursor };
}
