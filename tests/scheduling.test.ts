/**
 * The front desk: schedules, availability, booking rules, the appointment state machine,
 * confirmations, check-in, visits and the queue. The clock is the app's own and moves only
 * forward; the organisation is in Nairobi (UTC+3, no daylight saving) and the first day is Monday
 * 7 January 2030, 08:00 there.
 */
import assert from "node:assert/strict";
import { createTestApp, type TestApp } from "./helpers/app.ts";
import { createOrg, createPatient, createStaff, login, type TestOrg } from "./helpers/factories.ts";
import { MODULES } from "../src/modules/index.ts";
import { defineModule } from "../src/lib/module.ts";
import { sessionsOfDay, slotsOf } from "../src/modules/scheduling/sessions.ts";

const MONDAY = "2030-01-07";
const TUESDAY = "2030-01-08";
const NEXT_MONDAY = "2030-01-14";
const at = (date: string, time: string) => `${date}T${time}:00+03:00`;
const iso = (date: string, time: string) => new Date(at(date, time)).toISOString();

class MovableClock {
  t = Date.parse(at(MONDAY, "08:00"));
  now = () => new Date(this.t);
  set(date: string, time: string) {
    this.t = Date.parse(at(date, time));
  }
}

interface Desk {
  app: TestApp;
  clock: MovableClock;
  org: TestOrg;
  doctorId: string;
  receptionId: string;
  tokens: Record<"admin" | "reception" | "doctor" | "nurse", string>;
  /** Logs everyone in again (after the clock moved past their tokens' lifetime). */
  relogin(): Promise<void>;
}

async function frontDesk(gate?: () => string[]): Promise<Desk> {
  const clock = new MovableClock();
  const modules = gate
    ? [
      ...MODULES,
      defineModule({
        name: "probe-gate",
        gates: { "encounter.close": () => Promise.resolve(gate()) },
      }),
    ]
    : undefined;
  const app = await createTestApp({ ACCESS_TOKEN_TTL_SECONDS: "3600" }, { clock, modules });
  const org = await createOrg(app);
  const staff = {
    reception: await createStaff(app, org.admin, "RECEPTION"),
    doctor: await createStaff(app, org.admin, "DOCTOR"),
    nurse: await createStaff(app, org.admin, "NURSE"),
  };
  const desk: Desk = {
    app,
    clock,
    org,
    doctorId: staff.doctor.id,
    receptionId: staff.reception.id,
    tokens: { admin: org.admin, reception: "", doctor: "", nurse: "" },
    relogin: async () => {
      desk.tokens.admin = (await login(app, org.adminEmail)).accessToken;
      for (const k of ["reception", "doctor", "nurse"] as const) {
        desk.tokens[k] = (await login(app, staff[k].email)).accessToken;
      }
    },
  };
  await desk.relogin();
  return desk;
}

async function weeklySchedule(d: Desk) {
  const monday = await d.app.call("POST", "/api/v1/schedules", {
    token: d.tokens.admin,
    body: {
      practitionerId: d.doctorId,
      facilityId: d.org.facilityId,
      weekday: 1,
      startTime: "09:00",
      endTime: "12:00",
      slotMinutes: 30,
    },
  });
  assert.equal(monday.status, 201, JSON.stringify(monday.body));
  const tuesday = await d.app.call("POST", "/api/v1/schedules", {
    token: d.tokens.admin,
    body: {
      practitionerId: d.doctorId,
      weekday: 2,
      startTime: "09:00",
      endTime: "10:00",
      slotMinutes: 15,
      appointmentTypes: ["vaccination"],
    },
  });
  assert.equal(tuesday.status, 201, JSON.stringify(tuesday.body));
  return monday.body;
}

const book = (d: Desk, patientId: string, start: string, extra: Record<string, unknown> = {}) =>
  d.app.call("POST", "/api/v1/appointments", {
    token: d.tokens.reception,
    body: {
      patientId,
      practitionerId: d.doctorId,
      start,
      durationMinutes: 30,
      type: "consultation",
      ...extra,
    },
  });

const slotsOn = async (d: Desk, date: string, type?: string) => {
  const res = await d.app.call(
    "GET",
    `/api/v1/availability?practitionerId=${d.doctorId}&from=${date}&to=${date}${
      type ? `&type=${type}` : ""
    }`,
    { token: d.tokens.reception },
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data.map((s: { start: string }) => s.start);
};

Deno.test("schedules and availability", async (t) => {
  const d = await frontDesk();
  try {
    await t.step("an admin sets weekly sessions; others may not, nor overlap them", async () => {
      const schedule = await weeklySchedule(d);
      assert.equal(schedule.weekday, 1);
      const byReception = await d.app.call("POST", "/api/v1/schedules", {
        token: d.tokens.reception,
        body: {
          practitionerId: d.doctorId,
          weekday: 3,
          startTime: "09:00",
          endTime: "10:00",
          slotMinutes: 15,
        },
      });
      assert.equal(byReception.status, 403);
      const overlap = await d.app.call("POST", "/api/v1/schedules", {
        token: d.tokens.admin,
        body: {
          practitionerId: d.doctorId,
          weekday: 1,
          startTime: "11:30",
          endTime: "13:00",
          slotMinutes: 30,
        },
      });
      assert.equal(overlap.status, 409, JSON.stringify(overlap.body));
      const nurse = await d.app.call("POST", "/api/v1/schedules", {
        token: d.tokens.admin,
        body: {
          practitionerId: await d.org.userIdFor("NURSE"),
          weekday: 1,
          startTime: "09:00",
          endTime: "10:00",
          slotMinutes: 15,
        },
      });
      assert.equal(nurse.status, 422, JSON.stringify(nurse.body));
      assert.equal(nurse.body.errors[0].path, "practitionerId");
      const backwards = await d.app.call("POST", "/api/v1/schedules", {
        token: d.tokens.admin,
        body: {
          practitionerId: d.doctorId,
          weekday: 4,
          startTime: "10:00",
          endTime: "09:00",
          slotMinutes: 15,
        },
      });
      assert.equal(backwards.status, 400);
      assert.equal(backwards.body.errors[0].path, "endTime");
    });

    await t.step("availability is the sessions cut into slots, in clinic-local time", async () => {
      assert.deepEqual(await slotsOn(d, MONDAY), [
        iso(MONDAY, "09:00"),
        iso(MONDAY, "09:30"),
        iso(MONDAY, "10:00"),
        iso(MONDAY, "10:30"),
        iso(MONDAY, "11:00"),
        iso(MONDAY, "11:30"),
      ]);
      assert.equal((await slotsOn(d, TUESDAY)).length, 4);
      assert.equal((await slotsOn(d, TUESDAY, "consultation")).length, 0);
      assert.equal((await slotsOn(d, TUESDAY, "vaccination")).length, 4);
    });

    await t.step("booked and past slots are not offered", async () => {
      const p = await createPatient(d.app, d.tokens.reception);
      assert.equal((await book(d, p.id, at(MONDAY, "09:30"))).status, 201);
      d.clock.set(MONDAY, "10:10");
      await d.relogin();
      assert.deepEqual(await slotsOn(d, MONDAY), [
        iso(MONDAY, "10:30"),
        iso(MONDAY, "11:00"),
        iso(MONDAY, "11:30"),
      ]);
    });

    await t.step("leave and holidays take days out; an extra session adds one", async () => {
      const leave = await d.app.call("POST", "/api/v1/schedule-exceptions", {
        token: d.tokens.admin,
        body: {
          practitionerId: d.doctorId,
          kind: "leave",
          dateFrom: NEXT_MONDAY,
          dateTo: NEXT_MONDAY,
        },
      });
      assert.equal(leave.status, 201, JSON.stringify(leave.body));
      assert.deepEqual(await slotsOn(d, NEXT_MONDAY), []);
      const p = await createPatient(d.app, d.tokens.reception);
      const onLeave = await book(d, p.id, at(NEXT_MONDAY, "09:00"));
      assert.equal(onLeave.status, 422, JSON.stringify(onLeave.body));
      const removed = await d.app.call("DELETE", `/api/v1/schedule-exceptions/${leave.body.id}`, {
        token: d.tokens.admin,
      });
      assert.equal(removed.status, 200);
      assert.equal((await slotsOn(d, NEXT_MONDAY)).length, 6);
      const holiday = await d.app.call("POST", "/api/v1/schedule-exceptions", {
        token: d.tokens.admin,
        body: {
          kind: "holiday",
          dateFrom: NEXT_MONDAY,
          dateTo: NEXT_MONDAY,
          startTime: "09:00",
          endTime: "11:00",
          reason: "Public holiday morning",
        },
      });
      assert.equal(holiday.status, 201, JSON.stringify(holiday.body));
      assert.deepEqual(await slotsOn(d, NEXT_MONDAY), [
        iso(NEXT_MONDAY, "11:00"),
        iso(NEXT_MONDAY, "11:30"),
      ]);
      const extra = await d.app.call("POST", "/api/v1/schedule-exceptions", {
        token: d.tokens.admin,
        body: {
          practitionerId: d.doctorId,
          kind: "extra_session",
          dateFrom: "2030-01-12",
          dateTo: "2030-01-12",
          startTime: "10:00",
          endTime: "11:00",
          slotMinutes: 20,
        },
      });
      assert.equal(extra.status, 201, JSON.stringify(extra.body));
      assert.deepEqual(await slotsOn(d, "2030-01-12"), [
        iso("2030-01-12", "10:00"),
        iso("2030-01-12", "10:20"),
        iso("2030-01-12", "10:40"),
      ]);
    });
  } finally {
    await d.app.close();
  }
});

Deno.test("a daylight-saving change neither shifts nor drops a slot; a missing local time is skipped", () => {
  const template = {
    weekday: 7,
    startTime: "01:00",
    endTime: "04:00",
    slotMinutes: 30,
    appointmentTypes: [],
    validFrom: null,
    validTo: null,
    facilityId: null,
  } as never;
  // New York, Sunday 8 March 2026: 02:00 jumps to 03:00.
  const spring = sessionsOfDay("2026-03-08", [template], []).flatMap((s) =>
    slotsOf(s, "America/New_York")
  );
  const local = (t: number) =>
    new Intl.DateTimeFormat("en-GB", {
      timeZone: "America/New_York",
      hour: "2-digit",
      minute: "2-digit",
    }).format(new Date(t));
  assert.deepEqual(spring.map((s) => local(s.start)), ["01:00", "01:30", "03:00", "03:30"]);
  // The week after, the same template gives the same local times.
  const after = sessionsOfDay("2026-03-15", [template], []).flatMap((s) =>
    slotsOf(s, "America/New_York")
  );
  assert.deepEqual(after.map((s) => local(s.start)), [
    "01:00",
    "01:30",
    "02:00",
    "02:30",
    "03:00",
    "03:30",
  ]);
  // Sunday 1 November 2026: 02:00 goes back to 01:00; each local slot is offered once.
  const autumn = sessionsOfDay("2026-11-01", [template], []).flatMap((s) =>
    slotsOf(s, "America/New_York")
  );
  assert.deepEqual(autumn.map((s) => local(s.start)), [
    "01:00",
    "01:30",
    "02:00",
    "02:30",
    "03:00",
    "03:30",
  ]);
  assert.equal(new Set(autumn.map((s) => s.start)).size, 6);
});

Deno.test("booking rules", async (t) => {
  const d = await frontDesk();
  try {
    await weeklySchedule(d);
    const p1 = await createPatient(d.app, d.tokens.reception);
    const p2 = await createPatient(d.app, d.tokens.reception);
    let first: any;

    await t.step("a booking answers 201 with its id, status, start and end", async () => {
      const res = await book(d, p1.id, at(MONDAY, "09:00"), { reason: "Cough" });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      first = res.body;
      assert.equal(first.status, "scheduled");
      assert.equal(first.start, iso(MONDAY, "09:00"));
      assert.equal(first.end, iso(MONDAY, "09:30"));
      assert.equal(first.facilityId, d.org.facilityId, "the session's facility");
      assert.equal(res.headers.get("etag"), '"1"');
    });

    await t.step("an overlapping booking answers 409 carrying the conflict", async () => {
      const res = await book(d, p2.id, at(MONDAY, "09:15"));
      assert.equal(res.status, 409);
      assert.equal(res.headers.get("content-type"), "application/problem+json");
      assert.deepEqual(res.body.conflicts.map((c: any) => c.id), [first.id]);
    });

    await t.step(
      "intervals are half-open: ending at 09:30 does not overlap starting at 09:30",
      async () => {
        assert.equal((await book(d, p2.id, at(MONDAY, "09:30"))).status, 201);
      },
    );

    await t.step(
      "past starts, durations outside 15-240 minutes and junk answer 4xx naming the field",
      async () => {
        const past = await book(d, p2.id, at(MONDAY, "07:00"));
        assert.equal(past.status, 422);
        assert.equal(past.body.errors[0].path, "start");
        for (const minutes of [10, 241]) {
          const res = await book(d, p2.id, at(MONDAY, "10:00"), { durationMinutes: minutes });
          assert.equal(res.status, 422, `${minutes} min`);
          assert.equal(res.body.errors[0].path, "durationMinutes");
        }
        const noOffset = await book(d, p2.id, "2030-01-07T10:00:00");
        assert.equal(noOffset.status, 400);
        assert.equal(noOffset.body.errors[0].path, "start");
      },
    );

    await t.step("outside the schedule: 422, unless an admin overrides", async () => {
      const res = await book(d, p2.id, at(MONDAY, "14:00"));
      assert.equal(res.status, 422, JSON.stringify(res.body));
      const byReception = await book(d, p2.id, at(MONDAY, "14:00"), { override: true });
      assert.equal(byReception.status, 403);
      const byAdmin = await d.app.call("POST", "/api/v1/appointments", {
        token: d.tokens.admin,
        body: {
          patientId: p2.id,
          practitionerId: d.doctorId,
          start: at(MONDAY, "14:00"),
          durationMinutes: 60,
          type: "procedure",
          override: true,
        },
      });
      assert.equal(byAdmin.status, 201, JSON.stringify(byAdmin.body));
      assert.equal(byAdmin.body.override, true);
      const vaccinationOnly = await book(d, p2.id, at(TUESDAY, "09:00"));
      assert.equal(vaccinationOnly.status, 422);
      assert.equal(
        (await book(d, p2.id, at(TUESDAY, "09:00"), { type: "vaccination", durationMinutes: 15 }))
          .status,
        201,
      );
    });

    await t.step(
      "practitioner and patient must be this organisation's; the practitioner a doctor",
      async () => {
        const other = await createOrg(d.app);
        const foreignDoctor = await createStaff(d.app, other.admin, "DOCTOR");
        const res = await book(d, p2.id, at(MONDAY, "10:00"), { practitionerId: foreignDoctor.id });
        assert.equal(res.status, 422);
        assert.equal(res.body.errors[0].path, "practitionerId");
        const foreignPatient = await createPatient(d.app, other.admin);
        const foreign = await book(d, foreignPatient.id, at(MONDAY, "10:00"));
        assert.equal(foreign.status, 422);
        assert.equal(foreign.body.errors[0].path, "patientId");
        const nurse = await book(d, p2.id, at(MONDAY, "10:00"), {
          practitionerId: await d.org.userIdFor("NURSE"),
        });
        assert.equal(nurse.status, 422);
        const leaver = await createStaff(d.app, d.tokens.admin, "DOCTOR");
        const gone = await d.app.call("DELETE", `/api/v1/users/${leaver.id}`, {
          token: d.tokens.admin,
        });
        assert.equal(gone.status, 200, JSON.stringify(gone.body));
        const inactive = await book(d, p2.id, at(MONDAY, "10:00"), {
          practitionerId: leaver.id,
          override: true,
        });
        assert.equal(inactive.status, 422, "a deactivated doctor takes no appointments");
      },
    );

    await t.step(
      "a reschedule follows the booking rules and needs the current version",
      async () => {
        const stale = await d.app.call("PATCH", `/api/v1/appointments/${first.id}`, {
          token: d.tokens.reception,
          headers: { "if-match": '"7"' },
          body: { start: at(MONDAY, "11:00") },
        });
        assert.equal(stale.status, 412);
        const clash = await d.app.call("PATCH", `/api/v1/appointments/${first.id}`, {
          token: d.tokens.reception,
          headers: { "if-match": '"1"' },
          body: { start: at(MONDAY, "09:30") },
        });
        assert.equal(clash.status, 409);
        const moved = await d.app.call("PATCH", `/api/v1/appointments/${first.id}`, {
          token: d.tokens.reception,
          headers: { "if-match": '"1"' },
          body: { start: at(MONDAY, "11:00") },
        });
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
        assert.equal(moved.body.start, iso(MONDAY, "11:00"));
        assert.equal(moved.body.rescheduleCount, 1);
        assert.equal(moved.body.version, 2);
        // The old slot is free again.
        assert.equal((await book(d, p1.id, at(MONDAY, "09:00"))).status, 201);
      },
    );

    await t.step(
      "no reschedule within 30 minutes of the start; cancelling stays possible",
      async () => {
        d.clock.set(MONDAY, "10:40");
        await d.relogin();
        const late = await d.app.call("PATCH", `/api/v1/appointments/${first.id}`, {
          token: d.tokens.reception,
          body: { start: at(MONDAY, "11:30") },
        });
        assert.equal(late.status, 409, JSON.stringify(late.body));
        const reason = await d.app.call("PATCH", `/api/v1/appointments/${first.id}`, {
          token: d.tokens.reception,
          body: { reason: "Cough, fever" },
        });
        assert.equal(reason.status, 200, "amending the reason is not a reschedule");
        const cancelled = await d.app.call("POST", `/api/v1/appointments/${first.id}/cancel`, {
          token: d.tokens.reception,
          body: { reason: "Patient called" },
        });
        assert.equal(cancelled.status, 200);
        assert.equal(cancelled.body.status, "cancelled");
        assert.equal(cancelled.body.cancelReason, "Patient called");
      },
    );

    await t.step("nothing changes after cancellation", async () => {
      const p = `/api/v1/appointments/${first.id}`;
      const tries = [
        await d.app.call("PATCH", p, { token: d.tokens.reception, body: { reason: "x" } }),
        await d.app.call("POST", `${p}/cancel`, {
          token: d.tokens.reception,
          body: { reason: "x" },
        }),
        await d.app.call("POST", `${p}/confirm`, {
          token: d.tokens.reception,
          body: { method: "call", outcome: "confirmed" },
        }),
        await d.app.call("POST", `${p}/check-in`, { token: d.tokens.reception, body: {} }),
        await d.app.call("POST", `${p}/no-show`, { token: d.tokens.reception }),
      ];
      assert.deepEqual(tries.map((r) => r.status), [409, 409, 409, 409, 409]);
      assert.match(tries[0].body.detail, /cancelled/);
    });
  } finally {
    await d.app.close();
  }
});

Deno.test("confirmations, no-shows and a patient's rates", async (t) => {
  const d = await frontDesk();
  try {
    await weeklySchedule(d);
    const p = await createPatient(d.app, d.tokens.reception);
    const a = (await book(d, p.id, at(MONDAY, "09:00"))).body;
    const b = (await book(d, p.id, at(MONDAY, "10:00"))).body;
    const confirm = (id: string, outcome: string, method = "call") =>
      d.app.call("POST", `/api/v1/appointments/${id}/confirm`, {
        token: d.tokens.reception,
        body: { method, outcome, notes: "spoke to the patient" },
      });

    await t.step("each attempt is recorded; a confirmed one confirms", async () => {
      const noAnswer = await confirm(a.id, "no_answer");
      assert.equal(noAnswer.status, 200, JSON.stringify(noAnswer.body));
      assert.equal(noAnswer.body.appointment.status, "scheduled");
      assert.equal(noAnswer.body.confirmation.operatorId, d.receptionId);
      const yes = await confirm(a.id, "confirmed", "whatsapp");
      assert.equal(yes.body.appointment.status, "confirmed");
      assert.ok(yes.body.appointment.confirmedAt);
      const junk = await confirm(a.id, "maybe");
      assert.equal(junk.status, 400);
    });

    await t.step("a no-show only after the start time", async () => {
      const early = await d.app.call("POST", `/api/v1/appointments/${b.id}/no-show`, {
        token: d.tokens.reception,
      });
      assert.equal(early.status, 409);
      d.clock.set(MONDAY, "10:05");
      await d.relogin();
      const late = await d.app.call("POST", `/api/v1/appointments/${b.id}/no-show`, {
        token: d.tokens.reception,
      });
      assert.equal(late.status, 200);
      assert.equal(late.body.status, "no_show");
      const after = await d.app.call("POST", `/api/v1/appointments/${b.id}/cancel`, {
        token: d.tokens.reception,
        body: { reason: "too late" },
      });
      assert.equal(after.status, 409, "a no-show is final");
    });

    await t.step("the patient's confirmation and no-show rates", async () => {
      const res = await d.app.call("GET", `/api/v1/patients/${p.id}/appointment-stats`, {
        token: d.tokens.reception,
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.appointments, 2);
      assert.equal(res.body.noShows, 1);
      assert.equal(res.body.noShowRate, 1);
      assert.equal(res.body.confirmationAttempts, 2);
      assert.equal(res.body.confirmationRate, 0.5);
    });
  } finally {
    await d.app.close();
  }
});

Deno.test("check-in, visits and the queue", async (t) => {
  let open: string[] = [];
  const d = await frontDesk(() => open);
  try {
    await weeklySchedule(d);
    const p1 = await createPatient(d.app, d.tokens.reception);
    const p2 = await createPatient(d.app, d.tokens.reception);
    const today = (await book(d, p1.id, at(MONDAY, "09:00"))).body;
    const tuesday =
      (await book(d, p2.id, at(TUESDAY, "09:00"), { type: "vaccination", durationMinutes: 15 }))
        .body;
    let visit: any;

    await t.step("check-in only on the appointment's day", async () => {
      const early = await d.app.call("POST", `/api/v1/appointments/${tuesday.id}/check-in`, {
        token: d.tokens.reception,
        body: {},
      });
      assert.equal(early.status, 409, JSON.stringify(early.body));
    });

    await t.step("check-in opens a visit, waiting in the queue", async () => {
      d.clock.set(MONDAY, "08:40");
      await d.relogin();
      const res = await d.app.call("POST", `/api/v1/appointments/${today.id}/check-in`, {
        token: d.tokens.reception,
        body: {},
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, "checked_in");
      visit = res.body.encounter;
      assert.equal(res.body.encounterId, visit.id);
      assert.equal(visit.status, "waiting");
      assert.equal(visit.appointmentId, today.id);
    });

    await t.step("one open visit per patient per facility", async () => {
      const again = await d.app.call("POST", "/api/v1/encounters", {
        token: d.tokens.reception,
        body: { patientId: p1.id, facilityId: d.org.facilityId },
      });
      assert.equal(again.status, 409);
      assert.equal(again.body.encounterId, visit.id);
    });

    let walkIn: any;
    await t.step("the queue: emergencies first, then by arrival, with waiting time", async () => {
      d.clock.set(MONDAY, "08:50");
      const res = await d.app.call("POST", "/api/v1/encounters", {
        token: d.tokens.reception,
        body: { patientId: p2.id, facilityId: d.org.facilityId, priority: "emergency" },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      walkIn = res.body;
      assert.equal(walkIn.type, "walk_in");
      d.clock.set(MONDAY, "09:00");
      const q = await d.app.call("GET", `/api/v1/queue?facilityId=${d.org.facilityId}`, {
        token: d.tokens.doctor,
      });
      assert.equal(q.status, 200);
      assert.deepEqual(q.body.data.map((e: any) => e.encounterId), [walkIn.id, visit.id]);
      assert.deepEqual(q.body.data.map((e: any) => e.waitingMinutes), [10, 20]);
    });

    await t.step("calling the next patient starts the first in the queue", async () => {
      const next = await d.app.call("POST", "/api/v1/queue/next", {
        token: d.tokens.doctor,
        body: { facilityId: d.org.facilityId },
      });
      assert.equal(next.status, 200, JSON.stringify(next.body));
      assert.equal(next.body.id, walkIn.id);
      assert.equal(next.body.status, "in_consultation");
      assert.equal(next.body.practitionerId, d.doctorId);
      const byReception = await d.app.call("POST", "/api/v1/queue/next", {
        token: d.tokens.reception,
        body: {},
      });
      assert.equal(byReception.status, 403);
    });

    await t.step("starting and closing a visit moves its appointment along", async () => {
      const started = await d.app.call("POST", `/api/v1/encounters/${visit.id}/start`, {
        token: d.tokens.doctor,
      });
      assert.equal(started.status, 200);
      let appt = await d.app.call("GET", `/api/v1/appointments/${today.id}`, {
        token: d.tokens.reception,
      });
      assert.equal(appt.body.status, "in_progress");
      open = ["a consultation note is unsigned"];
      const held = await d.app.call("POST", `/api/v1/encounters/${visit.id}/close`, {
        token: d.tokens.doctor,
      });
      assert.equal(held.status, 409);
      assert.deepEqual(held.body.open, ["a consultation note is unsigned"]);
      open = [];
      const closed = await d.app.call("POST", `/api/v1/encounters/${visit.id}/close`, {
        token: d.tokens.doctor,
      });
      assert.equal(closed.status, 200, JSON.stringify(closed.body));
      assert.equal(closed.body.status, "closed");
      appt = await d.app.call("GET", `/api/v1/appointments/${today.id}`, {
        token: d.tokens.reception,
      });
      assert.equal(appt.body.status, "completed");
      const again = await d.app.call("POST", `/api/v1/encounters/${visit.id}/close`, {
        token: d.tokens.doctor,
      });
      assert.equal(again.status, 409);
      const edit = await d.app.call("PATCH", `/api/v1/appointments/${today.id}`, {
        token: d.tokens.reception,
        body: { reason: "late edit" },
      });
      assert.equal(edit.status, 409, "nothing changes after completion");
    });

    await t.step("a patient who leaves: the visit ends and the queue empties", async () => {
      const p3 = await createPatient(d.app, d.tokens.reception);
      const v = await d.app.call("POST", "/api/v1/encounters", {
        token: d.tokens.reception,
        body: { patientId: p3.id },
      });
      assert.equal(v.status, 201);
      assert.equal(v.body.facilityId, d.org.facilityId, "the caller's facility");
      const left = await d.app.call("POST", `/api/v1/encounters/${v.body.id}/cancel`, {
        token: d.tokens.reception,
        body: { reason: "waited too long", leftWithoutBeingSeen: true },
      });
      assert.equal(left.status, 200);
      assert.equal(left.body.status, "left_without_being_seen");
      const q = await d.app.call("GET", "/api/v1/queue", { token: d.tokens.nurse });
      assert.deepEqual(q.body.data, []);
      const none = await d.app.call("POST", "/api/v1/queue/next", {
        token: d.tokens.doctor,
        body: {},
      });
      assert.equal(none.status, 404);
    });

    await t.step("calendar and statistics", async () => {
      const day = await d.app.call(
        "GET",
        `/api/v1/appointments/calendar?view=day&date=${MONDAY}&practitionerId=${d.doctorId}`,
        {
          token: d.tokens.doctor,
        },
      );
      assert.equal(day.status, 200, JSON.stringify(day.body));
      assert.equal(day.body.days.length, 1);
      assert.deepEqual(day.body.days[0].appointments.map((a: any) => a.id), [today.id]);
      const week = await d.app.call(
        "GET",
        `/api/v1/appointments/calendar?view=week&date=${TUESDAY}`,
        {
          token: d.tokens.reception,
        },
      );
      assert.equal(week.body.from, MONDAY);
      assert.equal(week.body.to, "2030-01-13");
      assert.deepEqual(week.body.days.map((x: any) => x.appointments.length), [
        1,
        1,
        0,
        0,
        0,
        0,
        0,
      ]);
      const stats = await d.app.call(
        "GET",
        `/api/v1/appointments/stats?from=${MONDAY}&to=${TUESDAY}`,
        {
          token: d.tokens.admin,
        },
      );
      assert.equal(stats.status, 200, JSON.stringify(stats.body));
      assert.equal(stats.body.appointments, 2);
      assert.deepEqual(stats.body.byStatus, { completed: 1, scheduled: 1 });
      assert.deepEqual(stats.body.visits, { scheduled: 1, walkIn: 2 });
      assert.equal(stats.body.noShowRate, 0);
      const list = await d.app.call(
        "GET",
        `/api/v1/appointments?from=${encodeURIComponent(at(MONDAY, "00:00"))}&limit=1`,
        {
          token: d.tokens.reception,
        },
      );
      assert.equal(list.body.data[0].id, today.id);
      const page2 = await d.app.call(
        "GET",
        `/api/v1/appointments?limit=1&cursor=${list.body.nextCursor}&from=${
          encodeURIComponent(at(MONDAY, "00:00"))
        }`,
        {
          token: d.tokens.reception,
        },
      );
      assert.equal(page2.body.data[0].id, tuesday.id);
      assert.equal(page2.body.nextCursor, null);
    });

    await t.step("reads of appointments and visits are audited per patient", async () => {
      await d.app.deps.audit.flush();
      const rows = await d.app.deps.db.readRows(
        "SELECT action FROM audit_events WHERE patient_id = ? AND (action LIKE 'appointment.%' OR action LIKE 'encounter.%')",
        [p1.id],
      );
      const actions = new Set(rows.map((r) => r[0]));
      for (
        const a of [
          "appointment.create",
          "appointment.check-in",
          "appointment.read",
          "appointment.list",
          "encounter.create",
          "encounter.close",
        ]
      ) {
        assert.ok(actions.has(a), `${a} in ${[...actions].join(", ")}`);
      }
    });
  } finally {
    await d.app.close();
  }
});
