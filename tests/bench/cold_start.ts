/**
 * Cold start: wall time from spawning the server to its first answers, on an existing database
 * of BENCH_PATIENTS patients (issue 14: under 1 s to the first answered request at 100,000).
 *
 *   deno task bench:cold-start
 *
 * The database is the cached bench data (`cachedBenchData`, seeded once under data/bench/). A
 * first, untimed start logs in as the organisation admin and picks a patient; the access token
 * and its session stay valid across restarts (same JWT secret, session kept in the database), so
 * each timed run can send an authenticated read as soon as the server listens. Each run spawns
 * the command of deno.json's `serve` task (its environment, deno flags and bundle, built once
 * first; `deno task start` builds, then runs the same; `deno task` itself only adds its shell on
 * top) with production settings on a free loopback port, then polls every 5 ms for the
 * first 200 of `GET /api/v1/health` and then of `GET /api/v1/patients/{id}`, and stops it.
 *
 * The server runs with LOG_LEVEL=debug, so it logs a `startup` line of its own marks
 * (performance.now() since the process began: modules loaded, database opened, migrations
 * checked, each module's onStart, app built, listening); the bench prints their medians as the
 * breakdown, and the server's own CPU time (all threads) up to its first health answer, which a
 * busy machine inflates far less than the wall time. The OS page cache holds the database after
 * the first start: the figures are of a restart, not of a machine that has just booted.
 *
 * Settings (environment): BENCH_PATIENTS (100000), BENCH_RUNS (5), BENCH_SERVER_ENV (extra
 * server settings, KEY=VALUE pairs), BENCH_SERVER_FLAGS (extra deno flags, to try one),
 * BENCH_STRICT=1 (exit 1 when the target is missed).
 */
import { eq } from "drizzle-orm";
import { openDatabase } from "../../db/client.ts";
import { patients } from "../../db/schema/mod.ts";
import { serverCpuMs } from "./cpu.ts";
import { loadAverage } from "./cpu_usage.ts";
import { table } from "./load.ts";
import { envInt, serverEnvFrom } from "./requests.ts";
import { cachedBenchData } from "./seed.ts";
import {
  freePort,
  loginToken,
  PROJECT_ROOT,
  serverScript,
  serveTask,
  startServer,
} from "./server.ts";

const PATIENTS = envInt("BENCH_PATIENTS", 100_000);
const RUNS = envInt("BENCH_RUNS", 5);
const SERVER_ENV = serverEnvFrom("BENCH_SERVER_ENV");
const SERVER_FLAGS = (Deno.env.get("BENCH_SERVER_FLAGS") ?? "").split(/\s+/).filter(Boolean);
const STRICT = Deno.env.get("BENCH_STRICT") === "1";
const TARGET_MS = 1000;
const POLL_MS = 5;
const JWT_SECRET = "bench-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const log = (msg: string) => console.log(`[cold-start] ${msg}`);

/** deno.json's `serve` task as deno arguments (`run`, its flags, the bundle it runs). */
async function serveTaskArgs(): Promise<string[]> {
  const task = serveTask();
  return ["run", ...task.flags, ...SERVER_FLAGS, await serverScript()];
}

interface Sample {
  healthMs: number;
  readMs: number;
  /** From spawning the process to its runtime's clock starting (performance.timeOrigin). */
  launchMs: number;
  /** The server's CPU time (user + system, all threads) up to its first health answer. */
  cpuMs: number | null;
  marks: Record<string, number>;
}

/** Polls `url` every POLL_MS until it answers 200; answers the wall time since `t0`. */
async function firstOk(url: string, t0: number, headers: HeadersInit, child: Deno.ChildProcess) {
  let exited = false;
  child.status.then(() => (exited = true));
  while (true) {
    if (exited) throw new Error("the server exited before answering");
    try {
      const res = await fetch(url, { headers });
      await res.body?.cancel();
      if (res.status === 200) return performance.now() - t0;
      if (res.status !== 503) throw new Error(`${url} answered ${res.status}`);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e; // not listening yet
    }
    if (performance.now() - t0 > 60_000) throw new Error(`${url}: no answer within 60 s`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function coldStart(
  args: string[],
  dataDir: string,
  token: string,
  patientId: string,
): Promise<Sample> {
  const port = freePort();
  const base = `http://127.0.0.1:${port}/api/v1`;
  const inherited = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([k]) =>
      !/^(PORT|HOST|DATA_DIR|LOG_LEVEL)$/.test(k)
    ),
  );
  const spawnedAt = Date.now();
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: PROJECT_ROOT,
    clearEnv: true,
    env: {
      ...inherited,
      ...serveTask().env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      APP_ENV: "production",
      JWT_SECRET,
      LOG_LEVEL: "debug",
      ...SERVER_ENV,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const output = new Response(child.stdout).text();
  let healthMs: number, readMs: number, cpuMs: number | null;
  try {
    healthMs = await firstOk(`${base}/health`, t0, {}, child);
    cpuMs = serverCpuMs(child.pid);
    readMs = await firstOk(
      `${base}/patients/${patientId}`,
      t0,
      { authorization: `Bearer ${token}` },
      child,
    );
  } finally {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
  }
  const status = await child.status;
  if (status.code !== 0) log(`the server exited with code ${status.code}`);
  const line = (await output).split("\n").find((l) => l.includes('"msg":"startup"'));
  if (!line) throw new Error("the server logged no startup marks (at LOG_LEVEL=debug)");
  const startup = JSON.parse(line);
  return {
    healthMs,
    readMs,
    cpuMs,
    launchMs: startup.timeOrigin - spawnedAt,
    marks: startup.marks,
  };
}

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const ms = (n: number) => `${Math.round(n)} ms`;

log(`deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs (load ${loadAverage()})`);
const t0 = performance.now();
const data = await cachedBenchData({ jwtSecret: JWT_SECRET, count: PATIENTS });
log(
  `${PATIENTS.toLocaleString("en")} patients in ${data.dataDir} ` +
    (data.seeded ? `(seeded in ${ms(performance.now() - t0)})` : "(cached)"),
);

// The first start applies any migration newer than the cached data and warms the page cache;
// it also yields the token and the patient the timed runs read.
const first = await startServer({ dataDir: data.dataDir, jwtSecret: JWT_SECRET, env: SERVER_ENV });
let token: string;
let patientId: string;
try {
  token = await loginToken(first.baseUrl, data.adminEmail, data.adminPassword);
} finally {
  await first.stop();
}
{
  // A patient from the middle of the table, read from the file (no API call to depend on).
  const handle = openDatabase({ url: `file:${data.dataDir}/clinic.db` });
  try {
    const rows = await handle.db.select({ id: patients.id }).from(patients)
      .where(eq(patients.orgId, data.orgId)).limit(1).offset(Math.floor(PATIENTS / 2));
    patientId = rows[0].id;
  } finally {
    handle.close();
  }
}

const args = await serveTaskArgs();
log(`${RUNS} starts of: deno ${args.join(" ")}`);
const samples: Sample[] = [];
for (let i = 0; i < RUNS; i++) {
  const s = await coldStart(args, data.dataDir, token, patientId);
  samples.push(s);
  log(`run ${i + 1}: health ${ms(s.healthMs)}, patient read ${ms(s.readMs)}`);
}

const healths = samples.map((s) => s.healthMs).sort((a, b) => a - b);
const reads = samples.map((s) => s.readMs).sort((a, b) => a - b);
const cpus = samples.flatMap((s) => s.cpuMs === null ? [] : [s.cpuMs]).sort((a, b) => a - b);
console.log();
console.log(table(
  [
    ["first answer", "min", "median", "max", "target"],
    ["GET /health", ms(healths[0]), ms(median(healths)), ms(healths.at(-1)!), `< ${TARGET_MS} ms`],
    [
      "GET /patients/{id}",
      ms(reads[0]),
      ms(median(reads)),
      ms(reads.at(-1)!),
      `< ${TARGET_MS} ms`,
    ],
    ...(cpus.length
      ? [[
        "server CPU to the health answer",
        ms(cpus[0]),
        ms(median(cpus)),
        ms(cpus.at(-1)!),
        "(10 ms ticks)",
      ]]
      : []),
  ],
));

// Each mark is the time since the process began (performance.now() in the server); the step's
// own cost is the difference from the mark before it.
// Marks count from the runtime's clock origin; the launch before it is added to read them from
// the spawn, like the answers.
const launch = median(samples.map((s) => s.launchMs));
let previous = launch;
const rows = [["process launch (to the runtime's clock origin)", ms(launch), ms(launch)]];
for (const name of Object.keys(samples[0].marks)) {
  const at = launch + median(samples.map((s) => s.marks[name] ?? NaN));
  rows.push([name, ms(at - previous), ms(at)]);
  previous = at;
}
rows.push(["first answer of GET /health", ms(median(healths) - previous), ms(median(healths))]);
console.log();
console.log("Where start-up goes (medians over the runs; from the spawn):");
console.log(table([["step", "took", "at"], ...rows]));

const met = reads.at(-1)! < TARGET_MS;
console.log();
log(
  `target: first answered authenticated read < ${TARGET_MS} ms: ` +
    (met ? "met in every run" : `missed (worst ${ms(reads.at(-1)!)})`),
);
if (STRICT && !met) Deno.exit(1);
