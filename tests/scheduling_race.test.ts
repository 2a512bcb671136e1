/**
 * Races at the front desk, decided in the database transaction: bookings for one practitioner at
 * overlapping times sent at once to two real server processes sharing one database file, two
 * desks opening a visit for one patient, two
 * doctors calling the next patient.
 */
import assert from "node:assert/strict";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient, createStaff, login } from "./helpers/factories.ts";
import { prng } from "./helpers/random.ts";
import { http, loginAt, SECRET, serve } from "./helpers/cluster.ts";
import { openDatabase } from "../db/client.ts";

const SEED = Number(Deno.env.get("RACE_SEED") ?? Date.now() % 100_000);

Deno.test(`60 racing bookings never double-book (RACE_SEED=${SEED})`, async () => {
  // The organisation is made in-process, then two real server processes open the same file:
  // two API processes, two connections, one write lock.
  const setup = await createTestApp({ JWT_SECRET: SECRET });
  const org = await createOrg(setup);
  const doctor = await createStaff(setup, org.admin, "DOCTOR");
  const patients: { id: string }[] = [];
  for (let i = 0; i < 6; i++) patients.push(await createPatient(setup, org.admin));
  await setup.close({ keep: true });
  const servers = [serve(setup.dir), serve(setup.dir)];
  try {
    await Promise.all(servers.map((s) => s.waitFor("listening")));
    const tokens = await Promise.all(servers.map((s) => loginAt(s, org.adminEmail)));
    const rand = prng(SEED);
    // Two days ahead, on the hour; starts every 5 minutes over three hours, 15-60 minutes long.
    const base = Math.ceil((Date.now() + 2 * 86_400_000) / 3_600_000) * 3_600_000;
    const requests = Array.from({ length: 60 }, (_, i) => {
      const start = base + Math.floor(rand() * 36) * 5 * 60_000;
      const minutes = 15 + Math.floor(rand() * 4) * 15;
      return { i, start, end: start + minutes * 60_000, minutes };
    });
    const results = await Promise.all(
      requests.map((r) =>
        http(servers[r.i % 2], "POST", "/api/v1/appointments", {
          token: tokens[r.i % 2],
          body: {
            patientId: patients[r.i % patients.length].id,
            practitionerId: doctor.id,
            start: new Date(r.start).toISOString(),
            durationMinutes: r.minutes,
            type: "consultation",
            override: true,
          },
        })
      ),
    );
    const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) =>
      a.start < b.end && b.start < a.end;
    const winners = requests.filter((_, i) => results[i].status === 201);
    const losers = requests.filter((_, i) => results[i].status === 409);
    assert.equal(winners.length + losers.length, 60, results.map((r) => r.status).join(","));
    assert.ok(winners.length >= 1 && losers.length >= 1, "the times were meant to collide");
    for (const a of winners) {
      for (const b of winners) {
        if (a !== b) assert.ok(!overlaps(a, b), `bookings ${a.i} and ${b.i} overlap`);
      }
    }
    for (const l of losers) {
      assert.ok(winners.some((w) => overlaps(w, l)), `booking ${l.i} was refused for nothing`);
      const conflicts = results[l.i].body.conflicts as { start: string; end: string }[];
      assert.ok(conflicts.length >= 1);
      for (const c of conflicts) {
        assert.ok(overlaps({ start: Date.parse(c.start), end: Date.parse(c.end) }, l));
      }
    }
    // And the database agrees.
    await Promise.all(servers.map((s) => s.stop()));
    const db = openDatabase({ url: `file:${setup.dir}/clinic.db` });
    try {
      const rows = await db.readRows(
        "SELECT start_at, end_at FROM appointments WHERE practitioner_id = ? ORDER BY start_at",
        [doctor.id],
      ) as [string, string][];
      assert.equal(rows.length, winners.length);
      for (let i = 1; i < rows.length; i++) {
        assert.ok(rows[i - 1][1] <= rows[i][0], `${rows[i - 1]} overlaps ${rows[i]}`);
      }
    } finally {
      db.close();
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await Deno.remove(setup.dir, { recursive: true });
  }
});

Deno.test("two desks opening a visit for one patient at once open one", async () => {
  const app = await createTestApp();
  try {
    const org = await createOrg(app);
    const reception = await org.tokenFor("RECEPTION");
    const patient = await createPatient(app, reception);
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        app.call("POST", "/api/v1/encounters", {
          token: reception,
          body: { patientId: patient.id, facilityId: org.facilityId },
        })),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, ...Array(9).fill(409)]);
    const opened = results.find((r) => r.status === 201)!.body.id;
    for (const r of results.filter((r) => r.status === 409)) {
      assert.equal(r.body.encounterId, opened);
    }
  } finally {
    await app.close();
  }
});

Deno.test("two doctors calling the next patient at once get different patients", async () => {
  const app = await createTestApp();
  try {
    const org = await createOrg(app);
    const reception = await org.tokenFor("RECEPTION");
    const doctors = await Promise.all([1, 2].map(async () => {
      const d = await createStaff(app, org.admin, "DOCTOR");
      return (await login(app, d.email)).accessToken;
    }));
    for (let i = 0; i < 2; i++) {
      const p = await createPatient(app, reception);
      const res = await app.call("POST", "/api/v1/encounters", {
        token: reception,
        body: { patientId: p.id, facilityId: org.facilityId },
      });
      assert.equal(res.status, 201);
    }
    const called = await Promise.all(
      doctors.map((token) =>
        app.call("POST", "/api/v1/queue/next", { token, body: { facilityId: org.facilityId } })
      ),
    );
    assert.deepEqual(called.map((c) => c.status), [200, 200]);
    assert.notEqual(called[0].body.id, called[1].body.id);
    const third = await app.call("POST", "/api/v1/queue/next", {
      token: doctors[0],
      body: { facilityId: org.facilityId },
    });
    assert.equal(third.status, 404);
  } finally {
    await app.close();
  }
});
