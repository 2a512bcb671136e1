/**
 * Read benchmark: `GET /api/v1/patients/{id}`, a list page of 25 and a name-search page of 25
 * against `GET /api/v1/health` on the real server, with the server's CPU time per request (user +
 * system over all its threads, from /proc/<pid>/stat) and its resident memory idle (5 s after
 * start), at its peak under the load and after it, anonymous and file-backed, against the memory
 * targets (idle under 100 MB, peak at most 1.5× idle).
 *
 *   deno task bench
 *
 * Seeds a fresh temporary database with one organisation and BENCH_PATIENTS patients, starts
 * `src/main.ts` as a child process on a loopback port with production settings and default
 * durability (DATABASE_SYNCHRONOUS unset, so FULL), logs in as the organisation admin, then loads
 * each endpoint with BENCH_CONNECTIONS connections for BENCH_DURATION seconds after a short
 * warm-up. Patient reads rotate over BENCH_SAMPLE random patient ids. After the server stops
 * (SIGTERM, which flushes the batched audit queue), the `patient.read` audit rows are counted to
 * show that every read was audited.
 *
 * Settings (environment):
 *   BENCH_PATIENTS (100000), BENCH_DURATION (10 s), BENCH_CONNECTIONS (32), BENCH_WARMUP (2 s),
 *   BENCH_SAMPLE (1000 patient ids to rotate over)
 *   BENCH_ROUNDS (1): more rounds alternate the endpoints and report each one's median round
 *   BENCH_LOADGEN (wrk | autocannon; wrk when on PATH), BENCH_WRK_THREADS (default nCPU/2)
 *   BENCH_SERVER_FLAGS: deno flags for the server after the start task's (deno.json), e.g.
 *     "--v8-flags=--max-old-space-size=512"
 *   BENCH_SERVER_ENV: extra server settings as space-separated KEY=VALUE pairs
 *   BENCH_SERVER_SCRIPT: entry point instead of the bundle `deno task start` runs (built first),
 *     e.g. src/main.ts to run the sources, or a variant of the server
 *   BENCH_PROFILE=1: run the server with --inspect, CPU-profile each measured run, print a summary
 *     per endpoint and keep the .cpuprofile files in BENCH_PROFILE_DIR (default: a new temp
 *     folder). The profiler costs throughput; judge targets on runs without it.
 *   BENCH_STRICT=1: exit with status 1 when a target fails (otherwise only errors do)
 *
 * The data folder is made under TMPDIR (default /tmp); point TMPDIR at the disk you care about,
 * since synchronous=FULL makes fsync part of every write.
 */
import { and, count, eq } from "drizzle-orm";
import { openDatabase } from "../../db/client.ts";
import { auditEvents } from "../../db/schema/mod.ts";
import {
  cpuFigure,
  type Memory,
  resetPeakMemory,
  serverMemory,
  startServerCpu,
  trackPeakMemory,
} from "./cpu.ts";
import { type CpuUsage, loadAverage, startCpuUsage } from "./cpu_usage.ts";
import { connectProfiler, type Profiler, summarizeProfile } from "./cpu_profile.ts";
import { chooseLoadTool, type LoadResult, type LoadSpec, runLoad, table } from "./load.ts";
import { seedBenchData } from "./seed.ts";
import { freePort, loginToken, type RunningServer, startServer } from "./server.ts";

function envNumber(name: string, fallback: number, min: number): number {
  const raw = Deno.env.get(name);
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number >= ${min}`);
  return n;
}

const PATIENTS = Math.floor(envNumber("BENCH_PATIENTS", 100_000, 1));
const DURATION = envNumber("BENCH_DURATION", 10, 1);
const CONNECTIONS = Math.floor(envNumber("BENCH_CONNECTIONS", 32, 1));
const WARMUP = envNumber("BENCH_WARMUP", 2, 0);
const ROUNDS = Math.floor(envNumber("BENCH_ROUNDS", 1, 1));
const SAMPLE = Math.min(PATIENTS, Math.floor(envNumber("BENCH_SAMPLE", 1000, 1)));
const SERVER_FLAGS = (Deno.env.get("BENCH_SERVER_FLAGS") ?? "").split(/\s+/).filter(Boolean);
const SERVER_ENV: Record<string, string> = Object.fromEntries(
  (Deno.env.get("BENCH_SERVER_ENV") ?? "").split(/\s+/).filter(Boolean).map((kv) => {
    const i = kv.indexOf("=");
    if (i < 1) throw new Error(`BENCH_SERVER_ENV: expected KEY=VALUE, got ${kv}`);
    return [kv.slice(0, i), kv.slice(i + 1)];
  }),
);
const SERVER_SCRIPT = Deno.env.get("BENCH_SERVER_SCRIPT") || undefined;
const STRICT = Deno.env.get("BENCH_STRICT") === "1";
const PROFILE = Deno.env.get("BENCH_PROFILE") === "1";

const TARGET_CPU_RATIO = 2;
const TARGET_PAGE_RATIO = 2;
const TARGET_P99_MS = 10;
const MEMORY_IDLE_TARGET_MB = 100;
const MEMORY_PEAK_TARGET_RATIO = 1.5;
const IDLE_SETTLE_MS = 5_000;
const JWT_SECRET = "bench-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

const log = (msg: string) => console.log(`[bench] ${msg}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function randomSample<T>(xs: T[], n: number): T[] {
  const copy = xs.slice();
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(Math.random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

async function countAuditedReads(dataDir: string, orgId: string): Promise<number> {
  const handle = openDatabase({ url: `file:${dataDir}/clinic.db` });
  try {
    const [row] = await handle.db.select({ n: count() }).from(auditEvents)
      .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.action, "patient.read")));
    return row.n;
  } finally {
    handle.close();
  }
}

/**
 * Prints the server's resident memory idle, at its peak under the load and after it, split into
 * anonymous memory (V8 heaps, malloc, stacks) and file pages (code, mapped database pages: the
 * OS reclaims them), and the memory targets; answers whether both were met.
 */
function printMemory(
  idle: Memory | null,
  peak: Memory | null,
  after: Memory | null,
  loginPeakMiB: number | undefined,
): boolean {
  if (!idle || !peak || !after) {
    console.log("Server memory: n/a (no /proc)");
    return true;
  }
  const split = (m: Memory) => `(anon ${m.anonMiB}, file ${m.fileMiB})`;
  console.log(
    `Server memory (RSS): idle ${idle.rssMiB} MiB ${split(idle)}, peak under load ` +
      `${peak.peakMiB} MiB ${split(peak)}, after load ${after.rssMiB} MiB ${split(after)}` +
      (loginPeakMiB ? `; ${loginPeakMiB} MiB during the login's scrypt, before the load` : ""),
  );
  const idleMB = (idle.rssMiB * 2 ** 20) / 1e6;
  const idleOk = idleMB < MEMORY_IDLE_TARGET_MB;
  const ratio = peak.peakMiB / idle.rssMiB;
  const peakOk = ratio <= MEMORY_PEAK_TARGET_RATIO;
  const mark = (ok: boolean) => (ok ? "PASS" : "FAIL");
  console.log(`
Memory targets (RSS; anon only: idle ${idle.anonMiB} MiB, peak/idle ${
    (peak.anonMiB / idle.anonMiB).toFixed(2)
  })
  idle RSS = ${Math.round(idleMB)} MB   (target < ${MEMORY_IDLE_TARGET_MB} MB)   ${mark(idleOk)}
  peak RSS / idle RSS = ${ratio.toFixed(2)}   (target <= ${MEMORY_PEAK_TARGET_RATIO})   ${
    mark(peakOk)
  }`);
  return idleOk && peakOk;
}

const dataDir = await Deno.makeTempDir({ prefix: "clinic-bench-" });
let server: RunningServer | undefined;
const cleanup = async () => {
  await server?.stop(5_000);
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
};
const onInterrupt = async () => {
  log("interrupted; stopping the server and removing the data folder");
  await cleanup();
  Deno.exit(130);
};
Deno.addSignalListener("SIGINT", onInterrupt);

let failed = false;
try {
  const tool = await chooseLoadTool();
  log(
    `deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs (load average ` +
      `${loadAverage()}), load generator: ${tool}, data: ${dataDir}`,
  );

  let t0 = performance.now();
  const data = await seedBenchData({ dataDir, jwtSecret: JWT_SECRET, count: PATIENTS });
  let dbBytes = 0;
  for await (const e of Deno.readDir(dataDir)) {
    if (e.name.startsWith("clinic.db")) dbBytes += (await Deno.stat(`${dataDir}/${e.name}`)).size;
  }
  log(
    `seeded ${PATIENTS.toLocaleString("en")} patients in ${seconds(performance.now() - t0)} ` +
      `(database ${(dbBytes / 2 ** 20).toFixed(1)} MiB)`,
  );

  t0 = performance.now();
  const inspectPort = PROFILE ? freePort() : 0;
  server = await startServer({
    dataDir,
    jwtSecret: JWT_SECRET,
    denoFlags: [...SERVER_FLAGS, ...(PROFILE ? [`--inspect=127.0.0.1:${inspectPort}`] : [])],
    script: SERVER_SCRIPT,
    env: SERVER_ENV,
  });
  log(`server ready at ${server.baseUrl} in ${seconds(performance.now() - t0)}`);
  // Idle means after the start's deferred work (the ICD-10 index is built 3 s after start).
  await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
  const idleMemory = serverMemory(server.process.pid);

  const token = await loginToken(server.baseUrl, data.adminEmail, data.adminPassword);
  const paths = randomSample(data.patientIds, SAMPLE).map((id) => `/api/v1/patients/${id}`);
  const headers = { authorization: `Bearer ${token}` };

  // Sanity check: one read answers the patient, so the load below measures real reads.
  const probe = await fetch(`${server.baseUrl}${paths[0]}`, { headers });
  const patient = await probe.json();
  if (probe.status !== 200 || !/^MRN\d{6,}$/.test(patient.mrn)) {
    throw new Error(`patient read failed: ${probe.status} ${JSON.stringify(patient)}`);
  }
  let clientReads = 1;
  // The peak under load, not the login's: scrypt (N=2^17, r=8) holds 128 MiB while it runs.
  const loginPeakMiB = serverMemory(server.process.pid)?.peakMiB;
  const memoryTracker = trackPeakMemory(server.process.pid, {
    useHwm: resetPeakMemory(server.process.pid),
  });

  const endpoints: { name: string; spec: LoadSpec }[] = [
    {
      name: "GET /api/v1/health",
      spec: {
        baseUrl: server.baseUrl,
        paths: ["/api/v1/health"],
        connections: CONNECTIONS,
        durationSeconds: DURATION,
      },
    },
    {
      name: "GET /api/v1/patients/{id}",
      spec: {
        baseUrl: server.baseUrl,
        paths,
        headers,
        connections: CONNECTIONS,
        durationSeconds: DURATION,
      },
    },
    {
      name: "GET /api/v1/patients?limit=25",
      spec: {
        baseUrl: server.baseUrl,
        paths: ["/api/v1/patients?limit=25"],
        headers,
        connections: CONNECTIONS,
        durationSeconds: DURATION,
      },
    },
    {
      name: "GET /api/v1/patients?q=…&limit=25",
      spec: {
        baseUrl: server.baseUrl,
        // Common names, so that every page is full (25 patients shown, 25 audited).
        paths: ["Kamau", "Otieno", "Mwangi", "Mary", "John", "Grace"].map((q) =>
          `/api/v1/patients?q=${q}&limit=25`
        ),
        headers,
        connections: CONNECTIONS,
        durationSeconds: DURATION,
      },
    },
  ];

  let profiler: Profiler | undefined;
  let profileDir = "";
  if (PROFILE) {
    profiler = await connectProfiler(inspectPort);
    profileDir = Deno.env.get("BENCH_PROFILE_DIR") ||
      await Deno.makeTempDir({ prefix: "clinic-bench-profile-" });
    await Deno.mkdir(profileDir, { recursive: true });
  }
  const summaries: string[] = [];

  type Run = {
    name: string;
    round: number;
    r: LoadResult;
    cpu: CpuUsage | null;
    /** Server CPU µs per response (user + system, all threads). */
    cpuUs: number | null;
  };
  const runs: Run[] = [];
  if (WARMUP > 0) {
    for (const { name, spec } of endpoints) {
      const w = await runLoad(tool, { ...spec, durationSeconds: WARMUP });
      if (name.includes("{id}")) clientReads += w.requests - w.non2xx;
      log(`warm-up ${name}: ${Math.round(w.rps)} req/s`);
    }
  }
  // Endpoints alternate round by round, so that a slow spell of the machine hits both.
  for (let round = 1; round <= ROUNDS; round++) {
    for (const { name, spec } of endpoints) {
      const isPatient = name.includes("{id}");
      const slug = name.replace(/^GET \/api\/v1\//, "").replace(/[^a-z0-9]+/gi, "-");
      await profiler?.start();
      const cpuSince = startCpuUsage(server.process.pid);
      const cpuUsSince = startServerCpu(server.process.pid);
      const r = await runLoad(tool, spec);
      const cpu = cpuSince();
      const cpuUs = cpuUsSince(r.requests);
      if (profiler) {
        const profile = await profiler.stop();
        const file = `${profileDir}/${slug}-${round}.cpuprofile`;
        await Deno.writeTextFile(file, JSON.stringify(profile));
        if (round === 1) {
          summaries.push(
            `\n=== CPU profile of the server during ${name} (${file})\n` +
              summarizeProfile(profile, r.requests),
          );
        }
      }
      if (isPatient) clientReads += r.requests - r.non2xx;
      log(`${name}: ${r.requests} responses in ${r.durationSeconds.toFixed(2)} s`);
      runs.push({ name, round, r, cpu, cpuUs });
    }
  }
  /** The round with the median throughput stands for the endpoint. */
  const median = (name: string) => {
    const xs = runs.filter((x) => x.name === name).sort((a, b) => a.r.rps - b.r.rps);
    return xs[Math.floor((xs.length - 1) / 2)];
  };
  const results = endpoints.map(({ name }) => median(name));

  profiler?.close();
  const memory: Memory | null = serverMemory(server.process.pid);
  const peakMemory = memoryTracker.stop();
  const exitCode = await server.stop();
  server = undefined;
  log(`server stopped (exit code ${exitCode})`);
  const audited = await countAuditedReads(dataDir, data.orgId);

  const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
  console.log(
    `\nPatient read benchmark: ${PATIENTS.toLocaleString("en")} patients, ${CONNECTIONS} ` +
      `connections, ${DURATION} s per endpoint${ROUNDS > 1 ? ` × ${ROUNDS} rounds` : ""} ` +
      `(after ${WARMUP} s warm-up), ${tool}, ` +
      `${SAMPLE} rotating patient ids, synchronous=${SERVER_ENV.DATABASE_SYNCHRONOUS ?? "FULL"}` +
      (SERVER_SCRIPT ? `, server ${SERVER_SCRIPT}` : "") +
      (Object.keys(SERVER_ENV).length ? `, server env ${JSON.stringify(SERVER_ENV)}` : "") + "\n",
  );
  /** The health endpoint's CPU per request in the same round (or its median round). */
  const healthCpuUs = (round: number) =>
    (round === 0 || ROUNDS === 1
      ? results[0]
      : runs.find((x) => x.round === round && x.name === endpoints[0].name))?.cpuUs ?? null;
  console.log(table([
    [
      "endpoint",
      "requests/s",
      "p50 ms",
      "p90 ms",
      "p99 ms",
      "max ms",
      "non-2xx",
      "errors",
      "server CPU/request",
      "CPU server/loadgen/other/steal",
    ],
    ...(ROUNDS > 1 ? [...runs, ...results.map((x) => ({ ...x, round: 0 }))] : results).map((
      { name, round, r, cpu, cpuUs },
    ) => [
      ROUNDS === 1 ? name : round === 0 ? `${name} [median]` : `${name} (round ${round})`,
      fmt(r.rps, 0),
      fmt(r.p50Ms),
      fmt(r.p90Ms),
      fmt(r.p99Ms),
      fmt(r.maxMs),
      String(r.non2xx),
      String(r.errors),
      cpuFigure(cpuUs, healthCpuUs(round)),
      cpu
        ? [cpu.server, cpu.bench, cpu.other, cpu.steal].map((c) => c.toFixed(2)).join(" / ")
        : "n/a",
    ]),
  ]));
  console.log(
    `(CPU in cores busy on average, of ${navigator.hardwareConcurrency}; "other" is every ` +
      "process but the server and the bench with its load generator: well above 0 means a " +
      "disturbed run)",
  );

  console.log(
    "(server CPU/request: user + system time of the server process over all its threads, " +
      "from /proc/<pid>/stat, divided by the responses of the run; ×health is against the " +
      "health endpoint's)",
  );
  const memoryOk = printMemory(idleMemory, peakMemory, memory, loginPeakMiB);
  for (const summary of summaries) console.log(summary);
  const [health, read, ...pages] = results.map((x) => x.r);
  const [healthUs, readUs, listUs, searchUs] = results.map((x) => x.cpuUs);
  // Issue 14: the audited read at most 2x the health endpoint's CPU per request, and a page of
  // 25 at most 2x the read's (bench:pages also measures pages at a million patients).
  const cpuRatio = (a: number | null, b: number | null) => (a !== null && b ? a / b : NaN);
  const ratio = cpuRatio(readUs, healthUs);
  const ratioOk = ratio <= TARGET_CPU_RATIO;
  const listRatio = cpuRatio(listUs, readUs);
  const searchRatio = cpuRatio(searchUs, readUs);
  const p99Ok = read.p99Ms < TARGET_P99_MS;
  const clean = [health, read, ...pages].every((x) => x.non2xx + x.errors === 0);
  const auditOk = audited >= clientReads;
  failed = !(ratioOk && p99Ok && clean && auditOk);
  if (!(listRatio <= TARGET_PAGE_RATIO && searchRatio <= TARGET_PAGE_RATIO)) failed = true;
  if (!memoryOk) failed = true;
  if (PROFILE) console.log("\n(profiling was on: throughput and latency include its overhead)");
  const mark = (ok: boolean) => (ok ? "PASS" : "FAIL");
  console.log(`
Targets
  patient-read CPU / health CPU per request = ${
    fmt(ratio, 2)
  }   (target <= ${TARGET_CPU_RATIO})   ${mark(ratioOk)}
  list page CPU / patient-read CPU = ${fmt(listRatio, 2)}   (target <= ${TARGET_PAGE_RATIO})   ${
    mark(listRatio <= TARGET_PAGE_RATIO)
  }
  search page CPU / patient-read CPU = ${
    fmt(searchRatio, 2)
  }   (target <= ${TARGET_PAGE_RATIO})   ${mark(searchRatio <= TARGET_PAGE_RATIO)}
  patient-read p99 = ${
    fmt(read.p99Ms)
  } ms   (target < ${TARGET_P99_MS} ms at ${CONNECTIONS} connections)   ${mark(p99Ok)}
  all responses 2xx, no socket errors   ${mark(clean)}

Audit
  patient.read rows in audit_events after shutdown: ${audited.toLocaleString("en")}
  2xx patient reads counted by the client (probe + warm-up + run): ${
    clientReads.toLocaleString("en")
  }   ${mark(auditOk)}${
    audited > clientReads
      ? `\n  (${
        audited - clientReads
      } more rows: requests in flight when the load generator stopped counting)`
      : ""
  }`);
} catch (err) {
  failed = true;
  console.error(`[bench] failed: ${err instanceof Error ? err.stack : err}`);
  Deno.exitCode = 1;
} finally {
  Deno.removeSignalListener("SIGINT", onInterrupt);
  await cleanup();
}
if (failed && STRICT) Deno.exitCode = 1;
