/**
 * A read's audit entry as it waits in the queue and crosses to the writer worker, and the row it
 * becomes. Shared by the queue (service.ts) and the worker (writer-worker.ts).
 */
import type { DatabaseOptions } from "../../../db/client.ts";
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

export type WriterRequest =
  | { type: "open"; options: DatabaseOptions }
  | { type: "append"; id: number; entries: QueuedEntry[] }
  | { type: "index"; id: number }
  | { type: "close"; id: number };

export type WriterReply = { id: number; ok: true } | { id: number; ok: false; error: string };
