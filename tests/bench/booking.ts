/**
 * Booking benchmark: `POST /api/v1/appointments` on the real server (`src/main.ts`, production
 * settings, synchronous=FULL), in two scenarios, each followed by a count of double bookings read
 * straight from the database file.
 *
 *   deno task bench:booking
 *
 * A. Distinct slots: BENCH_DOCTORS (20) doctors, each booked on free slots of their own (30
 *    minutes back to back, `override: true` by an ADMIN so no schedule is needed), BENCH_BOOKINGS
 *    (5,000) bookings sent by BENCH_CONNECTIONS (32) concurrent clients. Every answer must be 201.
 * B. Contention: one more doctor, booked by all the clients at once at overlapping times: the
 *    first BENCH_CONNECTIONS attempts all at the same slot, the rest at random starts every 5
 *    minutes over BENCH_CONTENTION_HOURS (24), 15 to 60 minutes long; BENCH_ATTEMPTS (2,000).
 *    Every answer must be 201 or 409.
 *
 * Each booking is one write transaction holding the database's write lock from the overlap check
 * to the commit, so the figures are those of serialised, fsynced commits. Double bookings are
 * pairs of active appointments of one practitioner whose half-open intervals overlap; the bench
 * exits with status 1 when there is one, when the rows written differ from the 201s answered, or
 * when a request gets another answer than those expected.
 *
 * Settings (environment): BENCH_DOCTORS, BENCH_BOOKINGS, BENCH_CONNECTIONS, BENCH_ATTEMPTS,
 * BENCH_CONTENTION_HOURS, BENCH_PATIENTS (1,000 seeded patients the bookings rotate over),
 * BENCH_WARMUP (200 bookings before A, on days of their own, not measured), BENCH_SERVERS (1; 2
 * runs two server processes on the one database file, the clients alternating between them),
 * BENCH_SEED (random starts of B), BENCH_SERVER_ENV (extra server settings, KEY=VALUE pairs).
 */
import { openDatabase } from "../../db/client.ts";
import { ACTIVE_STATUSES } from "../../src/modules/scheduling/schemas.ts";
import { createTestApp } from "../helpers/app.ts";
import { loginAt } from "../helpers/cluster.ts";
import { createStaff, login } from "../helpers/factories.ts";
import { prng } from "../helpers/random.ts";
import { loadAverage, startCpuUsage } from "./cpu_usage.ts";
import { table } from "./load.ts";
import { seedBenchData } from "./seed.ts";
import { cpuFigure, startServerCpu } from "./cpu.ts";
import { type RunningServer, startServer } from "./server.ts";
import {
  envInt,
  LATENCY_HEADER,
  latencyRow,
  postJson,
  type Run,
  runClients,
  serverEnvFrom,
  statusCounts,
} from "./requests.ts";

const DOCTORS = envInt("BENCH_DOCTORS", 20);
const BOOKINGS = envInt("BENCH_BOOKINGS", 5_000);
const CONNECTIONS = envInt("BENCH_CONNECTIONS", 32);
const ATTEMPTS = envInt("BENCH_ATTEMPTS", 2_000);
const CONTENTION_HOURS = envInt("BENCH_CONTENTION_HOURS", 24);
const PATIENTS = envInt("BENCH_PATIENTS", 1_000);
const WARMUP = envInt("BENCH_WARMUP", 200, 0);
const SERVERS = envInt("BENCH_SERVERS", 1);
const SEED = envInt("BENCH_SEED", 20300107, 0);
const SERVER_ENV = serverEnvFrom("BENCH_SERVER_ENV");
const JWT_SECRET = "bench-booking-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const log = (msg: string) => console.log(`[booking-bench] ${msg}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

interface Booking {
  practitionerId: string;
  patientId: string;
  start: number;
  minutes: number;
}

/** Sends every booking, `CONNECTIONS` at a time, alternating between the servers. */
function book(servers: RunningServer[], token: string, bookings: Booking[]): Promise<Run> {
  return runClients(CONNECTIONS, bookings.length, (i) => {
    const b = bookings[i];
    return postJson(`${servers[i % servers.length].baseUrl}/api/v1/appointments`, token, {
      patientId: b.patientId,
      practitionerId: b.practitionerId,
      start: new Date(b.start).toISOString(),
      durationMinutes: b.minutes,
      type: "consultation",
      override: true,
    });
  });
}

/** The same number of `GET /health` requests the same way: what the client and HTTP cost. */
function health(servers: RunningServer[], n: number): Promise<Run> {
  return runClients(CONNECTIONS, n, async (i) => {
    const res = await fetch(`${servers[i % servers.length].baseUrl}/api/v1/health`);
    await res.body?.cancel();
    return res.status;
  });
}

/**
 * Straight from the database file: overlapping pairs of active appointments of one practitioner
 * (half-open intervals, so one ending when the other starts is no overlap), and the rows of the
 * given practitioners, to compare with the 201s answered.
 */
async function audit(dataDir: string, practitionerIds: string[]) {
  const db = openDatabase({ url: `file:${dataDir}/clinic.db` });
  try {
    const active = ACTIVE_STATUSES.map((s) => `'${s}'`).join(", ");
    const [[overlaps]] = await db.readRows(
      `SELECT count(*) FROM appointments a JOIN appointments b
         ON b.org_id = a.org_id AND b.practitioner_id = a.practitioner_id AND b.id > a.id
        AND b.start_at < a.end_at AND a.start_at < b.end_at
        AND b.status IN (${active}) AND b.deleted_at IS NULL
      WHERE a.status IN (${active}) AND a.deleted_at IS NULL`,
      [],
    ) as number[][];
    const [[rows]] = await db.readRows(
      `SELECT count(*) FROM appointments WHERE practitioner_id IN (${
        practitionerIds.map(() => "?").join(", ")
      }) AND deleted_at IS NULL`,
      practitionerIds,
    ) as number[][];
    return { overlaps: Number(overlaps), rows: Number(rows) };
  } finally {
    db.close();
  }
}

const dataDir = await Deno.makeTempDir({ prefix: "clinic-bench-booking-" });
const servers: RunningServer[] = [];
const cleanup = async () => {
  for (const s of servers.splice(0)) await s.stop(5_000);
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
};
const onInterrupt = async () => {
  log("interrupted; stopping the server and removing the data folder");
  await cleanup();
  Deno.exit(130);
};
Deno.addSignalListener("SIGINT", onInterrupt);

const problems: string[] = [];
try {
  log(
    `deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs (load average ` +
      `${loadAverage()}), data: ${dataDir}`,
  );

  // The organisation, its admin and patients in bulk; the doctors join as staff do (invited,
  // then accepted), through the app in-process on the same file before the server opens it.
  let t0 = performance.now();
  const data = await seedBenchData({ dataDir, jwtSecret: JWT_SECRET, count: PATIENTS });
  const setup = await createTestApp({ DATA_DIR: dataDir, JWT_SECRET });
  const doctorIds: string[] = [];
  try {
    const admin = (await login(setup, data.adminEmail, data.adminPassword)).accessToken;
    for (let i = 0; i <= DOCTORS; i++) {
      doctorIds.push((await createStaff(setup, admin, "DOCTOR", `Doctor ${i + 1}`)).id);
    }
  } finally {
    await setup.close(); // its own empty folder; the data folder stays
  }
  const contended = doctorIds.pop()!;
  log(
    `seeded ${PATIENTS.toLocaleString("en")} patients and ${DOCTORS + 1} doctors in ` +
      seconds(performance.now() - t0),
  );

  t0 = performance.now();
  for (let i = 0; i < SERVERS; i++) {
    servers.push(await startServer({ dataDir, jwtSecret: JWT_SECRET, env: SERVER_ENV }));
  }
  log(`${SERVERS} server process(es) ready in ${seconds(performance.now() - t0)}`);
  const token = await loginAt({ url: servers[0].baseUrl }, data.adminEmail, data.adminPassword);
  const patient = (i: number) => data.patientIds[i % data.patientIds.length];
  // A week ahead, on the hour: no reminder falls due during the run.
  const base = Math.ceil((Date.now() + 7 * DAY) / HOUR) * HOUR;

  if (WARMUP > 0) {
    // Far later than the measured bookings, so it takes none of their slots.
    const warm = Array.from({ length: WARMUP }, (_, i) => ({
      practitionerId: doctorIds[i % DOCTORS],
      patientId: patient(i),
      start: base + 300 * DAY + Math.floor(i / DOCTORS) * 30 * MINUTE,
      minutes: 30,
    }));
    const w = await book(servers, token, warm);
    log(`warm-up: ${WARMUP} bookings, ${fmt(WARMUP / w.seconds, 0)}/s`);
  }

  // --- A: distinct slots ------------------------------------------------------------------
  const distinct: Booking[] = Array.from({ length: BOOKINGS }, (_, i) => ({
    practitionerId: doctorIds[i % DOCTORS],
    patientId: patient(i),
    start: base + Math.floor(i / DOCTORS) * 30 * MINUTE,
    minutes: 30,
  }));
  const pids = servers.map((s) => s.process.pid);
  const healthCpu = startServerCpu(pids);
  const healthRun = await health(servers, Math.min(BOOKINGS, 5_000));
  const healthUs = healthCpu(healthRun.outcomes.length);
  let cpuSince = startCpuUsage(servers[0].process.pid);
  const bookingCpu = startServerCpu(pids);
  const a = await book(servers, token, distinct);
  const cpuA = cpuSince();
  const bookingUs = bookingCpu(a.outcomes.length);
  const aCounts = statusCounts(a.outcomes);
  const aCheck = await audit(dataDir, doctorIds);
  const aCreated = aCounts.get(201) ?? 0;
  if (aCreated !== BOOKINGS) {
    problems.push(`A: ${BOOKINGS - aCreated} bookings were not 201 (${[...aCounts]})`);
  }
  if (aCheck.rows !== aCreated + WARMUP) {
    problems.push(`A: ${aCheck.rows} rows for ${aCreated} bookings and ${WARMUP} warm-up`);
  }
  if (aCheck.overlaps !== 0) problems.push(`A: ${aCheck.overlaps} double bookings`);

  // --- B: contention ----------------------------------------------------------------------
  const rand = prng(SEED);
  const contention: Booking[] = Array.from({ length: ATTEMPTS }, (_, i) => {
    if (i < CONNECTIONS) {
      return { practitionerId: contended, patientId: patient(i), start: base, minutes: 30 };
    }
    return {
      practitionerId: contended,
      patientId: patient(i),
      start: base + Math.floor(rand() * CONTENTION_HOURS * 12) * 5 * MINUTE,
      minutes: 15 + Math.floor(rand() * 4) * 15,
    };
  });
  cpuSince = startCpuUsage(servers[0].process.pid);
  const b = await book(servers, token, contention);
  const cpuB = cpuSince();
  const bCounts = statusCounts(b.outcomes);
  const bCheck = await audit(dataDir, [contended]);
  const won = bCounts.get(201) ?? 0;
  const refused = bCounts.get(409) ?? 0;
  if (won + refused !== ATTEMPTS) {
    problems.push(`B: ${ATTEMPTS - won - refused} answers neither 201 nor 409 (${[...bCounts]})`);
  }
  if (bCheck.rows !== won) problems.push(`B: ${bCheck.rows} rows for ${won} bookings`);
  if (bCheck.overlaps !== 0) problems.push(`B: ${bCheck.overlaps} double bookings`);
  // Of the burst at one free slot, exactly one wins.
  const burstWon = b.outcomes.slice(0, CONNECTIONS).filter((o) => o.status === 201).length;
  if (burstWon !== 1) problems.push(`B: ${burstWon} of the same-slot burst were booked`);

  const cpu = (c: ReturnType<typeof cpuSince>) =>
    c
      ? `server ${c.server.toFixed(2)}${
        SERVERS > 1 ? " (the first; the others count as other)" : ""
      }, ` +
        `bench ${c.bench.toFixed(2)}, other ${c.other.toFixed(2)}`
      : "n/a";
  console.log(
    `\nBooking benchmark: ${SERVERS} server process(es), ${CONNECTIONS} concurrent clients ` +
      `(fetch), synchronous=${SERVER_ENV.DATABASE_SYNCHRONOUS ?? "FULL"}, ` +
      `${PATIENTS.toLocaleString("en")} patients\n`,
  );
  console.log(
    `A. Distinct slots: ${DOCTORS} doctors, ${BOOKINGS.toLocaleString("en")} bookings of 30 ` +
      `minutes back to back (CPU cores busy: ${cpu(cpuA)})`,
  );
  console.log(table([
    LATENCY_HEADER,
    latencyRow("GET /health (same client, for scale)", healthRun),
    latencyRow("POST /appointments", a),
  ]));
  console.log(
    `  server CPU per request (user + system, all threads): GET /health ` +
      `${cpuFigure(healthUs)}, POST /appointments ${cpuFigure(bookingUs, healthUs)}`,
  );
  console.log(
    `  bookings/s ${fmt(aCreated / a.seconds, 0)}; answers ${
      [...aCounts].map(([s, n]) => `${s}×${n}`).join(", ")
    }; double bookings in the database: ${aCheck.overlaps}; rows ${aCheck.rows} ` +
      `(${aCreated} + ${WARMUP} warm-up)\n`,
  );
  console.log(
    `B. Contention: one doctor, ${ATTEMPTS.toLocaleString("en")} attempts (the first ` +
      `${CONNECTIONS} at one slot, then random 15-60 minute bookings every 5 minutes over ` +
      `${CONTENTION_HOURS} h; seed ${SEED}) (CPU cores busy: ${cpu(cpuB)})`,
  );
  console.log(table([
    LATENCY_HEADER,
    latencyRow("POST /appointments, all", b),
    latencyRow("  booked (201)", b, (o) => o.status === 201),
    latencyRow("  refused (409)", b, (o) => o.status === 409),
  ]));
  console.log(
    `  attempts/s ${fmt(ATTEMPTS / b.seconds, 0)}; booked ${won}, refused ${refused}` +
      `${
        won + refused === ATTEMPTS ? "" : `, other ${ATTEMPTS - won - refused}`
      }; same-slot burst booked ${burstWon} of ${Math.min(CONNECTIONS, ATTEMPTS)}; ` +
      `double bookings in the database: ${bCheck.overlaps}; rows ${bCheck.rows}\n`,
  );
  console.log(problems.length ? `FAIL\n  ${problems.join("\n  ")}` : "PASS: no double booking");
} catch (err) {
  problems.push(err instanceof Error ? err.stack ?? err.message : String(err));
  console.error(`[booking-bench] failed: ${err instanceof Error ? err.stack : err}`);
} finally {
  Deno.removeSignalListener("SIGINT", onInterrupt);
  await cleanup();
}
if (problems.length) Deno.exitCode = 1;
