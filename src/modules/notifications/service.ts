/**
 * The outbox's rules: other modules enqueue, cancel and reschedule notifications inside their
 * own write transaction (a booking and its reminders commit or vanish together); admins list,
 * read and retry them. Delivery is delivery.ts.
 */
import { keepSecret } from "./secrets.ts";
import { and, desc, eq, inArray, isNull, lt, type SQL } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { notificationAttempts, notifications } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp, updateInTenant } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, type FieldError, notFound, unprocessable } from "../../lib/errors.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import type { AuditSubject } from "../../lib/services.ts";
import { numberingSite } from "../../lib/site.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import type { Channel, Status } from "./schemas.ts";

type Row = typeof notifications.$inferSelect;
type AttemptRow = typeof notificationAttempts.$inferSelect;

const ENTITY = "notification";

export const toNotification = (n: Row) => ({
  id: n.id,
  channel: n.channel as Channel,
  recipient: n.recipient,
  kind: n.kind,
  subject: n.subject,
  body: n.body,
  payload: n.payload,
  patientId: n.patientId,
  relatedType: n.relatedType,
  relatedId: n.relatedId,
  dueAt: n.dueAt,
  status: n.status as Status,
  attempts: n.attempts,
  nextAttemptAt: n.nextAttemptAt,
  claimedUntil: n.claimedUntil,
  lastError: n.lastError,
  sentAt: n.sentAt,
  originSite: n.originSite,
  version: n.version,
  createdAt: n.createdAt,
  updatedAt: n.updatedAt,
});
export type NotificationView = ReturnType<typeof toNotification>;

export const toAttempt = (a: AttemptRow) => ({
  id: a.id,
  attempt: a.attempt,
  at: a.at,
  outcome: a.outcome as "sent" | "failed",
  httpStatus: a.httpStatus,
  smtpResponse: a.smtpResponse,
  error: a.error,
  durationMs: a.durationMs,
});

/**
 * Who enqueues, cancels or reschedules: the request's actor, or a module's own work with no
 * request (a sync rule, a scheduled job) naming the organisation and, if any, the user.
 */
export type NotifyingActor = Actor | { orgId: string; userId: string | null; requestId?: string };

/**
 * The `updated_by` of a write: the user, or none for a module's own work. (The tenant writers
 * type the actor as a string; null is what a write with no user stores, as sync's do.)
 */
const actorIdOf = (who: NotifyingActor) => who.userId as string;

const subjectOf = (who: NotifyingActor): AuditSubject => ({
  ...who,
  userId: who.userId ?? undefined,
  requestId: who.requestId ?? "notifications",
});

export interface NotificationInput {
  channel: Channel;
  /** The email address (channel `email`); none for `webhook`, which goes to the configured URL. */
  recipient?: string | null;
  /** Dotted, lower case: `appointment.reminder`. */
  kind: string;
  subject: string;
  body: string;
  /**
   * What is actually sent instead of `body` when it must not leave this node (a one-time code):
   * `body` is then the placeholder other nodes and the outbox list show.
   */
  secretBody?: string;
  /** What a webhook receives under `data`. */
  payload?: Record<string, unknown>;
  patientId?: string | null;
  relatedType: string;
  relatedId: string;
  /** When to send it, an ISO-8601 instant; stored in UTC. */
  dueAt: string;
}

/** A notification's new due time and, optionally, new text (a moved appointment's reminder). */
export interface NotificationChange {
  dueAt: string;
  subject?: string;
  body?: string;
  payload?: Record<string, unknown>;
}

export interface RelatedFilter {
  relatedType: string;
  relatedId: string;
  kind?: string;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const KIND = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;

/**
 * The instant in UTC ISO-8601 with milliseconds, or undefined when it is not one. It must name
 * its offset (`Z`, `+03:00`): a bare local time would be read in the server's timezone, not the
 * clinic's.
 */
function utc(instant: string): string | undefined {
  const d = new Date(instant);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(instant) &&
      !Number.isNaN(d.getTime())
    ? d.toISOString()
    : undefined;
}

const textProblems = (i: { subject?: string; body?: string }, out: FieldError[]) => {
  if (i.subject !== undefined && (!i.subject || i.subject.length > 300)) {
    out.push({ path: "subject", message: "1-300 characters" });
  }
  if (i.body !== undefined && (!i.body || i.body.length > 100_000)) {
    out.push({ path: "body", message: "1-100,000 characters" });
  }
  return out;
};

/** The caller's mistakes, each named: a module's bug or its user's missing email address. */
function inputProblems(i: NotificationInput): FieldError[] {
  const out: FieldError[] = [];
  const bad = (path: string, message: string) => out.push({ path, message });
  if (i.channel !== "webhook" && i.channel !== "email") bad("channel", "must be webhook or email");
  if (i.channel === "email" && !(i.recipient && EMAIL.test(i.recipient))) {
    bad("recipient", "an email notification needs the recipient's email address");
  }
  if (i.channel === "webhook" && i.recipient) {
    bad("recipient", "a webhook notification goes to the configured URL: no recipient");
  }
  if (!KIND.test(i.kind) || i.kind.length > 100) bad("kind", "dotted lower-case words");
  textProblems({ subject: i.subject ?? "", body: i.body ?? "" }, out);
  if (!i.relatedType || !i.relatedId) bad("relatedType", "say what it is about");
  if (!utc(i.dueAt)) bad("dueAt", "must be an ISO-8601 instant with its offset");
  return out;
}

/**
 * Adds a notification to the outbox in the caller's transaction (it is sent only if that
 * commits). It is delivered from `dueAt` on by the node that created it. On a clinic replica
 * that has not reached its primary yet this answers 503, as numbering does: the node has no
 * identity of its own until then, and another node could deliver it too.
 */
export async function enqueueNotification(
  deps: Deps,
  tx: Db,
  who: NotifyingActor,
  input: NotificationInput,
): Promise<NotificationView> {
  const problems = inputProblems(input);
  if (problems.length) throw unprocessable("The notification is not valid.", problems);
  const originSite = numberingSite(deps) ?? "";
  const now = deps.clock.now().toISOString();
  const dueAt = utc(input.dueAt)!;
  const row = await insertTracked(tx, notifications, {
    ...stamp(who.orgId, who.userId, now),
    channel: input.channel,
    recipient: input.channel === "email" ? input.recipient! : null,
    kind: input.kind,
    subject: input.subject,
    body: input.body,
    payload: input.payload ?? {},
    patientId: input.patientId ?? null,
    relatedType: input.relatedType,
    relatedId: input.relatedId,
    dueAt,
    status: "pending",
    attempts: 0,
    nextAttemptAt: dueAt,
    originSite,
  });
  if (input.secretBody !== undefined) await keepSecret(tx, row, input.secretBody, now);
  await deps.audit.record(tx, subjectOf(who), {
    action: "notification.create",
    entityType: ENTITY,
    entityId: row.id,
    patientId: row.patientId,
  });
  return toNotification(row);
}

/** The organisation's live notifications about one thing in the given states. */
function relatedRows(tx: Db, orgId: string, f: RelatedFilter, states: Status[]) {
  const where: SQL[] = [
    eq(notifications.orgId, orgId),
    eq(notifications.relatedType, f.relatedType),
    eq(notifications.relatedId, f.relatedId),
    inArray(notifications.status, states),
    isNull(notifications.deletedAt),
  ];
  if (f.kind) where.push(eq(notifications.kind, f.kind));
  return tx.select().from(notifications).where(and(...where));
}

async function cancelRow(deps: Deps, tx: Db, who: NotifyingActor, row: Row, at: string) {
  await updateInTenant(tx, notifications, {
    orgId: row.orgId,
    id: row.id,
    set: { status: "cancelled", claimedUntil: null },
    actorId: actorIdOf(who),
    at,
  });
  await deps.audit.record(tx, subjectOf(who), {
    action: "notification.cancel",
    entityType: ENTITY,
    entityId: row.id,
    patientId: row.patientId,
  });
}

/**
 * Cancels the notifications about one thing (of one kind, if given) that have not gone out:
 * pending ones, and ones being sent (a delivery already under way still completes, and is then
 * recorded as sent). Sent, failed and cancelled ones stay as they are. Answers how many.
 */
export async function cancelNotifications(
  deps: Deps,
  tx: Db,
  who: NotifyingActor,
  filter: RelatedFilter,
): Promise<number> {
  const at = deps.clock.now().toISOString();
  const rows = await relatedRows(tx, who.orgId, filter, ["pending", "sending"]);
  for (const row of rows) await cancelRow(deps, tx, who, row, at);
  return rows.length;
}

/**
 * Moves the pending notifications about one thing (a moved appointment's reminders): `change`
 * answers each one's new due time (and, optionally, new text), or null to cancel it (its new time
 * has already passed, say). Notifications being sent, sent, failed or cancelled are left alone.
 */
export async function rescheduleNotifications(
  deps: Deps,
  tx: Db,
  who: NotifyingActor,
  filter: RelatedFilter,
  change: (n: NotificationView) => string | NotificationChange | null,
): Promise<{ rescheduled: number; cancelled: number }> {
  const at = deps.clock.now().toISOString();
  const out = { rescheduled: 0, cancelled: 0 };
  for (const row of await relatedRows(tx, who.orgId, filter, ["pending"])) {
    const answer = change(toNotification(row));
    if (answer === null) {
      await cancelRow(deps, tx, who, row, at);
      out.cancelled++;
      continue;
    }
    const next: NotificationChange = typeof answer === "string" ? { dueAt: answer } : answer;
    const dueAt = utc(next.dueAt);
    const problems = textProblems(next, []);
    if (!dueAt) {
      problems.push({ path: "dueAt", message: "must be an ISO-8601 instant with its offset" });
    }
    if (problems.length) throw unprocessable("The new notification is not valid.", problems);
    const set = {
      dueAt: dueAt!,
      nextAttemptAt: dueAt!,
      ...(next.subject !== undefined ? { subject: next.subject } : {}),
      ...(next.body !== undefined ? { body: next.body } : {}),
      ...(next.payload !== undefined ? { payload: next.payload } : {}),
    };
    await updateInTenant(tx, notifications, {
      orgId: row.orgId,
      id: row.id,
      set,
      actorId: actorIdOf(who),
      at,
    });
    await deps.audit.record(tx, subjectOf(who), {
      action: "notification.reschedule",
      entityType: ENTITY,
      entityId: row.id,
      patientId: row.patientId,
      changedFields: Object.keys(set),
    });
    out.rescheduled++;
  }
  return out;
}

export interface NotificationQuery {
  limit: number;
  cursor?: string;
  status?: Status;
  relatedType?: string;
  relatedId?: string;
  patientId?: string;
}

/** Newest first. Each patient whose notifications the page shows is audited as read. */
export async function listNotifications(deps: Deps, a: Actor, q: NotificationQuery) {
  const where: SQL[] = [eq(notifications.orgId, a.orgId), isNull(notifications.deletedAt)];
  if (q.status) where.push(eq(notifications.status, q.status));
  if (q.relatedType) where.push(eq(notifications.relatedType, q.relatedType));
  if (q.relatedId) where.push(eq(notifications.relatedId, q.relatedId));
  if (q.patientId) where.push(eq(notifications.patientId, q.patientId));
  const cursor = decodeCursor(q.cursor);
  if (cursor) where.push(lt(notifications.id, cursor.id));
  const rows = await deps.db.db.select().from(notifications).where(and(...where))
    .orderBy(desc(notifications.id)).limit(q.limit + 1);
  const page = pageOf(rows.map(toNotification), q.limit, (n) => n.id);
  const patients = new Set(page.data.map((n) => n.patientId).filter((p) => p !== null));
  for (const patientId of patients) {
    deps.audit.recordRead(a, { action: "notification.list", entityType: ENTITY, patientId });
  }
  return page;
}

/** One notification with this server's delivery attempts; audited as a read of its patient. */
export async function readNotification(deps: Deps, a: Actor, id: string) {
  const row = await findInTenant(deps.db.db, notifications, a.orgId, id);
  if (!row) throw notFound("Notification");
  const attempts = await deps.db.db.select().from(notificationAttempts)
    .where(and(
      eq(notificationAttempts.orgId, a.orgId),
      eq(notificationAttempts.notificationId, id),
    ))
    .orderBy(notificationAttempts.at, notificationAttempts.id).limit(200);
  deps.audit.recordRead(a, {
    action: "notification.read",
    entityType: ENTITY,
    entityId: id,
    patientId: row.patientId,
  });
  return { ...toNotification(row), deliveryAttempts: attempts.map(toAttempt) };
}

/**
 * Puts a failed notification back in the queue, due now, with the retry schedule started over.
 * Anything but `failed` answers 409: a pending one is queued already, a sent one went out, a
 * cancelled one was withdrawn on purpose.
 */
export async function retryNotification(deps: Deps, a: Actor, id: string) {
  return await deps.db.transaction(async (tx) => {
    const before = await findInTenant(tx, notifications, a.orgId, id);
    if (!before) throw notFound("Notification");
    const row = await auditedUpdate(deps, tx, a, {
      table: notifications,
      label: "Notification",
      id,
      expectedVersion: undefined,
      check: (before) => {
        if (before.status !== "failed") {
          throw conflict(
            `Only a failed notification can be retried; this one is ${before.status}.`,
          );
        }
      },
      set: {
        status: "pending",
        attempts: 0,
        nextAttemptAt: deps.clock.now().toISOString(),
        claimedUntil: null,
      },
      action: "notification.retry",
      entityType: ENTITY,
      patientId: before.patientId ?? undefined,
      fields: ["status", "attempts", "nextAttemptAt"],
    });
    return toNotification(row);
  });
}
