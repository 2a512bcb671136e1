/**
 * The delivery worker. One pass (`deliverDue`):
 *
 * 1. Claim, in one write transaction, the due notifications this node delivers: pending ones
 *    whose `next_attempt_at` has come, and ones left `sending` by a process that crashed (their
 *    claim expired). Each becomes `sending` with `claimed_until` = now + 60 s. The transaction
 *    holds the database's write lock, so of two processes on one database only one claims a
 *    given row: each notification is delivered by one of them.
 * 2. Deliver the claimed ones at once, in parallel, outside any transaction, each within 10 s.
 * 3. Record each outcome with its attempt row and audit entry in a transaction of its own: sent;
 *    back to pending with the next retry time; or failed.
 *
 * Delivery is at least once: a process that dies between 2 and 3 has sent a message whose claim
 * expires unrecorded, and the next claim sends it again. Receivers tell repeats by the
 * notification's id (`X-Clinic-Delivery-Id`).
 *
 * Only the node that created a notification delivers it (`origin_site` = this node's site code,
 * "" on a standalone server or a primary without one): rows that sync in from other sites are
 * theirs to send. A clinic replica delivers nothing before first contact with its primary.
 */
import { forgetSecret, secretBodyOf } from "./secrets.ts";
import { and, asc, eq, isNull, lte, or } from "drizzle-orm";
import { notificationAttempts, notifications } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp, updateInTenant } from "../../../db/tenant.ts";
import type { Deps } from "../../lib/context.ts";
import { sendEmail } from "./email.ts";
import { type AttemptResult, sendWebhook } from "./webhook.ts";

type Row = typeof notifications.$inferSelect;

/** Waits after failed attempts 1-5; the 6th failed attempt is final. */
export const RETRY_SCHEDULE_MS = [
  60_000, // 1 min
  5 * 60_000, // 5 min
  15 * 60_000, // 15 min
  60 * 60_000, // 1 h
  6 * 60 * 60_000, // 6 h
] as const;
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1;
/** How long a claim holds: far beyond one batch's deliveries (each within the timeout). */
export const CLAIM_MS = 60_000;
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Rows claimed at once; they are delivered in parallel, so a batch lasts one timeout at most. */
const BATCH = 20;
/** Batches per pass, so one pass ends even while others keep enqueueing. */
const MAX_BATCHES = 50;

/**
 * The worker's writes are no user's: `updated_by` stays null (the tenant writers type the actor
 * as a string; a write with no user stores null, as sync's do).
 */
const NO_USER = null as unknown as string;

/** This node's identity as an `origin_site`; null on a replica before first contact. */
export function deliveringSite(deps: Deps): string | null {
  if (deps.site.code) return deps.site.code;
  return deps.config.sync.role === "replica" ? null : "";
}

const dueWhere = (site: string, now: string) =>
  and(
    eq(notifications.originSite, site),
    isNull(notifications.deletedAt),
    or(
      and(eq(notifications.status, "pending"), lte(notifications.nextAttemptAt, now)),
      and(eq(notifications.status, "sending"), lte(notifications.claimedUntil, now)),
    ),
  );

/** Claims up to BATCH due rows in one write transaction (see the file's comment). */
async function claim(deps: Deps, site: string): Promise<Row[]> {
  // A read first, off the write lock: most passes find nothing and need no transaction.
  const nowIso = deps.clock.now().toISOString();
  const [any] = await deps.db.db.select({ id: notifications.id }).from(notifications)
    .where(dueWhere(site, nowIso)).limit(1);
  if (!any) return [];
  return await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const at = now.toISOString();
    const until = new Date(now.getTime() + CLAIM_MS).toISOString();
    const due = await tx.select().from(notifications).where(dueWhere(site, at))
      .orderBy(asc(notifications.nextAttemptAt)).limit(BATCH);
    const claimed: Row[] = [];
    for (const row of due) {
      const result = await updateInTenant(tx, notifications, {
        orgId: row.orgId,
        id: row.id,
        set: { status: "sending", claimedUntil: until },
        actorId: NO_USER,
        at,
      });
      if (result.ok) claimed.push(result.row);
    }
    return claimed;
  });
}

/** The notification as sent: with the body held on this node when it has one (secrets.ts). */
async function withSecretBody(deps: Deps, n: Row): Promise<Row> {
  const body = await secretBodyOf(deps.db.db, n.id);
  return body === null ? n : { ...n, body };
}

/** Sends one notification on its channel; a channel this server lacks fails it, saying so. */
function attempt(deps: Deps, n: Row): Promise<AttemptResult> {
  const { webhook, smtp } = deps.config.notifications;
  const here = deps.site.code ? `site ${deps.site.code}` : "this server";
  if (n.channel === "webhook") {
    if (!webhook) {
      return Promise.resolve({
        outcome: "failed",
        error: `NOTIFY_WEBHOOK_URL is not set on ${here}: webhook notifications cannot be sent`,
      });
    }
    return sendWebhook(
      webhook,
      {
        id: n.id,
        kind: n.kind,
        patientId: n.patientId,
        relatedType: n.relatedType,
        relatedId: n.relatedId,
        subject: n.subject,
        body: n.body,
        data: n.payload,
        createdAt: n.createdAt,
      },
      deps.clock.now(),
      DELIVERY_TIMEOUT_MS,
    );
  }
  if (n.channel === "email") {
    if (!smtp) {
      return Promise.resolve({
        outcome: "failed",
        error: `SMTP_URL is not set on ${here}: email notifications cannot be sent`,
      });
    }
    return sendEmail(
      smtp,
      { id: n.id, to: n.recipient ?? "", subject: n.subject, text: n.body },
      DELIVERY_TIMEOUT_MS,
    );
  }
  return Promise.resolve({ outcome: "failed", error: `unknown channel ${n.channel}` });
}

/** The row's new state after attempt number `number` came to `result`. */
function nextState(result: AttemptResult, number: number, now: Date): Partial<Row> {
  const at = now.toISOString();
  if (result.outcome === "sent") {
    return { status: "sent", attempts: number, sentAt: at, claimedUntil: null, lastError: null };
  }
  const error = result.error ?? "failed";
  if (result.outcome === "failed" || number >= MAX_ATTEMPTS) {
    return { status: "failed", attempts: number, claimedUntil: null, lastError: error };
  }
  return {
    status: "pending",
    attempts: number,
    nextAttemptAt: new Date(now.getTime() + RETRY_SCHEDULE_MS[number - 1]).toISOString(),
    claimedUntil: null,
    lastError: error,
  };
}

/**
 * Records one attempt: the attempt row, the notification's new state and an audit entry. A row
 * no longer `sending` was cancelled meanwhile (or taken over after its claim expired): it only
 * becomes `sent` if this attempt sent it, since the message did go out.
 */
async function record(
  deps: Deps,
  claimed: Row,
  result: AttemptResult,
  durationMs: number,
): Promise<string | undefined> {
  return await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const at = now.toISOString();
    const current = await findInTenant(tx, notifications, claimed.orgId, claimed.id);
    const number = claimed.attempts + 1;
    const set = current?.status === "sending"
      ? nextState(result, number, now)
      : result.outcome === "sent" && current && current.status !== "sent"
      ? { status: "sent", sentAt: at, claimedUntil: null }
      : undefined;
    if (current && set) {
      await updateInTenant(tx, notifications, {
        orgId: claimed.orgId,
        id: claimed.id,
        set,
        actorId: NO_USER,
        at,
      });
    }
    await insertTracked(tx, notificationAttempts, {
      ...stamp(claimed.orgId, null, at),
      notificationId: claimed.id,
      attempt: number,
      at,
      outcome: result.outcome === "sent" ? "sent" : "failed",
      httpStatus: result.httpStatus ?? null,
      smtpResponse: result.smtpResponse?.slice(0, 500) ?? null,
      error: result.error ?? null,
      durationMs: Math.round(durationMs),
    });
    // The worker, not a person, sent it: the entry names the delivering site.
    await deps.audit.record(tx, {
      orgId: claimed.orgId,
      requestId: `notifications:${deps.site.code ?? "local"}`,
    }, {
      action: "notification.deliver",
      outcome: result.outcome === "sent" ? "success" : "failure",
      entityType: "notification",
      entityId: claimed.id,
      patientId: claimed.patientId,
    });
    return set?.status ?? current?.status;
  });
}

/** What a pass did. `claimed` may exceed the rest: ones cancelled while being sent. */
export interface PassResult {
  claimed: number;
  sent: number;
  /** Failed attempts that will be tried again. */
  retrying: number;
  /** Failed for good (a permanent refusal, an unconfigured channel, the last attempt). */
  failed: number;
}

/**
 * One pass of the worker: claims, delivers and records every notification due now that this
 * node delivers, batch by batch. Answers what it did. Safe to run in several processes at once.
 */
export async function deliverDue(deps: Deps): Promise<PassResult> {
  const out: PassResult = { claimed: 0, sent: 0, retrying: 0, failed: 0 };
  const site = deliveringSite(deps);
  if (site === null) return out;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const batch = await claim(deps, site);
    if (batch.length === 0) break;
    out.claimed += batch.length;
    // Settled, not raced: a pass ends only when none of its deliveries is still under way.
    const settled = await Promise.allSettled(batch.map(async (n) => {
      const started = performance.now();
      const result = await attempt(deps, await withSecretBody(deps, n));
      const status = await record(deps, n, result, performance.now() - started);
      // A secret body is kept only while it may still be sent.
      if (status === "sent" || status === "failed") await forgetSecret(deps, n.id);
      if (status === "sent") out.sent++;
      else if (status === "pending") out.retrying++;
      else if (status === "failed") out.failed++;
    }));
    // A record that failed leaves its row claimed: it is delivered again once the claim expires.
    const broken = settled.find((s) => s.status === "rejected");
    if (broken) throw (broken as PromiseRejectedResult).reason;
    if (batch.length < BATCH) break;
  }
  return out;
}

/**
 * Runs `deliverDue` every NOTIFY_POLL_MS (none when 0) until the returned function is called,
 * which waits for a pass under way to finish. A failing pass is logged and the next one runs.
 */
export function startDelivery(deps: Deps): () => Promise<void> {
  const every = deps.config.notifications.pollMs;
  if (every === 0) return () => Promise.resolve();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = deliverDue(deps).then(
      (r) => {
        if (r.claimed) deps.logger.info("notifications: delivered", { ...r });
      },
      (err) => deps.logger.error("notifications: pass failed", { error: String(err) }),
    ).finally(() => {
      if (!stopped) timer = setTimeout(tick, every);
    });
  };
  timer = setTimeout(tick, every);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
