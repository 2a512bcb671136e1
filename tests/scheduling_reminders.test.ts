/**
 * Appointment reminders end to end: booked through the API, queued in the outbox in the booking's
 * transaction, moved with a reschedule, cancelled with a cancellation, and delivered by the
 * worker to a real local HTTP receiver (signed webhook) and a real local SMTP server.
 */
import assert from "node:assert/strict";
import { deliverDue } from "../src/modules/notifications/mod.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient, createStaff, login } from "./helpers/factories.ts";
import { smtpListener, WEBHOOK_SECRET, webhookReceiver } from "./helpers/receivers.ts";

const HOUR = 3_600_000;

Deno.test("reminders follow their appointment and reach the patient once", async (t) => {
  let now = Math.ceil(Date.now() / HOUR) * HOUR;
  const clock = { now: () => new Date(now) };
  const hook = webhookReceiver(clock);
  const smtp = await smtpListener();
  const app = await createTestApp({
    NOTIFY_POLL_MS: "0",
    NOTIFY_WEBHOOK_URL: hook.url,
    NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET,
    SMTP_URL: smtp.url,
    NOTIFY_EMAIL_FROM: "clinic@example.test",
    ACCESS_TOKEN_TTL_SECONDS: "3600",
  }, { clock });
  try {
    const org = await createOrg(app);
    const doctor = await createStaff(app, org.admin, "DOCTOR");
    let admin = org.admin;
    const emailPatient = await createPatient(app, admin, {
      email: "amani@example.test",
      preferences: { contactMethod: "email" },
    });
    const phonePatient = await createPatient(app, admin, { phone: "+254 700 111 222" });
    const quietPatient = await createPatient(app, admin, {
      phone: "+254 700 333 444",
      preferences: { contactMethod: "none" },
    });
    const start = now + 3 * 24 * HOUR;
    const book = async (patientId: string, at: number) => {
      const res = await app.call("POST", "/api/v1/appointments", {
        token: admin,
        body: {
          patientId,
          practitionerId: doctor.id,
          start: new Date(at).toISOString(),
          durationMinutes: 30,
          type: "follow_up",
          override: true,
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    };
    const remindersOf = async (appointmentId: string) => {
      const res = await app.call(
        "GET",
        `/api/v1/notifications?relatedType=appointment&relatedId=${appointmentId}`,
        { token: admin },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return (res.body.data as any[]).sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    };

    const byEmail = await book(emailPatient.id, start);
    const byHook = await book(phonePatient.id, start + HOUR);
    const quiet = await book(quietPatient.id, start + 2 * HOUR);
    const dropped = await book(phonePatient.id, start + 5 * HOUR);

    await t.step("booking queues one reminder per offset, on the patient's channel", async () => {
      const email = await remindersOf(byEmail.id);
      assert.deepEqual(email.map((n) => [n.channel, n.status, n.dueAt]), [
        ["email", "pending", new Date(start - 24 * HOUR).toISOString()],
        ["email", "pending", new Date(start - 2 * HOUR).toISOString()],
      ]);
      const hooked = await remindersOf(byHook.id);
      assert.deepEqual(hooked.map((n) => n.channel), ["webhook", "webhook"]);
      assert.deepEqual(await remindersOf(quiet.id), [], "contact preference none");
    });

    await t.step("a reschedule moves them; a cancellation cancels them", async () => {
      const moved = await app.call("PATCH", `/api/v1/appointments/${byHook.id}`, {
        token: admin,
        body: { start: new Date(start + 26 * HOUR).toISOString(), override: true },
      });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.deepEqual((await remindersOf(byHook.id)).map((n) => n.dueAt), [
        new Date(start + 2 * HOUR).toISOString(),
        new Date(start + 24 * HOUR).toISOString(),
      ]);
      const cancelled = await app.call("POST", `/api/v1/appointments/${dropped.id}/cancel`, {
        token: admin,
        body: { reason: "Patient travelling" },
      });
      assert.equal(cancelled.status, 200);
      assert.deepEqual((await remindersOf(dropped.id)).map((n) => n.status), [
        "cancelled",
        "cancelled",
      ]);
    });

    await t.step("due reminders go out: the email, then the signed webhook", async () => {
      now = start - 24 * HOUR + 60_000;
      admin = (await login(app, org.adminEmail)).accessToken;
      const first = await deliverDue(app.deps);
      assert.equal(first.sent, 1, JSON.stringify(first));
      assert.equal(smtp.mails.length, 1);
      assert.deepEqual(smtp.mails[0].to, ["amani@example.test"]);
      assert.match(smtp.mails[0].raw, /follow up appointment/);
      assert.equal(hook.got.length, 0);

      now = start + 2 * HOUR + 60_000;
      const second = await deliverDue(app.deps);
      assert.equal(
        second.sent,
        2,
        JSON.stringify(second),
        "the email's 2 h one and the moved 24 h one",
      );
      assert.equal(hook.got.length, 1);
      const delivered = hook.got[0];
      assert.ok(delivered.valid, "signed with the shared secret");
      assert.equal(delivered.body.data.appointmentId, byHook.id);
      assert.equal(delivered.body.data.start, new Date(start + 26 * HOUR).toISOString());
      assert.equal(delivered.body.data.minutesBefore, 1440);
      // Nothing is sent twice, and the cancelled appointment's never.
      now = start + 30 * HOUR;
      const rest = await deliverDue(app.deps);
      assert.equal(rest.sent, 1, "the moved appointment's 2 h reminder");
      assert.equal(hook.got.length, 2);
      assert.equal(smtp.mails.length, 2);
      assert.ok(hook.got.every((g) => g.body.data.appointmentId === byHook.id));
      assert.equal((await deliverDue(app.deps)).claimed, 0);
    });
  } finally {
    await app.close();
    await hook.close();
    await smtp.close();
  }
});
