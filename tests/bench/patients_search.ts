/**
 * Search benchmark: `GET /api/v1/patients?q=` on BENCH_PATIENTS (default 1,000,000) seeded
 * patients, per query class (rare name, common name, two-word name, 3-letter prefix, phone
 * number, typo), measured twice:
 *
 * - in-process: the search service (`listPatients`: rank, fetch the page, view, audit) called
 *   directly, BENCH_QUERIES (300) queries per class after a warm-up; target p99 < 25 ms;
 * - over HTTP: the real server (`src/main.ts`) loaded with autocannon at BENCH_CONNECTIONS (8)
 *   connections for BENCH_DURATION (5) seconds per class, rotating over the class's queries;
 *   target p99 < 50 ms.
 *
 *   deno run -A tests/bench/patients_search.ts
 *
 * The seeded database is cached under ./data/bench/ (keyed by count and seed version), so only
 * the first run pays for seeding (minutes at 1M). BENCH_LOADGEN=wrk uses wrk instead of
 * autocannon. BENCH_STRICT=1 exits with status 1 when a target fails.
 */
import { sql } from "drizzle-orm";
import { closeDeps, createDeps } from "../../src/app.ts";
import { parseConfig } from "../../src/lib/config.ts";
import type { Actor } from "../../src/lib/context.ts";
import { listPatients } from "../../src/modules/patient-search/service.ts";
import { chooseLoadTool, runLoad, table } from "./load.ts";
import { cachedBenchData, prng } from "./seed.ts";
import { loginToken, startServer } from "./server.ts";

const env = (name: string, fallback: number) => {
  const raw = Deno.env.get(name);
  const n = raw ? Number(raw) : fallback;
  if (!Number.isFinite(n) || n < 1) throw new Error(`${name} must be a positive number`);
  return n;
};
const PATIENTS = Math.floor(env("BENCH_PATIENTS", 1_000_000));
const QUERIES = Math.floor(env("BENCH_QUERIES", 300));
const CONNECTIONS = Math.floor(env("BENCH_CONNECTIONS", 8));
const DURATION = env("BENCH_DURATION", 5);
const STRICT = Deno.env.get("BENCH_STRICT") === "1";
const TARGET_IN_PROCESS_MS = 25;
const TARGET_HTTP_MS = 50;
const JWT_SECRET = "bench-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const log = (msg: string) => console.log(`[search-bench] ${msg}`);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

let t0 = performance.now();
const data = await cachedBenchData({ jwtSecret: JWT_SECRET, count: PATIENTS });
log(
  `${data.seeded ? "seeded" : "reused"} ${PATIENTS.toLocaleString("en")} patients in ` +
    `${data.dataDir} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
);

const config = parseConfig({
  APP_ENV: "production",
  JWT_SECRET,
  DATA_DIR: data.dataDir,
  LOG_LEVEL: "warn",
});
const deps = await createDeps(config);
const rand = prng(7);
const db = deps.db.db;

/** Random live patients, by rowid (rows were appended 1..N). */
async function samplePatients(n: number) {
  const out: { given: string; family: string; phone: string | null }[] = [];
  while (out.length < n) {
    const rowid = 1 + Math.floor(rand() * PATIENTS);
    const rows = await db.all<[string, string, string | null]>(
      sql`SELECT given_name, family_name, phone FROM patients WHERE rowid = ${rowid}`,
    );
    if (rows[0]) out.push({ given: rows[0][0], family: rows[0][1], phone: rows[0][2] });
  }
  return out;
}
const vocabulary = await db.all<[string, number]>(
  sql`SELECT term, patients FROM patient_name_terms WHERE org_id = ${data.orgId}
    AND patients > 0 ORDER BY patients DESC`,
);
const sample = await samplePatients(QUERIES * 3);
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
const swapOne = (s: string) => {
  const i = 1 + Math.floor(rand() * (s.length - 3));
  return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
};
const rare = vocabulary.filter(([, n]) => n <= 10).map(([t]) => t);
const common = vocabulary.slice(0, 20).map(([t]) => t);
const classes: { name: string; queries: string[] }[] = [
  { name: "rare name", queries: Array.from({ length: QUERIES }, () => pick(rare)) },
  { name: "common name", queries: Array.from({ length: QUERIES }, (_, i) => common[i % 20]) },
  {
    name: "two-word name",
    queries: sample.slice(0, QUERIES).map((p) => `${p.given} ${p.family}`),
  },
  {
    name: "prefix (3 letters)",
    queries: sample.slice(QUERIES, 2 * QUERIES).map((p) => p.family.slice(0, 3)),
  },
  {
    name: "phone number",
    queries: sample.filter((p) => p.phone).slice(0, QUERIES).map((p) =>
      "0" + p.phone!.replace(/\D/g, "").slice(-9)
    ),
  },
  {
    name: "typo (swapped letters)",
    queries: sample.slice(2 * QUERIES).filter((p) => p.family.length >= 5).slice(0, QUERIES)
      .map((p) => swapOne(p.family)),
  },
];

const [adminRow] = await db.all<[string]>(
  sql`SELECT id FROM users WHERE email = ${data.adminEmail}`,
);
const actor: Actor = {
  userId: adminRow[0],
  orgId: data.orgId,
  role: "ADMIN",
  facilityId: null,
  requestId: "search-bench",
  ip: null,
  userAgent: "bench",
};
const search = (q: string) => listPatients(deps, actor, { q, limit: 25, sort: "-createdAt" });

type Row = {
  name: string;
  inP50: number;
  inP99: number;
  hits: number;
  queries: number;
  http?: Awaited<ReturnType<typeof runLoad>>;
};
const results: Row[] = [];
for (const c of classes) {
  for (const q of c.queries.slice(0, 50)) await search(q); // warm-up
  const times: number[] = [];
  let hits = 0;
  const misses: string[] = [];
  for (const q of c.queries) {
    const s = performance.now();
    const page = await search(q);
    times.push(performance.now() - s);
    if (page.shown) hits++;
    else if (misses.length < 5) misses.push(q);
  }
  times.sort((a, b) => a - b);
  results.push({
    name: c.name,
    inP50: percentile(times, 50),
    inP99: percentile(times, 99),
    hits,
    queries: c.queries.length,
  });
  log(`in-process ${c.name}: p99 ${percentile(times, 99).toFixed(2)} ms`);
  if (misses.length) log(`  no result for: ${misses.map((m) => JSON.stringify(m)).join(", ")}`);
}
await closeDeps(deps);

t0 = performance.now();
const server = await startServer({ dataDir: data.dataDir, jwtSecret: JWT_SECRET });
log(`server ready at ${server.baseUrl} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
let failed = false;
try {
  const accessToken = await loginToken(server.baseUrl, data.adminEmail, data.adminPassword);
  const headers = { authorization: `Bearer ${accessToken}` };
  const tool = await chooseLoadTool(Deno.env.get("BENCH_LOADGEN") || "autocannon");
  for (const [i, c] of classes.entries()) {
    const paths = c.queries.map((q) => `/api/v1/patients?q=${encodeURIComponent(q)}&limit=25`);
    const probe = await fetch(`${server.baseUrl}${paths[0]}`, { headers });
    if (probe.status !== 200) {
      throw new Error(`search failed: ${probe.status} ${await probe.text()}`);
    }
    await probe.body?.cancel();
    const spec = { baseUrl: server.baseUrl, paths, headers, connections: CONNECTIONS };
    await runLoad(tool, { ...spec, durationSeconds: 1 }); // warm-up
    results[i].http = await runLoad(tool, { ...spec, durationSeconds: DURATION });
    log(`HTTP ${c.name}: p99 ${results[i].http!.p99Ms.toFixed(2)} ms`);
  }
  const mark = (ok: boolean) => (ok ? "PASS" : "FAIL");
  console.log(
    `\nPatient search benchmark: ${PATIENTS.toLocaleString("en")} patients, ` +
      `${QUERIES} queries per class in-process, HTTP ${tool} at ${CONNECTIONS} connections ` +
      `for ${DURATION} s per class; deno ${Deno.version.deno}, ` +
      `${navigator.hardwareConcurrency} CPUs\n`,
  );
  console.log(table([
    [
      "query class",
      "hits",
      "in-proc p50",
      "in-proc p99",
      `< ${TARGET_IN_PROCESS_MS} ms`,
      "HTTP req/s",
      "HTTP p50",
      "HTTP p99",
      `< ${TARGET_HTTP_MS} ms`,
      "non-2xx",
    ],
    ...results.map((r) => {
      const h = r.http!;
      const ok = r.inP99 < TARGET_IN_PROCESS_MS && h.p99Ms < TARGET_HTTP_MS &&
        h.non2xx + h.errors === 0;
      if (!ok) failed = true;
      return [
        r.name,
        `${r.hits}/${r.queries}`,
        r.inP50.toFixed(2),
        r.inP99.toFixed(2),
        mark(r.inP99 < TARGET_IN_PROCESS_MS),
        h.rps.toFixed(0),
        h.p50Ms.toFixed(2),
        h.p99Ms.toFixed(2),
        mark(h.p99Ms < TARGET_HTTP_MS),
        String(h.non2xx + h.errors),
      ];
    }),
  ]));
  console.log(`\nOverall: ${failed ? "FAIL" : "PASS"} (latencies in ms)`);
} finally {
  await server.stop();
}
if (failed && STRICT) Deno.exitCode = 1;
