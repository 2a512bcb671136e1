/**
 * The notification outbox: messages other modules enqueue inside their own write transaction
 * (an appointment reminder, later a password-reset code or a critical lab result), delivered by
 * a background worker of the node that created them, and the per-node log of delivery attempts.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { businessColumns } from "./columns.ts";
import { patients } from "./patients.ts";

/**
 * One message to send. `status`: pending → sending (claimed by one process until
 * `claimed_until`) → sent, or back to pending with a later `next_attempt_at` (retry), or failed;
 * pending ones may be cancelled. Rows sync between nodes like any other, but only the node whose
 * site created one (`origin_site`) delivers it.
 */
export const notifications = sqliteTable("notifications", {
  ...businessColumns(),
  /** webhook | email */
  channel: text("channel").notNull(),
  /** The email address for `email`; null for `webhook` (the configured endpoint). */
  recipient: text("recipient"),
  /** What it is, dotted: `appointment.reminder`, `lab.critical-result`. */
  kind: text("kind").notNull(),
  subject: text("subject").notNull(),
  body: text("body").notNull(),
  /** What a webhook receives under `data`. */
  payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  patientId: text("patient_id").references(() => patients.id),
  /** What it is about: `appointment` and the appointment's id. */
  relatedType: text("related_type").notNull(),
  relatedId: text("related_id").notNull(),
  /** When it should go out (UTC ISO-8601). */
  dueAt: text("due_at").notNull(),
  /** pending | sending | sent | failed | cancelled */
  status: text("status").notNull().default("pending"),
  /** Delivery attempts made since it was created or last retried by hand. */
  attempts: integer("attempts").notNull().default(0),
  /** When the worker may next try it: `due_at`, then the retry schedule. */
  nextAttemptAt: text("next_attempt_at").notNull(),
  /** While `sending`: the claim's end; past it, a crashed process's claim is taken over. */
  claimedUntil: text("claimed_until"),
  lastError: text("last_error"),
  sentAt: text("sent_at"),
  /** The site code of the node that created it ("" for a standalone or primary server). */
  originSite: text("origin_site").notNull(),
}, (t) => [
  // The worker's query: due rows by status and time.
  index("notifications_status_next_idx").on(t.status, t.nextAttemptAt),
  index("notifications_related_idx").on(t.relatedType, t.relatedId),
  index("notifications_patient_idx").on(t.patientId),
  // The admin list: an organisation's rows, newest first.
  index("notifications_org_idx").on(t.orgId, t.id),
]);

/**
 * The delivery log: one row per attempt, never changed. Kept on the node that made the attempt
 * (it is that node's record of what it sent), never synced.
 */
export const notificationAttempts = sqliteTable("notification_attempts", {
  ...businessColumns(),
  notificationId: text("notification_id").notNull().references(() => notifications.id),
  /** 1 for the first attempt of the current schedule. */
  attempt: integer("attempt").notNull(),
  at: text("at").notNull(),
  /** sent | failed (a failed attempt may still be retried: see the notification's status) */
  outcome: text("outcome").notNull(),
  /** The webhook's HTTP status, when it answered. */
  httpStatus: integer("http_status"),
  /** The SMTP server's last response line, when it answered. */
  smtpResponse: text("smtp_response"),
  error: text("error"),
  durationMs: integer("duration_ms").notNull(),
}, (t) => [index("notification_attempts_notification_idx").on(t.notificationId, t.at)]);

/**
 * What a notification must not carry between nodes (a password-reset code): kept here, on the
 * node that created the notification and alone delivers it, and deleted once it is sent or
 * given up. The synced row holds only a placeholder body.
 */
export const notificationSecrets = sqliteTable("notification_secrets", {
  notificationId: text("notification_id").primaryKey(),
  orgId: text("org_id").notNull(),
  body: text("body").notNull(),
  createdAt: text("created_at").notNull(),
});
