/**
 * The notification outbox with real components: a local HTTP receiver that checks each
 * webhook's signature, a local SMTP server (smtp-server) that receives the emails, the app's
 * clock moved by hand for the retry schedule, and two apps on one database file delivering at
 * once. Tests drive delivery with `deliverDue` (NOTIFY_POLL_MS=0), except the one that checks
 * the background worker.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { notifications } from "../db/schema/mod.ts";
import { ConfigError, parseConfig } from "../src/lib/config.ts";
import { ProblemError } from "../src/lib/errors.ts";
import {
  cancelNotifications,
  deliverDue,
  enqueueNotification,
  MAX_ATTEMPTS,
  type NotificationInput,
  rescheduleNotifications,
  RETRY_SCHEDULE_MS,
  signWebhook,
  verifyWebhookSignature,
} from "../src/modules/notifications/mod.ts";
import { ROLES } from "../src/lib/permissions.ts";
import { createTestApp, type TestApp } from "./helpers/app.ts";
import { smtpListener, WEBHOOK_SECRET, webhookReceiver } from "./helpers/receivers.ts";
import { serve, type Served } from "./helpers/cluster.ts";
import {
  createOrg,
  createPatient,
  login,
  superAdminToken,
  type TestOrg,
} from "./helpers/factories.ts";

const SECRET = WEBHOOK_SECRET;
const MINUTE = 60_000;

/** The app's clock, moved by hand. */
function testClock() {
  let t = Date.now();
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}
type TestClock = ReturnType<typeof testClock>;

/** A notification due now about a fresh appointment id, with what `input` changes. */
function enqueue(t: TestApp, org: TestOrg, input: Partial<NotificationInput> = {}) {
  return t.deps.db.transaction((tx) =>
    enqueueNotification(t.deps, tx, { orgId: org.id, userId: null }, {
      channel: "webhook",
      kind: "appointment.reminder",
      subject: "Your appointment tomorrow",
      body: "Amani, you are expected at 09:30 at Westlands.",
      payload: { startsAt: "2030-01-01T06:30:00.000Z" },
      relatedType: "appointment",
      relatedId: crypto.randomUUID(),
      dueAt: t.deps.clock.now().toISOString(),
      ...input,
    })
  );
}

async function rowOf(t: TestApp, id: string) {
  const [row] = await t.deps.db.db.select().from(notifications).where(eq(notifications.id, id));
  return row;
}

const webhookEnv = (url: string) => ({
  NOTIFY_POLL_MS: "0",
  NOTIFY_WEBHOOK_URL: url,
  NOTIFY_WEBHOOK_SECRET: SECRET,
});

Deno.test("webhook delivery", async (t) => {
  const clock = testClock();
  const hook = webhookReceiver(clock);
  const app = await createTestApp(webhookEnv(hook.url), { clock });
  try {
    const org = await createOrg(app);
    const patient = await createPatient(app, org.admin);

    await t.step("a due notification is POSTed once, signed, and recorded as sent", async () => {
      const n = await enqueue(app, org, { patientId: patient.id });
      const pass = await deliverDue(app.deps);
      assert.deepEqual(pass, { claimed: 1, sent: 1, retrying: 0, failed: 0 });
      assert.equal(hook.got.length, 1);
      const [got] = hook.got;
      assert.ok(got.valid, "the receiver verifies the signature");
      assert.equal(got.id, n.id);
      assert.equal(got.timestamp, String(Math.floor(clock.now().getTime() / 1000)));
      assert.deepEqual(got.body, {
        id: n.id,
        kind: "appointment.reminder",
        patientId: patient.id,
        relatedType: "appointment",
        relatedId: n.relatedId,
        subject: n.subject,
        body: n.body,
        data: { startsAt: "2030-01-01T06:30:00.000Z" },
        createdAt: n.createdAt,
      });
      const row = await rowOf(app, n.id);
      assert.equal(row.status, "sent");
      assert.equal(row.attempts, 1);
      assert.equal(row.sentAt, clock.now().toISOString());
      assert.equal(row.claimedUntil, null);
      // Nothing is due any more: a second pass sends nothing.
      assert.equal((await deliverDue(app.deps)).claimed, 0);
      assert.equal(hook.got.length, 1);
    });

    await t.step("the admin reads it with its attempt; the read is audited", async () => {
      const [last] = hook.got.slice(-1);
      const res = await app.call("GET", `/api/v1/notifications/${last.id}`, { token: org.admin });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, "sent");
      assert.equal(res.body.originSite, "");
      assert.equal(res.body.deliveryAttempts.length, 1);
      assert.equal(res.body.deliveryAttempts[0].outcome, "sent");
      assert.equal(res.body.deliveryAttempts[0].httpStatus, 200);
      await app.deps.audit.flush();
      const audited = await app.deps.db.readRows(
        "SELECT action, patient_id, outcome FROM audit_events WHERE entity_id = ? ORDER BY seq",
        [last.id],
      );
      assert.deepEqual(audited, [
        ["notification.create", patient.id, "success"],
        ["notification.deliver", patient.id, "success"],
        ["notification.read", patient.id, "success"],
      ]);
    });

    await t.step("one due later waits for its time", async () => {
      const n = await enqueue(app, org, {
        dueAt: new Date(clock.now().getTime() + 30 * MINUTE).toISOString(),
      });
      assert.equal((await deliverDue(app.deps)).claimed, 0);
      clock.advance(30 * MINUTE - 1);
      assert.equal((await deliverDue(app.deps)).claimed, 0);
      clock.advance(1);
      assert.equal((await deliverDue(app.deps)).sent, 1);
      assert.equal(hook.got.at(-1)!.id, n.id);
    });

    await t.step(
      "a 500 is retried after 1, 5, 15, 60 and 360 minutes, then fails after the 6th attempt",
      async () => {
        const before = hook.got.length;
        const n = await enqueue(app, org);
        hook.replies.push(...Array(MAX_ATTEMPTS).fill(500));
        assert.deepEqual(RETRY_SCHEDULE_MS, [1, 5, 15, 60, 360].map((m) => m * MINUTE));
        assert.equal((await deliverDue(app.deps)).retrying, 1);
        for (const wait of RETRY_SCHEDULE_MS) {
          const row = await rowOf(app, n.id);
          assert.equal(row.status, "pending");
          assert.equal(row.nextAttemptAt, new Date(clock.now().getTime() + wait).toISOString());
          assert.match(row.lastError!, /^HTTP 500: not now/);
          // Not a moment early.
          clock.advance(wait - 1);
          assert.equal((await deliverDue(app.deps)).claimed, 0);
          clock.advance(1);
          assert.equal((await deliverDue(app.deps)).claimed, 1);
        }
        const row = await rowOf(app, n.id);
        assert.equal(row.status, "failed");
        assert.equal(row.attempts, MAX_ATTEMPTS);
        assert.equal(hook.got.length - before, MAX_ATTEMPTS);
        clock.advance(24 * 60 * MINUTE);
        assert.equal((await deliverDue(app.deps)).claimed, 0, "a failed one is not tried again");

        // The admin sees each attempt, and queues it again by hand; this time it goes out.
        const admin = (await login(app, org.adminEmail)).accessToken;
        const read = await app.call("GET", `/api/v1/notifications/${n.id}`, { token: admin });
        assert.deepEqual(
          read.body.deliveryAttempts.map((a: any) => [a.attempt, a.outcome, a.httpStatus]),
          [1, 2, 3, 4, 5, 6].map((i) => [i, "failed", 500]),
        );
        const retried = await app.call("POST", `/api/v1/notifications/${n.id}/retry`, {
          token: admin,
        });
        assert.equal(retried.status, 200, JSON.stringify(retried.body));
        assert.equal(retried.body.status, "pending");
        assert.equal(retried.body.attempts, 0);
        assert.equal((await deliverDue(app.deps)).sent, 1);
        assert.equal((await rowOf(app, n.id)).status, "sent");
        // Only a failed one can be retried.
        const again = await app.call("POST", `/api/v1/notifications/${n.id}/retry`, {
          token: admin,
        });
        assert.equal(again.status, 409);
      },
    );

    await t.step("503, 408 and 429 are retried and a later 2xx sends it", async () => {
      for (const status of [503, 408, 429]) {
        const n = await enqueue(app, org);
        hook.replies.push(status);
        assert.equal((await deliverDue(app.deps)).retrying, 1, `${status}`);
        clock.advance(RETRY_SCHEDULE_MS[0]);
        assert.equal((await deliverDue(app.deps)).sent, 1);
        const row = await rowOf(app, n.id);
        assert.equal(row.status, "sent");
        assert.equal(row.attempts, 2);
        assert.equal(row.lastError, null);
      }
    });

    await t.step("a 4xx other than 408 and 429 fails at once, without retry", async () => {
      for (const status of [400, 404, 410]) {
        const before = hook.got.length;
        const n = await enqueue(app, org);
        hook.replies.push(status);
        assert.equal((await deliverDue(app.deps)).failed, 1);
        const row = await rowOf(app, n.id);
        assert.equal(row.status, "failed");
        assert.equal(row.attempts, 1);
        assert.match(row.lastError!, new RegExp(`^HTTP ${status}`));
        clock.advance(24 * 60 * MINUTE);
        assert.equal((await deliverDue(app.deps)).claimed, 0);
        assert.equal(hook.got.length - before, 1);
      }
    });

    await t.step("an unreachable receiver is retried, saying why", async () => {
      const n = await enqueue(app, org);
      // Nothing listens on port 1: the connection is refused.
      const unreachable = { ...app.deps.config.notifications.webhook!, url: "http://127.0.0.1:1/" };
      const deps = {
        ...app.deps,
        config: {
          ...app.deps.config,
          notifications: { ...app.deps.config.notifications, webhook: unreachable },
        },
      };
      assert.equal((await deliverDue(deps)).retrying, 1);
      const row = await rowOf(app, n.id);
      assert.equal(row.status, "pending");
      assert.match(row.lastError!, /^unreachable: /);
      clock.advance(RETRY_SCHEDULE_MS[0]);
      assert.equal((await deliverDue(app.deps)).sent, 1);
    });

    await t.step("a claim left by a crashed process is taken over once it expires", async () => {
      const n = await enqueue(app, org);
      // As a process leaves it when it dies between claiming and recording.
      await app.deps.db.transaction((tx) =>
        tx.update(notifications).set({
          status: "sending",
          claimedUntil: new Date(clock.now().getTime() + MINUTE).toISOString(),
        }).where(eq(notifications.id, n.id))
      );
      assert.equal((await deliverDue(app.deps)).claimed, 0);
      clock.advance(MINUTE);
      assert.equal((await deliverDue(app.deps)).sent, 1);
      assert.equal(hook.got.at(-1)!.id, n.id);
    });
  } finally {
    await app.close();
    await hook.close();
  }
});

Deno.test("email delivery through a real SMTP server", async (t) => {
  const clock = testClock();
  const smtp = await smtpListener();
  const app = await createTestApp({
    NOTIFY_POLL_MS: "0",
    SMTP_URL: smtp.url,
    NOTIFY_EMAIL_FROM: "Sunrise Clinic <reminders@sunrise.test>",
  }, { clock });
  try {
    const org = await createOrg(app);

    await t.step("an email notification reaches the recipient's mailbox", async () => {
      const n = await enqueue(app, org, {
        channel: "email",
        recipient: "amani@patients.test",
        subject: "Appointment reminder",
        body: "Dear Amani, see you tomorrow at 09:30.",
      });
      assert.equal((await deliverDue(app.deps)).sent, 1);
      assert.equal(smtp.mails.length, 1);
      const [mail] = smtp.mails;
      assert.equal(mail.user, "clinic", "logged in with SMTP_URL's credentials");
      assert.equal(mail.from, "reminders@sunrise.test");
      assert.deepEqual(mail.to, ["amani@patients.test"]);
      assert.match(mail.raw, /^Subject: Appointment reminder\r?$/m);
      assert.match(mail.raw, new RegExp(`^X-Clinic-Delivery-Id: ${n.id}\\r?$`, "mi"));
      assert.match(mail.raw, /Dear Amani, see you tomorrow at 09:30\./);
      const read = await app.call("GET", `/api/v1/notifications/${n.id}`, { token: org.admin });
      assert.equal(read.body.status, "sent");
      assert.match(read.body.deliveryAttempts[0].smtpResponse, /^250/);
    });

    await t.step("a mailbox the server refuses (550) fails at once", async () => {
      const n = await enqueue(app, org, { channel: "email", recipient: "nobody@patients.test" });
      assert.equal((await deliverDue(app.deps)).failed, 1);
      const row = await rowOf(app, n.id);
      assert.equal(row.status, "failed");
      assert.match(row.lastError!, /550/);
      assert.equal(smtp.mails.length, 1);
    });

    await t.step(
      "a webhook notification fails clearly where no webhook is configured",
      async () => {
        const n = await enqueue(app, org);
        assert.equal((await deliverDue(app.deps)).failed, 1);
        const row = await rowOf(app, n.id);
        assert.equal(row.status, "failed");
        assert.match(row.lastError!, /NOTIFY_WEBHOOK_URL is not set/);
      },
    );

    await t.step("a notification the caller got wrong is refused, each field named", async () => {
      const refused = async (input: Partial<NotificationInput>, field: string) => {
        await assert.rejects(enqueue(app, org, input), (err: unknown) => {
          assert.ok(err instanceof ProblemError && err.status === 422, String(err));
          assert.deepEqual(err.extra.errors?.map((e) => e.path), [field]);
          return true;
        });
      };
      await refused({ channel: "email", recipient: null }, "recipient");
      await refused({ channel: "email", recipient: "not an address" }, "recipient");
      // A time without its offset would be read in the server's timezone, not the clinic's.
      await refused({ dueAt: "2030-01-01T09:00" }, "dueAt");
      await refused({ kind: "Appointment Reminder" }, "kind");
      await refused({ body: "" }, "body");
      const count = await app.deps.db.readRows("SELECT count(*) FROM notifications", []);
      assert.equal(Number(count[0][0]), 3, "nothing of those was kept");
    });
  } finally {
    await app.close();
    await smtp.close();
  }
});

Deno.test("cancelled and rescheduled notifications", async (t) => {
  const clock = testClock();
  // What the receiver does while a delivery is in flight (set by a step).
  const during: { before?: () => Promise<void> } = {};
  const hook = webhookReceiver(clock, during);
  const app = await createTestApp(webhookEnv(hook.url), { clock });
  const who = (org: TestOrg) => ({ orgId: org.id, userId: null });
  try {
    const org = await createOrg(app);
    const later = (minutes: number) =>
      new Date(clock.now().getTime() + minutes * MINUTE).toISOString();

    await t.step("cancelled notifications are never sent; sent ones stay sent", async () => {
      const appointment = crypto.randomUUID();
      const other = await enqueue(app, org);
      const sent = await enqueue(app, org, { relatedId: appointment, kind: "appointment.booked" });
      assert.equal((await deliverDue(app.deps)).sent, 2);
      const dayBefore = await enqueue(app, org, { relatedId: appointment, dueAt: later(60) });
      const hourBefore = await enqueue(app, org, { relatedId: appointment, dueAt: later(120) });
      const cancelled = await app.deps.db.transaction((tx) =>
        cancelNotifications(app.deps, tx, who(org), {
          relatedType: "appointment",
          relatedId: appointment,
        })
      );
      assert.equal(cancelled, 2);
      clock.advance(24 * 60 * MINUTE);
      assert.equal((await deliverDue(app.deps)).claimed, 0);
      assert.deepEqual(hook.got.map((g) => g.id).sort(), [other.id, sent.id].sort());
      assert.equal((await rowOf(app, dayBefore.id)).status, "cancelled");
      assert.equal((await rowOf(app, hourBefore.id)).status, "cancelled");
      assert.equal((await rowOf(app, sent.id)).status, "sent");
      // A cancelled one cannot be retried.
      const res = await app.call("POST", `/api/v1/notifications/${dayBefore.id}/retry`, {
        token: (await login(app, org.adminEmail)).accessToken,
      });
      assert.equal(res.status, 409, JSON.stringify(res.body));
    });

    await t.step("a cancellation in a transaction that rolls back cancels nothing", async () => {
      const n = await enqueue(app, org);
      await assert.rejects(app.deps.db.transaction(async (tx) => {
        await cancelNotifications(app.deps, tx, who(org), {
          relatedType: "appointment",
          relatedId: n.relatedId,
        });
        throw new Error("the booking change failed");
      }));
      assert.equal((await rowOf(app, n.id)).status, "pending");
      assert.equal((await deliverDue(app.deps)).sent, 1);
    });

    await t.step(
      "one cancelled while being sent is recorded as sent if it went out, else stays cancelled",
      async () => {
        const cancel = async (relatedId: string) => {
          const n = await app.deps.db.transaction((tx) =>
            cancelNotifications(app.deps, tx, who(org), { relatedType: "appointment", relatedId })
          );
          assert.equal(n, 1);
        };
        const delivered = await enqueue(app, org);
        during.before = () => cancel(delivered.relatedId);
        assert.equal((await deliverDue(app.deps)).claimed, 1);
        const row = await rowOf(app, delivered.id);
        assert.equal(row.status, "sent", "the message did go out");
        assert.equal(row.sentAt, clock.now().toISOString());

        const refused = await enqueue(app, org);
        during.before = () => cancel(refused.relatedId);
        hook.replies.push(503);
        assert.equal((await deliverDue(app.deps)).claimed, 1);
        during.before = undefined;
        assert.equal((await rowOf(app, refused.id)).status, "cancelled");
        clock.advance(RETRY_SCHEDULE_MS[0]);
        assert.equal((await deliverDue(app.deps)).claimed, 0, "no retry of a cancelled one");
      },
    );

    await t.step("a moved appointment moves its pending reminders, with their text", async () => {
      const appointment = crypto.randomUUID();
      const soon = await enqueue(app, org, { relatedId: appointment, dueAt: later(60) });
      const past = await enqueue(app, org, { relatedId: appointment, dueAt: later(90) });
      const result = await app.deps.db.transaction((tx) =>
        rescheduleNotifications(app.deps, tx, who(org), {
          relatedType: "appointment",
          relatedId: appointment,
          kind: "appointment.reminder",
        }, (n) =>
          n.id === past.id ? null : {
            dueAt: later(180),
            body: "Moved: you are now expected at 12:30.",
          })
      );
      assert.deepEqual(result, { rescheduled: 1, cancelled: 1 });
      clock.advance(179 * MINUTE);
      assert.equal((await deliverDue(app.deps)).claimed, 0, "neither goes out at the old times");
      clock.advance(MINUTE);
      assert.equal((await deliverDue(app.deps)).sent, 1);
      const got = hook.got.at(-1)!;
      assert.equal(got.id, soon.id);
      assert.equal(got.body.body, "Moved: you are now expected at 12:30.");
      assert.equal((await rowOf(app, past.id)).status, "cancelled");
    });
  } finally {
    await app.close();
    await hook.close();
  }
});

Deno.test("two server processes on one database deliver each notification exactly once", async () => {
  // The receiver holds its answers until more deliveries are under way at once than one
  // process ever has (a batch of 20): proof that both processes were delivering together.
  let inFlight = 0;
  let mostInFlight = 0;
  let release!: () => void;
  const released = new Promise<void>((r) => release = r);
  // Armed once the notifications are enqueued: starting two servers can take longer than its
  // 5 s on a loaded machine, and a release before the first delivery proves nothing.
  let releaseAnyway: ReturnType<typeof setTimeout> | undefined;
  const hook = webhookReceiver({ now: () => new Date() } as TestClock, {
    before: async () => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      if (inFlight > 20) release();
      await released;
      inFlight--;
    },
  });
  const env = { ...webhookEnv(hook.url), NOTIFY_POLL_MS: "10" };
  const setup = await createTestApp(env);
  const servers: Served[] = [];
  let check: TestApp | undefined;
  try {
    const org = await createOrg(setup);
    await setup.close({ keep: true });
    servers.push(serve(setup.dir, env), serve(setup.dir, env));
    await Promise.all(servers.map((s) => s.waitFor("listening")));
    // Enqueued once both are polling: both find them due at once.
    check = await createTestApp({ ...env, NOTIFY_POLL_MS: "0", DATA_DIR: setup.dir });
    const app = check;
    const ids = await app.deps.db.transaction(async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < 60; i++) {
        const n = await enqueueNotification(app.deps, tx, { orgId: org.id, userId: null }, {
          channel: "webhook",
          kind: "appointment.reminder",
          subject: "Reminder",
          body: `Reminder ${i}`,
          relatedType: "appointment",
          relatedId: crypto.randomUUID(),
          dueAt: new Date().toISOString(),
        });
        out.push(n.id);
      }
      return out;
    });
    releaseAnyway = setTimeout(release, 5_000);
    const deadline = Date.now() + 30_000;
    const sent = async () =>
      (await app.deps.db.readRows(
        "SELECT count(*) FROM notifications WHERE status = 'sent' AND org_id = ?",
        [org.id],
      ))[0][0];
    while (Number(await sent()) < ids.length) {
      assert.ok(Date.now() < deadline, `only ${await sent()} of ${ids.length} sent within 30 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const counts = new Map<string, number>();
    for (const g of hook.got) counts.set(g.id!, (counts.get(g.id!) ?? 0) + 1);
    for (const id of ids) assert.equal(counts.get(id), 1, `${id} delivered ${counts.get(id)}×`);
    assert.equal(hook.got.length, ids.length);
    assert.ok(hook.got.every((g) => g.valid));
    assert.ok(mostInFlight > 20, `at most ${mostInFlight} deliveries at once: one process only`);
  } finally {
    clearTimeout(releaseAnyway);
    release();
    for (const s of servers) await s.stop();
    await check?.close();
    await Deno.remove(setup.dir, { recursive: true }).catch(() => {});
    await hook.close();
  }
});

Deno.test("only the site that created a notification delivers it", async () => {
  const clock = testClock();
  const hook = webhookReceiver(clock);
  const here = await createTestApp(webhookEnv(hook.url), { clock });
  // Another site's server on the same file stands for rows that synced in from a clinic.
  const clinic = await createTestApp(
    { ...webhookEnv(hook.url), DATA_DIR: here.dir, SITE_CODE: "K9" },
    { clock },
  );
  try {
    const org = await createOrg(here);
    const fromClinic = await enqueue(clinic, org);
    assert.equal(fromClinic.originSite, "K9");
    const own = await enqueue(here, org);
    assert.equal(own.originSite, "");
    const pass = await deliverDue(here.deps);
    assert.equal(pass.sent, 1);
    assert.deepEqual(hook.got.map((g) => g.id), [own.id]);
    assert.equal((await rowOf(here, fromClinic.id)).status, "pending");
    assert.equal((await deliverDue(clinic.deps)).sent, 1);
    assert.deepEqual(hook.got.map((g) => g.id), [own.id, fromClinic.id]);
  } finally {
    await clinic.close();
    await here.close();
    await hook.close();
  }
});

Deno.test("a patient merge moves the duplicate's notifications to the survivor", async () => {
  const app = await createTestApp({ NOTIFY_POLL_MS: "0" });
  try {
    const org = await createOrg(app);
    const survivor = await createPatient(app, org.admin);
    const duplicate = await createPatient(app, org.admin);
    const n = await enqueue(app, org, { patientId: duplicate.id });
    const merged = await app.call("POST", `/api/v1/patients/${survivor.id}/merge`, {
      token: org.admin,
      body: { duplicateId: duplicate.id },
    });
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    assert.equal((await rowOf(app, n.id)).patientId, survivor.id);
  } finally {
    await app.close();
  }
});

Deno.test("a clinic replica that has not reached its primary neither enqueues nor delivers", async () => {
  const app = await createTestApp({ NOTIFY_POLL_MS: "0" });
  try {
    const org = await createOrg(app);
    const due = await enqueue(app, org);
    // The same server as a replica before first contact: no site code of its own yet.
    const replica = {
      ...app.deps,
      config: { ...app.deps.config, sync: { ...app.deps.config.sync, role: "replica" as const } },
      site: { code: null },
    };
    await assert.rejects(
      replica.db.transaction((tx) =>
        enqueueNotification(replica, tx, { orgId: org.id, userId: null }, {
          channel: "webhook",
          kind: "appointment.reminder",
          subject: "Reminder",
          body: "Tomorrow",
          relatedType: "appointment",
          relatedId: crypto.randomUUID(),
          dueAt: new Date().toISOString(),
        })
      ),
      (err: unknown) => err instanceof ProblemError && err.status === 503,
    );
    assert.deepEqual(await deliverDue(replica), { claimed: 0, sent: 0, retrying: 0, failed: 0 });
    assert.equal((await rowOf(app, due.id)).status, "pending");
  } finally {
    await app.close();
  }
});

Deno.test("the background worker delivers within NOTIFY_POLL_MS", async () => {
  const hook = webhookReceiver({ now: () => new Date() } as TestClock);
  const app = await createTestApp({ ...webhookEnv(hook.url), NOTIFY_POLL_MS: "50" });
  try {
    const org = await createOrg(app);
    const n = await enqueue(app, org);
    const deadline = Date.now() + 10_000;
    while ((await rowOf(app, n.id)).status !== "sent") {
      assert.ok(Date.now() < deadline, "not delivered within 10 s");
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(hook.got.map((g) => [g.id, g.valid]), [[n.id, true]]);
  } finally {
    await app.close();
    await hook.close();
  }
});

Deno.test("listing notifications", async (t) => {
  const app = await createTestApp({ NOTIFY_POLL_MS: "0" });
  try {
    const org = await createOrg(app);
    const other = await createOrg(app);
    const patient = await createPatient(app, org.admin);
    const appointment = crypto.randomUUID();
    const made: { id: string }[] = [];
    for (let i = 0; i < 3; i++) {
      made.push(await enqueue(app, org, { relatedId: appointment, patientId: patient.id }));
    }
    const loose = await enqueue(app, org);
    const theirs = await enqueue(app, other);

    await t.step("only ADMIN lists and reads them", async () => {
      for (const role of ROLES.filter((r) => r !== "ADMIN")) {
        const token = await org.tokenFor(role);
        assert.equal((await app.call("GET", "/api/v1/notifications", { token })).status, 403);
        const one = await app.call("GET", `/api/v1/notifications/${loose.id}`, { token });
        assert.equal(one.status, 403, role);
      }
      const sa = await superAdminToken(app);
      assert.equal((await app.call("GET", "/api/v1/notifications", { token: sa })).status, 403);
      assert.equal((await app.call("GET", "/api/v1/notifications")).status, 401);
    });

    await t.step("newest first, page by page, the organisation's own only", async () => {
      const seen: string[] = [];
      let cursor: string | null = "";
      while (cursor !== null) {
        const res: any = await app.call(
          "GET",
          `/api/v1/notifications?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
          { token: org.admin },
        );
        assert.equal(res.status, 200, JSON.stringify(res.body));
        seen.push(...res.body.data.map((n: any) => n.id));
        cursor = res.body.nextCursor;
      }
      assert.deepEqual(seen, [loose, ...made.toReversed()].map((n) => n.id));
      assert.ok(!seen.includes(theirs.id));
      const cross = await app.call("GET", `/api/v1/notifications/${theirs.id}`, {
        token: org.admin,
      });
      assert.equal(cross.status, 404);
    });

    await t.step(
      "filters by patient, related thing and status; the patient read is audited",
      async () => {
        const byPatient = await app.call("GET", `/api/v1/notifications?patientId=${patient.id}`, {
          token: org.admin,
        });
        assert.equal(byPatient.body.data.length, 3);
        const byRelated = await app.call(
          "GET",
          `/api/v1/notifications?relatedType=appointment&relatedId=${appointment}&status=pending`,
          { token: org.admin },
        );
        assert.equal(byRelated.body.data.length, 3);
        const sent = await app.call("GET", "/api/v1/notifications?status=sent", {
          token: org.admin,
        });
        assert.deepEqual(sent.body.data, []);
        const bad = await app.call("GET", "/api/v1/notifications?status=lost", {
          token: org.admin,
        });
        assert.equal(bad.status, 400);
        await app.deps.audit.flush();
        const reads = await app.deps.db.readRows(
          "SELECT count(*) FROM audit_events WHERE action = 'notification.list' AND patient_id = ?",
          [patient.id],
        );
        assert.ok(Number(reads[0][0]) >= 2, `only ${reads[0][0]} list reads audited`);
      },
    );
  } finally {
    await app.close();
  }
});

Deno.test("webhook signatures", async (t) => {
  const body = '{"id":"n1","kind":"appointment.reminder"}';
  const header = signWebhook(SECRET, "1700000000", body);

  await t.step("are v1=<hex HMAC-SHA256 of '<timestamp>.<body>'>", async () => {
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(SECRET),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const mac = await crypto.subtle.sign(
      "HMAC",
      key,
      new TextEncoder().encode(`1700000000.${body}`),
    );
    const hex = [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
    assert.equal(header, `v1=${hex}`);
    assert.ok(verifyWebhookSignature(SECRET, "1700000000", body, header));
  });

  await t.step("refuse a changed body, timestamp or secret, and a stale timestamp", () => {
    assert.ok(!verifyWebhookSignature(SECRET, "1700000000", body + " ", header));
    assert.ok(!verifyWebhookSignature(SECRET, "1700000001", body, header));
    assert.ok(!verifyWebhookSignature(SECRET.replace("w", "W"), "1700000000", body, header));
    assert.ok(!verifyWebhookSignature(SECRET, "1700000000", body, "v1=00"));
    assert.ok(!verifyWebhookSignature(SECRET, "", body, header));
    const now = new Date(1700000000_000 + 301_000);
    assert.ok(
      !verifyWebhookSignature(SECRET, "1700000000", body, header, {
        maxAgeSeconds: 300,
        now,
      }),
    );
    assert.ok(verifyWebhookSignature(SECRET, "1700000000", body, header, {
      maxAgeSeconds: 302,
      now,
    }));
  });

  await t.step("accept any of several signatures, as while a secret changes", () => {
    const old = signWebhook("an-older-secret-0123456789-0123456789", "1700000000", body);
    assert.ok(verifyWebhookSignature(SECRET, "1700000000", body, `${old}, ${header}`));
  });
});

Deno.test("notification configuration", async (t) => {
  const problems = (env: Record<string, string>) => {
    try {
      parseConfig({ APP_ENV: "test", JWT_SECRET: SECRET, ...env });
      return [];
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.problems;
    }
  };

  await t.step("a webhook URL needs a secret of at least 32 characters", () => {
    assert.deepEqual(problems({ NOTIFY_WEBHOOK_URL: "https://hooks.example.org/clinic" }), [
      "NOTIFY_WEBHOOK_SECRET: required when NOTIFY_WEBHOOK_URL is set",
    ]);
    assert.deepEqual(
      problems({
        NOTIFY_WEBHOOK_URL: "https://hooks.example.org/x",
        NOTIFY_WEBHOOK_SECRET: "short",
      }),
      ["NOTIFY_WEBHOOK_SECRET: must be at least 32 characters"],
    );
  });

  await t.step("an SMTP URL needs a From address; the poll interval defaults to 5 s", () => {
    assert.deepEqual(problems({ SMTP_URL: "smtp://u:p@mail.example.org:587" }), [
      "NOTIFY_EMAIL_FROM: required when SMTP_URL is set",
    ]);
    assert.deepEqual(
      problems({ SMTP_URL: "http://mail.example.org", NOTIFY_EMAIL_FROM: "a@b.test" }),
      ["SMTP_URL: must be smtp://user:pass@host:port or smtps://"],
    );
    const config = parseConfig({ APP_ENV: "test", JWT_SECRET: SECRET });
    assert.deepEqual(config.notifications, { pollMs: 5000, webhook: null, smtp: null });
  });
});
