/**
 * Sync throughput benchmark: BENCH_SYNC_CHANGES (100,000) changes made on clinic replica A reach
 * the primary and replica B.
 *
 *   deno task bench:sync
 *
 * Three real server processes (`src/main.ts`) on loopback, each on its own database file in a
 * temporary folder under TMPDIR, production settings and default durability (synchronous=FULL):
 * a primary (SYNC_ROLE=primary) and two replicas registered on it (SYNC_ROLE=replica,
 * SYNC_INTERVAL_SECONDS=86400, so after their first automatic round nothing syncs unless asked).
 *
 * 1. Writes: the organisation's admin and a doctor, logged in on A with their usual passwords,
 *    make changes through A's HTTP API with BENCH_SYNC_CONCURRENCY (24) requests in flight, until
 *    A's outbox holds BENCH_SYNC_CHANGES changes (GET /sync/status pendingChanges, counted every
 *    2 s and extrapolated from the writes in between). The mix, by request: 35% patient
 *    registrations, 35% patient-owned inserts (allergies and medical history
 *    entries, alternately, of a patient the worker registered), 30% PATCH of an existing patient
 *    with If-Match. A registration flagged as a likely duplicate (409) is sent again with
 *    allowDuplicate, as a clerk would. The write rate is reported but is not the target.
 * 2. Push: POST /sync/run on A (push its outbox, then pull; the pull brings A's own changes back
 *    from the primary, reported apart as "A pull-back"). Push time runs from the request to A's
 *    last `sync: pushed` log line.
 * 3. Pull: B syncs all along, as a replica with a short interval does: POST /sync/run on B again
 *    and again from the start of A's push (pausing 250 ms after a round that pulled nothing),
 *    until a round that started after A's round had ended. BENCH_SYNC_B=after-push runs one
 *    round of B's once A's push is over (the primary logs A's first pull), and
 *    BENCH_SYNC_B=after-round once A's whole round has ended, which isolates B's pull.
 * 4. End to end: from the start of A's push to the end of B's last round; target >= 5,000
 *    changes/s. The pull rate is B's changes over B's time in rounds that pulled (one round in
 *    the other modes).
 * 5. Correctness: after the servers stop, the organisation's patients are counted in each
 *    node's database file (equal everywhere and equal to what A registered), and every synced
 *    table's rows of the organisation are checksummed on the three nodes.
 *
 * Per-batch timings come from the processes' own log lines (`sync: pushed` and `sync: pulled`
 * on the replicas, `sync: push received` and `sync: pull served` on the primary), and each
 * process's CPU seconds per phase from /proc.
 *
 * Settings (environment):
 *   BENCH_SYNC_CHANGES (100000), BENCH_SYNC_CONCURRENCY (24), BENCH_SYNC_B (continuous)
 *   BENCH_SYNC_SERVER_ENV: extra settings for all three servers, space-separated KEY=VALUE
 *     (e.g. DATABASE_SYNCHRONOUS=NORMAL to see what fsync costs)
 *   BENCH_PROFILE=1: run the servers with --inspect, CPU-profile all three from the start of the
 *     push to the end of B's pull, print summaries (µs per change pushed) and keep the
 *     .cpuprofile files in BENCH_PROFILE_DIR (default: a new temp folder). Costs throughput.
 *   BENCH_SQL_TIMING=1: run the servers through tests/bench/sql_timing_main.ts, which times every
 *     SQL statement, and print each process's costliest statements during the writes (per
 *     write) and during push + pull (per change)
 *   BENCH_KEEP=1: keep the data folders
 *   BENCH_STRICT=1: exit with status 1 when the end-to-end target is missed
 */
import assert from "node:assert/strict";
import { and, count, eq } from "drizzle-orm";
import { openDatabase } from "../../db/client.ts";
import { patients } from "../../db/schema/mod.ts";
import { createTestApp, PASSWORD } from "../helpers/app.ts";
import { createOrg, createStaff } from "../helpers/factories.ts";
import { checksums, SYNCED_TABLES } from "../helpers/cluster.ts";
import { connectProfiler, type Profiler, summarizeProfile } from "./cpu_profile.ts";
import { loadAverage } from "./cpu_usage.ts";
import { table } from "./load.ts";
import { prng } from "./seed.ts";
import {
  api,
  type BenchNode,
  cpuSeconds,
  freePort,
  loginAt,
  type LogLine,
  machineBusySeconds,
  startNode,
  stats,
} from "./sync_nodes.ts";

const envInt = (name: string, fallback: number, min = 1) => {
  const raw = Deno.env.get(name);
  const n = raw ? Number(raw) : fallback;
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number >= ${min}`);
  return Math.floor(n);
};
const CHANGES = envInt("BENCH_SYNC_CHANGES", 100_000);
const CONCURRENCY = envInt("BENCH_SYNC_CONCURRENCY", 24);
/** When B syncs: all along (default), once after A's push, or once after A's whole round. */
const B_MODE = Deno.env.get("BENCH_SYNC_B") ?? "continuous";
if (!["continuous", "after-push", "after-round"].includes(B_MODE)) {
  throw new Error("BENCH_SYNC_B must be continuous, after-push or after-round");
}
/** A replica with a short interval: the pause after a round of B's that pulled nothing. */
const B_IDLE_MS = 250;
const STRICT = Deno.env.get("BENCH_STRICT") === "1";
const PROFILE = Deno.env.get("BENCH_PROFILE") === "1";
const KEEP = Deno.env.get("BENCH_KEEP") === "1";
const SQL_TIMING = Deno.env.get("BENCH_SQL_TIMING") === "1";
const SERVER_ENV: Record<string, string> = Object.fromEntries(
  (Deno.env.get("BENCH_SYNC_SERVER_ENV") ?? "").split(/\s+/).filter(Boolean).map((kv) => {
    const i = kv.indexOf("=");
    if (i < 1) throw new Error(`BENCH_SYNC_SERVER_ENV: expected KEY=VALUE, got ${kv}`);
    return [kv.slice(0, i), kv.slice(i + 1)];
  }),
);
const TARGET = 5_000;
interface SqlSum {
  sql: string;
  calls: number;
  ms: number;
  rows: number;
}
const JWT_SECRET = "bench-sync-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

const log = (msg: string) => console.log(`[sync-bench] ${msg}`);
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "n/a";
const secs = (ms: number) => (ms / 1000).toFixed(2);

const dirs = await Promise.all(
  ["primary", "a", "b"].map((n) => Deno.makeTempDir({ prefix: `clinic-bench-sync-${n}-` })),
);
const [primaryDir, aDir, bDir] = dirs;
const nodes: BenchNode[] = [];
const cleanup = async () => {
  for (const n of nodes.reverse()) await n.stop().catch(() => {});
  nodes.length = 0;
  if (!KEEP) { for (const d of dirs) await Deno.remove(d, { recursive: true }).catch(() => {}); }
};
Deno.addSignalListener("SIGINT", async () => {
  log("interrupted; stopping the servers and removing the data folders");
  await cleanup();
  Deno.exit(130);
});

// ---------------------------------------------------------------------------------------------
// Set-up: the organisation, its admin and a doctor, and two nodes, on the primary's file.

let failed = false;
try {
  log(
    `deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs (load average ` +
      `${loadAverage()}), ${fmt(CHANGES)} changes, ${CONCURRENCY} in flight, data under ` +
      `${dirs[0].replace(/\/[^/]+$/, "")}`,
  );
  let t0 = performance.now();
  const setup = await createTestApp({ DATA_DIR: primaryDir, JWT_SECRET });
  const org = await createOrg(setup);
  const doctor = await createStaff(setup, org.admin, "DOCTOR");
  const nodeTokens: string[] = [];
  for (const siteCode of ["KA", "KB"]) {
    const res = await setup.call("POST", "/api/v1/sync/nodes", {
      token: org.admin,
      body: { name: `Clinic ${siteCode}`, siteCode },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    nodeTokens.push(res.body.token);
  }
  await setup.close({ keep: true });
  if (setup.dir !== primaryDir) await Deno.remove(setup.dir, { recursive: true }).catch(() => {});

  const inspectPorts = PROFILE ? [freePort(), freePort(), freePort()] : [];
  const flags = (i: number) => PROFILE ? [`--inspect=127.0.0.1:${inspectPorts[i]}`] : [];
  const script = SQL_TIMING ? "tests/bench/sql_timing_main.ts" : undefined;
  const timingDir = SQL_TIMING ? await Deno.makeTempDir({ prefix: "clinic-bench-sql-" }) : "";
  const sqlTiming = (name: string): Record<string, string> =>
    SQL_TIMING ? { SQL_TIMING_FILE: `${timingDir}/${name}` } : {};
  /** Asks every server for its SQL sums so far (and to start again); answers them by node. */
  const sqlSums = async (n: number) => {
    if (!SQL_TIMING) return {} as Record<string, SqlSum[]>;
    for (const node of nodes) Deno.kill(node.pid, "SIGUSR1");
    const out: Record<string, SqlSum[]> = {};
    for (const node of nodes) {
      const file = `${timingDir}/${node.name}.${n}.json`;
      for (let i = 0; i < 200; i++) {
        try {
          out[node.name] = JSON.parse(await Deno.readTextFile(file));
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 25));
        }
      }
    }
    return out;
  };
  const primary = startNode({
    name: "primary",
    dir: primaryDir,
    jwtSecret: JWT_SECRET,
    env: { ...SERVER_ENV, ...sqlTiming("primary"), SYNC_ROLE: "primary" },
    denoFlags: flags(0),
    script,
  });
  nodes.push(primary);
  await primary.waitFor("listening");
  const replica = (name: string, dir: string, token: string, i: number) =>
    startNode({
      name,
      dir,
      jwtSecret: JWT_SECRET,
      env: {
        ...SERVER_ENV,
        ...sqlTiming(name),
        SYNC_ROLE: "replica",
        SYNC_PRIMARY_URL: primary.url,
        SYNC_NODE_TOKEN: token,
        SYNC_INTERVAL_SECONDS: "86400",
      },
      denoFlags: flags(i),
      script,
    });
  const a = replica("A", aDir, nodeTokens[0], 1);
  const b = replica("B", bDir, nodeTokens[1], 2);
  nodes.push(a, b);
  await Promise.all([a.waitFor("sync: pulled"), b.waitFor("sync: pulled")]);
  const adminA = await loginAt(a, org.adminEmail, PASSWORD);
  const doctorA = await loginAt(a, doctor.email, PASSWORD);
  const adminB = await loginAt(b, org.adminEmail, PASSWORD);
  // The first automatic rounds are over once a round on demand has run after them.
  await api(a, "POST", "/api/v1/sync/run", { token: adminA, expect: [200] });
  await api(b, "POST", "/api/v1/sync/run", { token: adminB, expect: [200] });
  log(`set-up and first contact in ${secs(performance.now() - t0)} s`);

  // -------------------------------------------------------------------------------------------
  // 1. Writes on A through its HTTP API.

  const pendingAt = async (node: BenchNode, token: string) =>
    (await api(node, "GET", "/api/v1/sync/status", { token, expect: [200] })).body
      .pendingChanges as number;
  const outboxBefore = await pendingAt(a, adminA);

  type Kind = "patient" | "allergy" | "history" | "update";
  const done: Record<Kind, number> = { patient: 0, allergy: 0, history: 0, update: 0 };
  const latency: Record<Kind, number[]> = { patient: [], allergy: [], history: [], update: [] };
  let duplicatesRetried = 0;
  // A's outbox is counted (GET /sync/status, a count over the log) only every 2 s: the count
  // runs on A's event loop. In between, the changes are estimated from the writes made since,
  // at the changes-per-write ratio seen so far.
  let pending = outboxBefore;
  let writesAtPoll = 0;
  let ratio = 1;
  let started = 0;
  let stopWriting = false;
  const estimate = () => pending - outboxBefore + (started - writesAtPoll) * ratio;

  const SYLLABLES = "ka ki ko ku ma mi mo mu na ni no nu wa we ya ye ta ti to tu ra ri ro ru sa se"
    .split(" ");
  const GIVEN = ["Amani", "Baraka", "Chausiku", "Daudi", "Eshe", "Faraji", "Gathoni", "Hamisi"];
  const SUBSTANCES = ["Penicillin", "Peanut", "Latex", "Sulfa", "Aspirin", "Shellfish", "Dust"];
  const CONDITIONS = ["Hypertension", "Asthma", "Type 2 diabetes", "Migraine", "Gout"];
  let serial = 0;

  const write = async (
    kind: Kind,
    method: string,
    path: string,
    token: string,
    body: unknown,
    headers?: Record<string, string>,
  ) => {
    const started = performance.now();
    const res = await api(a, method, path, { token, body, headers });
    latency[kind].push(performance.now() - started);
    return res;
  };

  const worker = async (w: number) => {
    const rand = prng(1000 + w);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const own: { id: string; version: number; allergies: number; histories: number }[] = [];
    let ownedToggle = w % 2;
    while (!stopWriting) {
      if (estimate() >= CHANGES) {
        stopWriting = true;
        break;
      }
      started++;
      const r = rand();
      const n = ++serial;
      if (own.length === 0 || r < 0.35) {
        const body: Record<string, unknown> = {
          givenName: pick(GIVEN),
          familyName: Array.from({ length: 3 }, () => pick(SYLLABLES)).join("").replace(
            /^./,
            (c) => c.toUpperCase(),
          ),
          birthDate: `${1940 + Math.floor(rand() * 80)}-${
            String(1 + Math.floor(rand() * 12)).padStart(2, "0")
          }-${String(1 + Math.floor(rand() * 28)).padStart(2, "0")}`,
          sex: rand() < 0.5 ? "female" : "male",
          phone: `+2547${String(n).padStart(8, "0")}`,
        };
        let res = await write("patient", "POST", "/api/v1/patients", adminA, body);
        if (res.status === 409) {
          duplicatesRetried++;
          res = await write("patient", "POST", "/api/v1/patients", adminA, {
            ...body,
            allowDuplicate: true,
          });
        }
        if (res.status !== 201) {
          throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
        }
        own.push({ id: res.body.id, version: res.body.version, allergies: 0, histories: 0 });
        done.patient++;
      } else if (r < 0.70) {
        const p = pick(own);
        ownedToggle ^= 1;
        if (ownedToggle) {
          const res = await write(
            "allergy",
            "POST",
            `/api/v1/patients/${p.id}/allergies`,
            doctorA,
            {
              substance: `${pick(SUBSTANCES)} ${++p.allergies}`,
              category: "drug",
              severity: pick(["mild", "moderate", "severe"]),
              reaction: "Rash",
            },
          );
          if (res.status !== 201) {
            throw new Error(`allergy: ${res.status} ${JSON.stringify(res.body)}`);
          }
          done.allergy++;
        } else {
          const res = await write(
            "history",
            "POST",
            `/api/v1/patients/${p.id}/medical-history`,
            doctorA,
            { kind: "condition", name: `${pick(CONDITIONS)} ${++p.histories}`, status: "active" },
          );
          if (res.status !== 201) {
            throw new Error(`history: ${res.status} ${JSON.stringify(res.body)}`);
          }
          done.history++;
        }
      } else {
        const p = pick(own);
        const patch = rand() < 0.5 ? { phone: `+2547${String(n).padStart(8, "0")}` } : {
          address: { city: pick(["Nairobi", "Kisumu", "Mombasa", "Nakuru"]), line: `Plot ${n}` },
        };
        const res = await write(
          "update",
          "PATCH",
          `/api/v1/patients/${p.id}`,
          adminA,
          patch,
          { "if-match": `"${p.version}"` },
        );
        if (res.status !== 200) {
          throw new Error(`update: ${res.status} ${JSON.stringify(res.body)}`);
        }
        p.version = res.body.version;
        done.update++;
      }
    }
  };

  const monitor = async () => {
    while (!stopWriting) {
      await new Promise((r) => setTimeout(r, 2000));
      const completed = done.patient + done.allergy + done.history + done.update;
      const counted = await pendingAt(a, adminA);
      pending = counted;
      writesAtPoll = completed;
      if (completed > 0) ratio = Math.max(1, (counted - outboxBefore) / completed);
    }
  };

  // CPU seconds of each server, of this process, and of everything else on the machine.
  const cpuBefore = (): Record<string, number> => ({
    ...Object.fromEntries(nodes.map((n) => [n.name, cpuSeconds(n.pid)])),
    bench: cpuSeconds(Deno.pid),
    machine: machineBusySeconds(),
  });
  const cpuSince = (before: Record<string, number>) => {
    const now = cpuBefore();
    const d = Object.fromEntries(Object.keys(now).map((k) => [k, now[k] - before[k]]));
    d.other = d.machine - d.primary - d.A - d.B - d.bench;
    return d;
  };

  let cpu0 = cpuBefore();
  t0 = performance.now();
  let lastReport = t0;
  const progress = setInterval(() => {
    const now = performance.now();
    if (now - lastReport < 10_000) return;
    lastReport = now;
    log(
      `  … ~${fmt(estimate())} changes in the outbox after ${secs(now - t0)} s`,
    );
  }, 1000);
  try {
    await Promise.all([
      monitor(),
      ...Array.from({ length: CONCURRENCY }, (_, w) =>
        worker(w).catch((err) => {
          stopWriting = true;
          throw err;
        })),
    ]);
  } finally {
    clearInterval(progress);
  }
  const writeMs = performance.now() - t0;
  const writeCpu = cpuSince(cpu0);
  const outbox = (await pendingAt(a, adminA)) - outboxBefore;
  const writes = done.patient + done.allergy + done.history + done.update;
  const allLatency = stats(Object.values(latency).flat());
  log(
    `writes: ${fmt(writes)} requests (${done.patient} patients, ${done.allergy} allergies, ` +
      `${done.history} history entries, ${done.update} patient updates; ${duplicatesRetried} ` +
      `registrations flagged as duplicates and sent again) → ${fmt(outbox)} changes in A's ` +
      `outbox in ${secs(writeMs)} s`,
  );

  // -------------------------------------------------------------------------------------------
  // 2-4. Push from A, pull into B.

  const sqlDuringWrites = await sqlSums(0);
  let profilers: Profiler[] = [];
  if (PROFILE) {
    profilers = await Promise.all(inspectPorts.map((p) => connectProfiler(p)));
    await Promise.all(profilers.map((p) => p.start()));
  }
  cpu0 = cpuBefore();
  const syncStartEpoch = Date.now();
  const tA = performance.now();
  let tAEnd = 0;
  const runA = api(a, "POST", "/api/v1/sync/run", { token: adminA, expect: [200] }).then((r) => {
    tAEnd = performance.now();
    return r.body as { pushed: number; pulled: number; conflicts: number };
  });
  let runAResult: { pushed: number; pulled: number; conflicts: number } | undefined;
  let cpuPush: Record<string, number>;
  let tB: number;
  const resultB = { pushed: 0, pulled: 0, conflicts: 0, rounds: 0, pullingMs: 0 };
  const roundOfB = async () => {
    const t = performance.now();
    const r = (await api(b, "POST", "/api/v1/sync/run", { token: adminB, expect: [200] }))
      .body as { pushed: number; pulled: number; conflicts: number };
    resultB.pushed += r.pushed;
    resultB.pulled += r.pulled;
    resultB.conflicts += r.conflicts;
    resultB.rounds++;
    if (r.pulled > 0) resultB.pullingMs += performance.now() - t;
    return r;
  };
  if (B_MODE === "continuous") {
    // B syncs all along, as a replica with a short interval would: round after round, pausing
    // only after a round that found nothing. The changes have all reached B at the end of the
    // first round that started after A's round had ended.
    tB = tA;
    runA.then((r) => runAResult = r);
    while (true) {
      const aDone = runAResult !== undefined;
      const r = await roundOfB();
      if (aDone) break;
      if (r.pulled === 0) await new Promise((res) => setTimeout(res, B_IDLE_MS));
    }
    cpuPush = cpuSince(cpu0);
  } else {
    if (B_MODE === "after-push") {
      // B starts once A's push is over: when the primary logs A's first pull (A then pulls its
      // own changes back meanwhile). Log lines are flushed every 50 ms.
      const aPulling = () =>
        primary.linesOf("sync: pull served", syncStartEpoch).some((l) => l.node === "KA");
      while (true) {
        const settled = await Promise.race([
          runA.then((r) => (runAResult = r, true)),
          new Promise<false>((r) => setTimeout(() => r(false), 10)),
        ]);
        if (settled || aPulling()) break;
      }
    } else runAResult = await runA;
    cpuPush = cpuSince(cpu0);
    tB = performance.now();
    await roundOfB();
  }
  const tBEnd = performance.now();
  runAResult ??= await runA;
  const cpuSync = cpuSince(cpu0);
  const sqlDuringSync = await sqlSums(1);

  let profileDir = "";
  const profileSummaries: string[] = [];
  if (PROFILE) {
    profileDir = Deno.env.get("BENCH_PROFILE_DIR") ||
      await Deno.makeTempDir({ prefix: "clinic-bench-sync-profile-" });
    await Deno.mkdir(profileDir, { recursive: true });
    const names = ["primary", "replica-A", "replica-B"];
    for (let i = 0; i < profilers.length; i++) {
      const profile = await profilers[i].stop();
      profilers[i].close();
      const file = `${profileDir}/${names[i]}.cpuprofile`;
      await Deno.writeTextFile(file, JSON.stringify(profile));
      profileSummaries.push(
        `\n=== CPU profile of ${names[i]} during push + pull (${file}); "µs/req" is per change ` +
          `pushed\n` + summarizeProfile(profile, Math.max(1, runAResult.pushed), 20),
      );
    }
  }

  // Stop the servers (flushes their audit queues and log buffers) before reading their logs and
  // database files.
  for (const n of nodes.reverse()) await n.stop();
  nodes.length = 0;

  // Phase boundaries from the processes' own log lines (epoch ms).
  const pushedLines = a.linesOf("sync: pushed", syncStartEpoch);
  const pushEndEpoch = pushedLines.length
    ? Date.parse(pushedLines[pushedLines.length - 1].time)
    : syncStartEpoch;
  const pushMs = Math.max(1, pushEndEpoch - syncStartEpoch);
  const pullMsB = B_MODE === "continuous" ? resultB.pullingMs : tBEnd - tB;
  const endToEndMs = tBEnd - tA;
  const runAMs = tAEnd - tA;
  const pushRate = runAResult.pushed / (pushMs / 1000);
  const pullRate = resultB.pulled / (pullMsB / 1000);
  const endToEndRate = resultB.pulled / (endToEndMs / 1000);

  // -------------------------------------------------------------------------------------------
  // Per-batch timings from the logs.

  const num = (l: LogLine, f: string) => Number(l[f] ?? 0);
  const received = primary.linesOf("sync: push received", syncStartEpoch);
  const servedLines = primary.linesOf("sync: pull served", syncStartEpoch);
  const servedA = servedLines.filter((l) => l.node === "KA");
  const servedB = servedLines.filter((l) => l.node === "KB");
  const pulledA = a.linesOf("sync: pulled", syncStartEpoch);
  const pulledB = b.linesOf("sync: pulled", syncStartEpoch);
  const batchRow = (label: string, lines: LogLine[], field = "changes") => {
    const ms = stats(lines.map((l) => num(l, "ms")));
    const n = lines.reduce((s, l) => s + num(l, field), 0);
    // The first and last tenth of the batches: does a batch cost more as the database grows?
    const tenth = Math.max(1, Math.floor(lines.length / 10));
    const first = stats(lines.slice(0, tenth).map((l) => num(l, "ms")));
    const last = stats(lines.slice(-tenth).map((l) => num(l, "ms")));
    return [
      label,
      fmt(lines.length),
      fmt(n),
      fmt(ms.median),
      `${fmt(first.median)} → ${fmt(last.median)}`,
      fmt(ms.p99),
      fmt(ms.max),
      fmt(ms.sum / 1000, 2),
      fmt(ms.sum ? (n / (ms.sum / 1000)) : NaN),
    ];
  };

  const countPatients = async (dir: string) => {
    const handle = openDatabase({ url: `file:${dir}/clinic.db` });
    try {
      const [row] = await handle.db.select({ n: count() }).from(patients)
        .where(and(eq(patients.orgId, org.id)));
      return row.n;
    } finally {
      handle.close();
    }
  };
  const counts = await Promise.all(dirs.map(countPatients));
  const sums = await Promise.all(dirs.map((d) => checksums(d, org.id)));
  const differing = SYNCED_TABLES.filter((t) => new Set(sums.map((s) => s[t])).size > 1);

  // -------------------------------------------------------------------------------------------
  // Report.

  const cpuRow = (label: string, c: Record<string, number>, ms: number) => [
    label,
    secs(ms),
    fmt(c.primary, 1),
    fmt(c.A, 1),
    fmt(c.B, 1),
    fmt(c.bench, 1),
    fmt(c.other, 1),
  ];
  console.log(
    `\nSync benchmark: ${fmt(outbox)} changes from ${fmt(writes)} API writes on replica A → ` +
      `primary → replica B (loopback, synchronous=${SERVER_ENV.DATABASE_SYNCHRONOUS ?? "FULL"}, ` +
      `${navigator.hardwareConcurrency} CPUs; B syncs ${
        B_MODE === "continuous"
          ? `all along (${resultB.rounds} rounds)`
          : B_MODE === "after-push"
          ? "once, after A's push"
          : "once, after A's whole round"
      })\n`,
  );
  console.log(table([
    ["phase", "changes", "seconds", "changes/s"],
    [
      `writes on A (${fmt(writes)} requests, ${fmt(writes / (writeMs / 1000))} req/s)`,
      fmt(outbox),
      secs(writeMs),
      fmt(outbox / (writeMs / 1000)),
    ],
    ["push A → primary", fmt(runAResult.pushed), secs(pushMs), fmt(pushRate)],
    [
      B_MODE === "continuous" ? "pull primary → B (B's rounds that pulled)" : "pull primary → B",
      fmt(resultB.pulled),
      secs(pullMsB),
      fmt(pullRate),
    ],
    [
      "end to end (A push start → B pull end)",
      fmt(resultB.pulled),
      secs(endToEndMs),
      fmt(
        endToEndRate,
      ),
    ],
    [
      "A's round (push, then pull-back of its own changes)",
      `${fmt(runAResult.pushed)}+${fmt(runAResult.pulled)}`,
      secs(runAMs),
      "",
    ],
  ]));
  console.log(
    `\nwrite latency: median ${fmt(allLatency.median, 1)} ms, p99 ${fmt(allLatency.p99, 1)} ms ` +
      `(${CONCURRENCY} in flight); per kind median: ` +
      (Object.keys(latency) as Kind[]).map((k) => `${k} ${fmt(stats(latency[k]).median, 1)} ms`)
        .join(", ") +
      `; changes per write ${fmt(outbox / writes, 2)}`,
  );
  if (B_MODE !== "continuous") {
    console.log(`B started pulling ${secs(tB - tA)} s after A's push began.\n`);
  }
  console.log("Per batch, from the processes' log lines (ms):");
  console.log(table([
    [
      "batches",
      "count",
      "changes",
      "median",
      "first → last 10%",
      "p99",
      "max",
      "sum s",
      "changes/s of sum",
    ],
    batchRow("A: sync: pushed (read outbox + toWire + POST + save)", pushedLines),
    batchRow("primary: sync: push received (apply in 1 tx)", received),
    batchRow("primary: sync: pull served to B (read + toWire)", servedB),
    batchRow("B: sync: pulled (GET + apply in 1 tx)", pulledB),
    batchRow("primary: sync: pull served to A (pull-back)", servedA),
    batchRow("A: sync: pulled (pull-back of own changes)", pulledA),
  ]));
  const audited = pushedLines.reduce((s, l) => s + num(l, "audit"), 0);
  console.log(`(A's push batches also carried ${fmt(audited)} audit entries.)\n`);
  console.log(
    `CPU seconds used per process (user + system; ${navigator.hardwareConcurrency} CPUs; ` +
      `"other": the rest of the machine, steal included):`,
  );
  console.log(table([
    ["phase", "wall s", "primary", "A", "B", "bench", "other"],
    cpuRow("writes", writeCpu, writeMs),
    ...(B_MODE === "continuous" ? [] : [cpuRow("push (until B starts)", cpuPush, tB - tA)]),
    cpuRow("push + pull, whole", cpuSync, endToEndMs),
  ]));
  console.log(
    `\nPatients of the organisation: primary ${counts[0]}, A ${counts[1]}, B ${counts[2]} ` +
      `(A registered ${done.patient}); synced tables ${
        differing.length ? `DIFFER: ${differing.join(", ")}` : "identical on all three nodes"
      } (${SYNCED_TABLES.length} tables checksummed)`,
  );
  for (const s of profileSummaries) console.log(s);
  if (SQL_TIMING) {
    const sqlTable = (title: string, list: SqlSum[] | undefined, units: number, unit: string) => {
      if (!list) return;
      const total = list.reduce((t, x) => t + x.ms, 0);
      console.log(
        `\n${title}: ${fmt(total / 1000, 2)} s in SQL (${fmt((total * 1000) / units)} µs per ` +
          `${unit}); costliest statements:`,
      );
      console.log(table([
        ["statement", "calls", `calls/${unit}`, `µs/${unit}`, "µs/call", "rows/call"],
        ...list.slice(0, 14).map((x) => [
          x.sql.replace(/\s+/g, " ").slice(0, 110),
          fmt(x.calls),
          fmt(x.calls / units, 2),
          fmt((x.ms * 1000) / units, 1),
          fmt((x.ms * 1000) / x.calls, 1),
          fmt(x.rows / x.calls, 1),
        ]),
      ]));
    };
    sqlTable("A during the writes", sqlDuringWrites.A, writes, "write");
    for (const name of ["A", "primary", "B"]) {
      sqlTable(`${name} during push + pull`, sqlDuringSync[name], runAResult.pushed, "change");
    }
    await Deno.remove(timingDir, { recursive: true }).catch(() => {});
  }

  const consistent = counts.every((c) => c === counts[0]) && counts[1] === done.patient &&
    differing.length === 0 && resultB.pulled >= runAResult.pushed;
  if (!consistent) {
    failed = true;
    console.log("ERROR: the nodes do not hold the same data (see above)");
  }
  const pass = endToEndRate >= TARGET;
  console.log(
    `\n${pass ? "PASS" : "FAIL"}: end to end ${fmt(endToEndRate)} changes/s ` +
      `(target >= ${fmt(TARGET)} changes/s); push ${fmt(pushRate)}/s, pull ${fmt(pullRate)}/s, ` +
      `lag ${secs(endToEndMs)} s for ${fmt(resultB.pulled)} changes`,
  );
  if (!pass && STRICT) failed = true;
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await cleanup();
  if (KEEP) log(`data kept in ${dirs.join(" ")}`);
}
Deno.exit(failed ? 1 : 0);
