/**
 * A practitioner's calendar feed: created, listed and revoked by its owner only; the .ics it
 * serves parsed back (events against the appointments, privacy, RFC 5545 escaping, folding and
 * CRLF), its reads audited, and 404 for a token that is unknown, revoked or whose owner left.
 * The clock is the app's own; the organisation is in Nairobi (UTC+3) and the first day is Monday
 * 7 January 2030, 08:00 there.
 */
import assert from "node:assert/strict";
import { createTestApp, type TestApp } from "./helpers/app.ts";
import { createOrg, createPatient, createStaff, login, type TestOrg } from "./helpers/factories.ts";

const at = (date: string, time: string) => `${date}T${time}:00+03:00`;
const DAY = 86_400_000;

class MovableClock {
  t = Date.parse(at("2030-01-07", "08:00"));
  now = () => new Date(this.t);
  set(date: string, time: string) {
    this.t = Date.parse(at(date, time));
  }
}

/** Long, with commas, a semicolon and characters of two and three octets: folded and escaped. */
const ORG_NAME = "Kliniki ya Afya ya Jamii, Westlands; Ngũgĩ wa Thiong’o Memorial Centre ✚";
const FACILITY_NAME = "Annex, 2nd floor; Room 4 \\ East wing";
const DOCTOR_NAME = "Dr. Achieng Odhiambo";

// --- a small RFC 5545 reader, strict about what the writer must do ---------------------------

interface Ics {
  raw: Uint8Array;
  calendar: Map<string, string>;
  events: Map<string, string>[];
  /** Every TEXT value as sent, escaped. */
  rawText: string[];
}

const TEXT_PROPS = new Set(["SUMMARY", "DESCRIPTION", "LOCATION", "X-WR-CALNAME"]);

/** Fails when a TEXT value holds an unescaped `,` or `;`, or a backslash escaping anything else. */
function assertEscaped(value: string, what: string) {
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === "\\") {
      assert.ok("\\;,nN".includes(value[i + 1] ?? ""), `${what}: stray backslash in ${value}`);
      i++;
    } else assert.ok(c !== "," && c !== ";", `${what}: unescaped ${c} in ${value}`);
  }
}

const unescape = (v: string) =>
  v.replace(/\\([\\;,nN])/g, (_, c: string) => (c === "n" || c === "N" ? "\n" : c));

function parseIcs(raw: Uint8Array): Ics {
  const CR = 13, LF = 10;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === LF) assert.equal(raw[i - 1], CR, `bare LF at octet ${i}`);
    if (raw[i] === CR) assert.equal(raw[i + 1], LF, `bare CR at octet ${i}`);
  }
  assert.equal(raw[raw.length - 1], LF, "the last line ends in CRLF");
  // Physical lines, as octets: none over 75, none cutting a UTF-8 character.
  const strict = new TextDecoder("utf-8", { fatal: true });
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== LF) continue;
    const line = raw.subarray(start, i - 1);
    assert.ok(line.length <= 75, `a line of ${line.length} octets: ${strict.decode(line)}`);
    strict.decode(line); // throws on a character split across lines
    start = i + 1;
  }
  const text = strict.decode(raw);
  const logical = text.replace(/\r\n[ \t]/g, "").split("\r\n").slice(0, -1);
  assert.equal(logical[0], "BEGIN:VCALENDAR");
  assert.equal(logical[logical.length - 1], "END:VCALENDAR");
  const calendar = new Map<string, string>();
  const events: Map<string, string>[] = [];
  const rawText: string[] = [];
  let event: Map<string, string> | undefined;
  for (const line of logical.slice(1, -1)) {
    if (line === "BEGIN:VEVENT") {
      assert.equal(event, undefined, "VEVENTs do not nest");
      event = new Map();
      continue;
    }
    if (line === "END:VEVENT") {
      events.push(event!);
      event = undefined;
      continue;
    }
    const m = /^([A-Z0-9-]+)((?:;[^:]*)?):(.*)$/.exec(line);
    assert.ok(m, `not a content line: ${line}`);
    const [, name, , value] = m;
    if (TEXT_PROPS.has(name)) {
      assertEscaped(value, name);
      rawText.push(value);
    }
    (event ?? calendar).set(name, TEXT_PROPS.has(name) ? unescape(value) : value);
  }
  assert.equal(event, undefined, "every VEVENT ends");
  return { raw, calendar, events, rawText };
}

const utc = (iso: string) =>
  new Date(iso).toISOString().replace(/\.\d{3}/, "").replace(/[-:]/g, "");

// --- the clinic ---------------------------------------------------------------------------

interface Clinic {
  app: TestApp;
  clock: MovableClock;
  org: TestOrg;
  facilityId: string;
  doctor: { id: string; email: string; token: string };
  other: { id: string; email: string; token: string };
  relogin(): Promise<void>;
}

async function clinic(): Promise<Clinic> {
  const clock = new MovableClock();
  const app = await createTestApp({ ACCESS_TOKEN_TTL_SECONDS: "3600" }, { clock });
  const org = await createOrg(app, ORG_NAME);
  const facility = await app.call("POST", "/api/v1/facilities", {
    token: org.admin,
    body: { name: FACILITY_NAME, code: "ANNEX" },
  });
  assert.equal(facility.status, 201, JSON.stringify(facility.body));
  const doctor = await createStaff(app, org.admin, "DOCTOR", DOCTOR_NAME);
  const other = await createStaff(app, org.admin, "DOCTOR", "Dr. Other");
  const c: Clinic = {
    app,
    clock,
    org,
    facilityId: facility.body.id,
    doctor: { ...doctor, token: "" },
    other: { ...other, token: "" },
    relogin: async () => {
      c.org.admin = (await login(app, org.adminEmail)).accessToken;
      c.doctor.token = (await login(app, doctor.email)).accessToken;
      c.other.token = (await login(app, other.email)).accessToken;
    },
  };
  await c.relogin();
  return c;
}

async function book(
  c: Clinic,
  patientId: string,
  start: string,
  extra: Record<string, unknown> = {},
) {
  const res = await c.app.call("POST", "/api/v1/appointments", {
    token: c.org.admin,
    body: {
      patientId,
      practitionerId: c.doctor.id,
      facilityId: c.facilityId,
      start,
      durationMinutes: 30,
      type: "consultation",
      override: true,
      ...extra,
    },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string; start: string; end: string; version: number };
}

async function fetchFeed(c: Clinic, url: string) {
  const res = await c.app.app.request(url, {}, { remoteAddr: { hostname: "10.1.2.3" } });
  return {
    status: res.status,
    headers: res.headers,
    bytes: new Uint8Array(await res.arrayBuffer()),
  };
}

const problemOf = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));

Deno.test("a practitioner's calendar feed", async (t) => {
  const c = await clinic();
  const { app } = c;
  try {
    const wanjiku = await createPatient(app, c.org.admin, {
      givenName: "Wanjiku",
      familyName: "Otieno-Kamau",
    });
    const baraka = await createPatient(app, c.org.admin, {
      givenName: "Baraka",
      familyName: "Mwangi",
    });
    // Booked now (Monday 7 January); the clock then moves 40 days on, to Saturday 16 February.
    const tooOld = await book(c, wanjiku.id, at("2030-01-08", "09:00"));
    const noShow = await book(c, baraka.id, at("2030-02-05", "09:00"));
    c.clock.set("2030-02-16", "08:00");
    await c.relogin();
    const checkedIn = await book(c, wanjiku.id, at("2030-02-16", "10:00"), {
      reason: "Chest pain, severe; since Monday",
    });
    const confirmed = await book(c, baraka.id, at("2030-02-17", "09:00"), { type: "follow_up" });
    const moved = await book(c, wanjiku.id, at("2030-02-18", "11:00"));
    const cancelled = await book(c, baraka.id, at("2030-02-19", "09:00"));
    const lastInWindow = await book(c, baraka.id, at("2030-05-10", "09:00"));
    const tooFar = await book(c, baraka.id, at("2030-05-20", "09:00"));
    const othersOwn = await c.app.call("POST", "/api/v1/appointments", {
      token: c.org.admin,
      body: {
        patientId: wanjiku.id,
        practitionerId: c.other.id,
        start: at("2030-02-17", "09:00"),
        durationMinutes: 30,
        type: "consultation",
        override: true,
      },
    });
    assert.equal(othersOwn.status, 201);
    const post = (path: string, body: unknown = {}) =>
      app.call("POST", path, { token: c.org.admin, body });
    assert.equal((await post(`/api/v1/appointments/${noShow.id}/no-show`)).status, 200);
    assert.equal((await post(`/api/v1/appointments/${checkedIn.id}/check-in`)).status, 200);
    assert.equal(
      (await post(`/api/v1/appointments/${confirmed.id}/confirm`, {
        method: "call",
        outcome: "confirmed",
      })).status,
      200,
    );
    const patch = await app.call("PATCH", `/api/v1/appointments/${moved.id}`, {
      token: c.org.admin,
      body: { start: at("2030-02-18", "11:30"), override: true },
    });
    assert.equal(patch.status, 200, JSON.stringify(patch.body));
    assert.equal(
      (await post(`/api/v1/appointments/${cancelled.id}/cancel`, { reason: "Travelling" })).status,
      200,
    );
    const current = async (id: string) =>
      (await app.call("GET", `/api/v1/appointments/${id}`, { token: c.org.admin })).body;

    let feed: { id: string; token: string; url: string; version: number };

    await t.step(
      "POST /calendar-feeds answers the token once, and stores only its hash",
      async () => {
        const res = await app.call("POST", "/api/v1/calendar-feeds", { token: c.doctor.token });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        feed = res.body;
        assert.match(feed.token, /^[A-Za-z0-9_-]{43}$/, "32 random bytes, base64url");
        assert.equal(feed.url, `/api/v1/calendar-feeds/${feed.token}/calendar.ics`);
        assert.equal(res.body.userId, c.doctor.id);
        assert.equal(res.body.lastUsedAt, null);
        assert.equal(res.body.revokedAt, null);
        assert.equal(res.headers.get("location"), `/api/v1/calendar-feeds/${feed.id}`);
        const rows = await app.deps.db.readRows("SELECT * FROM calendar_feeds", []);
        assert.equal(rows.length, 1);
        assert.ok(!JSON.stringify(rows).includes(feed.token), "the token is not stored");
        const log = await app.deps.db.readRows("SELECT * FROM change_log", []);
        assert.ok(!JSON.stringify(log).includes(feed.token), "nor written to the change log");
      },
    );

    await t.step("GET /calendar-feeds lists the caller's own feeds, without tokens", async () => {
      const mine = await app.call("GET", "/api/v1/calendar-feeds", { token: c.doctor.token });
      assert.equal(mine.status, 200);
      assert.deepEqual(mine.body.data.map((f: { id: string }) => f.id), [feed.id]);
      assert.ok(!JSON.stringify(mine.body).includes(feed.token));
      assert.equal(mine.body.data[0].token, undefined);
      const theirs = await app.call("GET", "/api/v1/calendar-feeds", { token: c.other.token });
      assert.deepEqual(theirs.body.data, []);
      const admins = await app.call("GET", "/api/v1/calendar-feeds", { token: c.org.admin });
      assert.deepEqual(admins.body.data, []);
    });

    let ics: Ics;
    await t.step("the .ics holds the practitioner's appointments in the window", async () => {
      const res = await fetchFeed(c, feed.url);
      assert.equal(res.status, 200, new TextDecoder().decode(res.bytes));
      assert.equal(res.headers.get("content-type"), "text/calendar; charset=utf-8");
      assert.equal(res.headers.get("cache-control"), "no-store");
      ics = parseIcs(res.bytes);
      assert.equal(ics.calendar.get("VERSION"), "2.0");
      assert.ok(ics.calendar.get("PRODID"));
      assert.equal(ics.calendar.get("X-WR-TIMEZONE"), "Africa/Nairobi");
      assert.equal(ics.calendar.get("X-WR-CALNAME"), `${DOCTOR_NAME} – ${ORG_NAME}`);
      // 30 days back (no-show of 5 February: 11 days ago) to 90 days ahead (to 17 May).
      const expected = [noShow, checkedIn, confirmed, moved, lastInWindow];
      assert.deepEqual(
        ics.events.map((e) => e.get("UID")),
        expected.map((a) => `${a.id}@clinic-api`),
      );
      for (const e of ics.events) {
        const a = await current(e.get("UID")!.replace("@clinic-api", ""));
        assert.equal(e.get("DTSTART"), utc(a.start), "DTSTART");
        assert.equal(e.get("DTEND"), utc(a.end), "DTEND");
        assert.match(e.get("DTSTAMP")!, /^\d{8}T\d{6}Z$/);
        assert.equal(e.get("SEQUENCE"), String(a.version));
        assert.equal(e.get("LOCATION"), FACILITY_NAME);
        const patient = a.patientId === wanjiku.id ? wanjiku : baraka;
        const initials = a.patientId === wanjiku.id ? "W.O." : "B.M.";
        const type = a.type === "follow_up" ? "Follow-up" : "Consultation";
        assert.equal(e.get("SUMMARY"), `${type}, ${initials} (${patient.mrn})`);
      }
      const byId = (a: { id: string }) =>
        ics.events.find((e) => e.get("UID") === `${a.id}@clinic-api`)!;
      assert.equal(byId(checkedIn).get("STATUS"), "CONFIRMED", "checked in");
      assert.equal(byId(confirmed).get("STATUS"), "CONFIRMED");
      assert.equal(byId(moved).get("STATUS"), "TENTATIVE", "scheduled");
      assert.equal(byId(moved).get("SEQUENCE"), "2", "rescheduled once");
      assert.equal(byId(moved).get("DTSTART"), utc(at("2030-02-18", "11:30")));
      assert.equal(byId(noShow).get("STATUS"), "CONFIRMED");
      assert.match(byId(noShow).get("DESCRIPTION")!, /^Status: no-show .*\nDuration: 30 minutes$/);
      assert.equal(byId(confirmed).get("DESCRIPTION"), "Status: confirmed\nDuration: 30 minutes");
      for (const gone of [tooOld, cancelled, tooFar, othersOwn.body]) {
        assert.ok(!new TextDecoder().decode(ics.raw).includes(gone.id), `${gone.id} is shown`);
      }
    });

    await t.step("no name or reason leaves the clinic; text is escaped and folded", () => {
      const text = new TextDecoder().decode(ics.raw);
      for (const secret of ["Wanjiku", "Otieno", "Kamau", "Baraka", "Mwangi", "Chest pain"]) {
        assert.ok(!text.includes(secret), `${secret} appears in the feed`);
      }
      // The writer had to escape and fold: the values as sent.
      assert.ok(ics.rawText.includes("Annex\\, 2nd floor\\; Room 4 \\\\ East wing"));
      assert.ok(ics.rawText.some((v) => v.includes("Status: confirmed\\nDuration")));
      assert.ok(text.includes("\r\n "), "a long line was folded");
      assert.ok(ics.rawText.some((v) => v.includes("Westlands\\; Ngũgĩ")), "CALNAME escaped");
    });

    await t.step("every event shown is audited as a read by the feed's owner", async () => {
      await app.deps.audit.flush();
      const rows = await app.deps.db.readRows(
        "SELECT actor_id, actor_role, entity_type, entity_id, patient_id, ip FROM audit_events " +
          "WHERE action = 'appointment.feed' ORDER BY seq",
        [],
      ) as string[][];
      assert.equal(rows.length, ics.events.length);
      for (const [actor, role, type, id, patientId, ip] of rows) {
        assert.equal(actor, c.doctor.id);
        assert.equal(role, "DOCTOR");
        assert.equal(type, "appointment");
        assert.equal(ip, "10.1.2.3");
        assert.equal(patientId, (await current(id)).patientId);
      }
      const created = await app.deps.db.readRows(
        "SELECT actor_id, entity_id FROM audit_events WHERE action = 'calendar-feed.create'",
        [],
      );
      assert.deepEqual(created, [[c.doctor.id, feed.id]]);
    });

    await t.step("a read is noted in lastUsedAt, at most once a minute", async () => {
      const lastUsed = async () =>
        (await app.call("GET", "/api/v1/calendar-feeds", { token: c.doctor.token })).body.data[0]
          .lastUsedAt;
      const first = c.clock.now().toISOString();
      assert.equal(await lastUsed(), first);
      c.clock.t += 30_000;
      assert.equal((await fetchFeed(c, feed.url)).status, 200);
      assert.equal(await lastUsed(), first, "not again within the minute");
      c.clock.t += 60_000;
      assert.equal((await fetchFeed(c, feed.url)).status, 200);
      assert.equal(await lastUsed(), c.clock.now().toISOString());
    });

    await t.step("only the owner revokes; another user's feed is not found", async () => {
      const path = `/api/v1/calendar-feeds/${feed.id}`;
      for (const token of [c.other.token, c.org.admin]) {
        const res = await app.call("DELETE", path, { token });
        assert.equal(res.status, 404, JSON.stringify(res.body));
      }
      const elsewhere = await createOrg(app);
      const foreign = await app.call("DELETE", path, { token: elsewhere.admin });
      assert.equal(foreign.status, 404);
      assert.equal((await fetchFeed(c, feed.url)).status, 200, "still live");
      const stale = await app.call("DELETE", path, {
        token: c.doctor.token,
        headers: { "if-match": '"7"' },
      });
      assert.equal(stale.status, 412);
      const revoked = await app.call("DELETE", path, {
        token: c.doctor.token,
        headers: { "if-match": `"${feed.version}"` },
      });
      assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
      assert.equal(revoked.body.revokedAt, c.clock.now().toISOString());
      assert.equal(revoked.headers.get("etag"), `"${feed.version + 1}"`);
      const again = await app.call("DELETE", path, { token: c.doctor.token });
      assert.equal(again.status, 422);
      await app.deps.audit.flush();
      const audited = await app.deps.db.readRows(
        "SELECT actor_id FROM audit_events WHERE action = 'calendar-feed.revoke' AND entity_id = ?",
        [feed.id],
      );
      assert.deepEqual(audited, [[c.doctor.id]]);
    });

    await t.step("a revoked, unknown or malformed token answers the same 404", async () => {
      const revoked = await fetchFeed(c, feed.url);
      assert.equal(revoked.status, 404);
      const unknown = await fetchFeed(
        c,
        `/api/v1/calendar-feeds/${"A".repeat(43)}/calendar.ics`,
      );
      const junk = await fetchFeed(c, "/api/v1/calendar-feeds/%00%27%20OR%201=1/calendar.ics");
      for (const res of [unknown, junk]) {
        assert.equal(res.status, 404);
        assert.equal(problemOf(res.bytes).detail, problemOf(revoked.bytes).detail);
      }
      const list = await app.call("GET", "/api/v1/calendar-feeds", { token: c.doctor.token });
      assert.equal(list.body.data[0].revokedAt, c.clock.now().toISOString());
    });

    await t.step(
      "the feed of someone who left, or may no longer read appointments, is gone",
      async () => {
        const made = await app.call("POST", "/api/v1/calendar-feeds", { token: c.other.token });
        assert.equal(made.status, 201);
        const live = await fetchFeed(c, made.body.url);
        assert.equal(live.status, 200);
        assert.equal(parseIcs(live.bytes).events.length, 1, "their own appointment");
        const deactivated = await app.call("DELETE", `/api/v1/users/${c.other.id}`, {
          token: c.org.admin,
        });
        assert.equal(deactivated.status, 200, JSON.stringify(deactivated.body));
        assert.equal((await fetchFeed(c, made.body.url)).status, 404);

        const lab = await createStaff(app, c.org.admin, "DOCTOR", "Dr. Soon Lab");
        const labToken = (await login(app, lab.email)).accessToken;
        const labFeed = await app.call("POST", "/api/v1/calendar-feeds", { token: labToken });
        assert.equal((await fetchFeed(c, labFeed.body.url)).status, 200);
        const moved = await app.call("PATCH", `/api/v1/users/${lab.id}`, {
          token: c.org.admin,
          body: { role: "LAB" },
        });
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
        assert.equal((await fetchFeed(c, labFeed.body.url)).status, 404);
      },
    );
  } finally {
    await app.close();
  }
});

Deno.test("feed windows move with the clock: 30 days back, 90 ahead", async () => {
  const c = await clinic();
  try {
    const p = await createPatient(c.app, c.org.admin);
    const a = await book(c, p.id, at("2030-01-08", "09:00"));
    const res = await c.app.call("POST", "/api/v1/calendar-feeds", { token: c.doctor.token });
    const count = async () => parseIcs((await fetchFeed(c, res.body.url)).bytes).events.length;
    assert.equal(await count(), 1);
    // 30 days after its end it is still in the window; a minute later it is not.
    c.clock.t = Date.parse(a.end) + 30 * DAY - 60_000;
    assert.equal(await count(), 1);
    c.clock.t = Date.parse(a.end) + 30 * DAY + 60_000;
    assert.equal(await count(), 0);
  } finally {
    await c.app.close();
  }
});
