/**
 * A read's audit entry as it waits in the queue and crosses to the writer worker, and the row it
 * becomes. Shared by the queue (service.ts) and the worker (writer-worker.ts).
 */
import { type DatabaseHandle, type DatabaseOptions, executorOf } from "../../../db/client.ts";
import { auditEvents } from "../../../db/schema/mod.ts";
import { newId } from "../../../db/ids.ts";

type AuditRow = typeof auditEvents.$inferInsert;

/**
 * A queued entry, positional to keep the read path cheap (no object per field to build, and a
 * quick copy to the worker). Its id and ISO time are made when the batch is written, in the
 * worker, from the event's time in milliseconds.
 */
export type QueuedEntry = [
  atMs: number,
  orgId: string | null,
  actorId: string | null,
  actorRole: string | null,
  facilityId: string | null,
  action: string,
  entityType: string | null,
  entityId: string | null,
  patientId: string | null,
  outcome: string,
  ip: string | null,
  userAgent: string | null,
  requestId: string,
  changedFields: string[] | null,
  patientIds: string[] | null,
];

export function rowOf(q: QueuedEntry): AuditRow {
  return {
    id: newId(),
    at: new Date(q[0]).toISOString(),
    orgId: q[1],
    actorId: q[2],
    actorRole: q[3],
    facilityId: q[4],
    action: q[5],
    entityType: q[6],
    entityId: q[7],
    patientId: q[8],
    outcome: q[9],
    ip: q[10],
    userAgent: q[11],
    requestId: q[12],
    changedFields: q[13],
    patientIds: q[14],
  };
}

/** Columns of `audit_events` filled from a queued entry's fields 1-14, in that order. */
const FIELD_COLUMNS = [
  "org_id",
  "actor_id",
  "actor_role",
  "facility_id",
  "action",
  "entity_type",
  "entity_id",
  "patient_id",
  "outcome",
  "ip",
  "user_agent",
  "request_id",
  "changed_fields",
  "patient_ids",
] as const;
const JSON_COLUMNS = new Set<string>(["changed_fields", "patient_ids"]);

/**
 * Appends a batch of queued entries given as one JSON text (`JSON.stringify(entries)`): SQLite
 * takes each entry's fields and makes its id (the UUIDv7 layout: the time in milliseconds, the
 * version, then random bits) and ISO time, so the writer makes no JavaScript object per entry.
 * Entry by entry, each batch was cloned into the writer's heap and mapped to rows and parameters,
 * 5,000 entries of garbage that outlived a scavenge and waited for a full collection: ~55 MiB of
 * the worker's heap under load. The CPU per entry is the same (~12-16 µs, mostly the row and its
 * indexes). A JSON `null` list is stored as SQL NULL, as drizzle does.
 */
export const APPEND_BATCH = `INSERT INTO audit_events ("id", "at", ${
  FIELD_COLUMNS.map((c) => `"${c}"`).join(", ")
})
  SELECT printf('%08x-%04x-7%03x-%04x-%012x', e.value ->> 0 / 65536, e.value ->> 0 % 65536,
      random() & 4095, (random() & 16383) | 32768, random() & 281474976710655),
    strftime('%Y-%m-%dT%H:%M:%S', e.value ->> 0 / 1000, 'unixepoch')
      || printf('.%03dZ', e.value ->> 0 % 1000),
    ${
  FIELD_COLUMNS.map((c, i) =>
    JSON_COLUMNS.has(c) ? `nullif(e.value -> ${i + 1}, 'null')` : `e.value ->> ${i + 1}`
  ).join(", ")
}
  FROM json_each(?) e`;

/** Appends a batch (its JSON text) in one transaction of `handle` (see `APPEND_BATCH`). */
export function appendBatch(handle: DatabaseHandle, batch: string): Promise<void> {
  // Up to 5,000 entries: bulk work, committed by itself (db/write-queue.ts).
  return handle.transaction(async (tx) => {
    await executorOf(tx)(APPEND_BATCH, [batch], "run");
  }, { alone: true });
}

export type WriterRequest =
  | { type: "open"; options: DatabaseOptions }
  | { type: "append"; id: number; batch: string }
  | { type: "index"; id: number }
  | { type: "close"; id: number };

export type WriterReply = { id: number; ok: true } | { id: number; ok: false; error: string };
