/**
 * Filtered-list benchmark: `GET /api/v1/patients` without `q` on BENCH_PATIENTS (default
 * 1,000,000) seeded patients, every filter alone and a few combinations, in-process through the
 * list service (`listPatients`: query, page, view, audit). Each case reads its first page and
 * follows `nextCursor` for up to BENCH_PAGES (3) pages, BENCH_ROUNDS (20) times; target p99
 * < 50 ms per case.
 *
 *   deno run -A tests/bench/patients_filters.ts
 *
 * Shares the cached database of bench:search (./data/bench/). Allergies are not part of the
 * seed: the bench adds BENCH_ALLERGIES (1,000) fixed ones and measures `hasAllergy=true` twice,
 * once with them all resolved (no match) and once with them active. BENCH_STRICT=1 exits with
 * status 1 when a case misses the target.
 */
import { sql } from "drizzle-orm";
import { closeDeps, createDeps } from "../../src/app.ts";
import { parseConfig } from "../../src/lib/config.ts";
import type { Actor } from "../../src/lib/context.ts";
import { listPatients, type ListQuery } from "../../src/modules/patient-search/service.ts";
import { table } from "./load.ts";
import { cachedBenchData } from "./seed.ts";

const env = (name: string, fallback: number) => {
  const raw = Deno.env.get(name);
  const n = raw ? Number(raw) : fallback;
  if (!Number.isFinite(n) || n < 1) throw new Error(`${name} must be a positive number`);
  return Math.floor(n);
};
const PATIENTS = env("BENCH_PATIENTS", 1_000_000);
const ROUNDS = env("BENCH_ROUNDS", 20);
const PAGES = env("BENCH_PAGES", 3);
const ALLERGIES = env("BENCH_ALLERGIES", 1_000);
const STRICT = Deno.env.get("BENCH_STRICT") === "1";
const TARGET_MS = 50;
const JWT_SECRET = "bench-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const log = (msg: string) => console.log(`[filters-bench] ${msg}`);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

const t0 = performance.now();
const data = await cachedBenchData({ jwtSecret: JWT_SECRET, count: PATIENTS });
log(
  `${data.seeded ? "seeded" : "reused"} ${PATIENTS.toLocaleString("en")} patients in ` +
    `${data.dataDir} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
);
const deps = await createDeps(
  parseConfig({ APP_ENV: "production", JWT_SECRET, DATA_DIR: data.dataDir, LOG_LEVEL: "warn" }),
);
const db = deps.db.db;
const [adminRow] = await db.all<[string]>(
  sql`SELECT id FROM users WHERE email = ${data.adminEmail}`,
);
const actor: Actor = {
  userId: adminRow[0],
  orgId: data.orgId,
  role: "ADMIN",
  facilityId: null,
  requestId: "filters-bench",
  ip: null,
  userAgent: "bench",
};

// Fixed allergies on every (PATIENTS / ALLERGIES)-th patient by rowid, added once.
const now = new Date().toISOString();
await deps.db.transaction(async (tx) => {
  await tx.run(sql`INSERT OR IGNORE INTO patient_allergies
    (id, org_id, created_at, updated_at, version, patient_id, substance, category, severity,
      status)
    SELECT 'bench-allergy-' || rowid, org_id, ${now}, ${now}, 1, id, 'Penicillin', 'drug',
      'severe', 'resolved'
    FROM patients WHERE org_id = ${data.orgId}
      AND rowid % ${Math.max(1, Math.floor(PATIENTS / ALLERGIES))} = 0`);
});
const setAllergies = (status: "active" | "resolved") =>
  deps.db.transaction((tx) =>
    tx.run(sql`UPDATE patient_allergies SET status = ${status}
      WHERE org_id = ${data.orgId} AND id LIKE 'bench-allergy-%'`)
  );

const day = (daysAgo: number) =>
  new Date(Date.now() - daysAgo * 86400e3).toISOString().slice(0, 10);
type Case = { name: string; query: Partial<ListQuery>; allergies?: "active" | "resolved" };
const cases: Case[] = [
  { name: "no filter", query: {} },
  { name: "status=active", query: { status: "active" } },
  { name: "status=deceased (none)", query: { status: "deceased" } },
  { name: "sex=female", query: { sex: "female" } },
  { name: "sex=other", query: { sex: "other" } },
  { name: "tags=diabetic", query: { tags: ["diabetic"] } },
  { name: "tags=unknown (none)", query: { tags: ["no-such-tag"] } },
  { name: "ageMin=80", query: { ageMin: 80 } },
  { name: "ageMax=5", query: { ageMax: 5 } },
  { name: "ageMin=30&ageMax=30", query: { ageMin: 30, ageMax: 30 } },
  { name: "ageMin=100 (none)", query: { ageMin: 100 } },
  { name: "registeredFrom=-7d", query: { registeredFrom: day(7) } },
  { name: "registeredTo=-900d", query: { registeredTo: day(900) } },
  {
    name: "registered one day, -500d",
    query: { registeredFrom: day(500), registeredTo: day(500) },
  },
  { name: "lastVisitFrom=-7d", query: { lastVisitFrom: day(7) } },
  { name: "lastVisitTo=-900d", query: { lastVisitTo: day(900) } },
  { name: "hasAllergy=true (none)", query: { hasAllergy: true }, allergies: "resolved" },
  { name: "hasAllergy=true (0.1%)", query: { hasAllergy: true }, allergies: "active" },
  { name: "hasAllergy=false", query: { hasAllergy: false }, allergies: "active" },
  { name: "status+sex+ageMin=65", query: { status: "active", sex: "female", ageMin: 65 } },
  {
    name: "tags=vip+status=inactive+sex",
    query: { tags: ["vip"], status: "inactive", sex: "male" },
  },
  { name: "tags=diabetic+ageMin=50", query: { tags: ["diabetic"], ageMin: 50 } },
  { name: "ageMax=5+registeredFrom=-90d", query: { ageMax: 5, registeredFrom: day(90) } },
  { name: "lastVisitFrom=-30d+sex=male", query: { lastVisitFrom: day(30), sex: "male" } },
  { name: "lastVisitTo=-900d+ageMin=70", query: { lastVisitTo: day(900), ageMin: 70 } },
  {
    name: "hasAllergy=true+status=active",
    query: { hasAllergy: true, status: "active" },
    allergies: "active",
  },
  {
    name: "hasAllergy=true (none)+ageMin=60",
    query: { hasAllergy: true, ageMin: 60 },
    allergies: "resolved",
  },
  { name: "ageMin=80, familyName", query: { ageMin: 80, sort: "familyName" } },
  { name: "status=deceased, -familyName", query: { status: "deceased", sort: "-familyName" } },
  {
    name: "registered one day, familyName",
    query: { registeredFrom: day(500), registeredTo: day(500), sort: "familyName" },
  },
  { name: "lastVisitFrom=-7d, familyName", query: { lastVisitFrom: day(7), sort: "familyName" } },
  { name: "ageMin=80, createdAt", query: { ageMin: 80, sort: "createdAt" } },
];

type Result = { name: string; p50: number; p99: number; max: number; shown: number; n: number };
const results: Result[] = [];
let allergyState: string | undefined;
for (const c of cases) {
  if (c.allergies && c.allergies !== allergyState) {
    await setAllergies(c.allergies);
    allergyState = c.allergies;
  }
  const run = async () => {
    const times: number[] = [];
    let cursor: string | undefined;
    let shown = 0;
    for (let p = 0; p < PAGES; p++) {
      const s = performance.now();
      const page = await listPatients(deps, actor, {
        limit: 25,
        sort: "-createdAt",
        ...c.query,
        cursor,
      });
      times.push(performance.now() - s);
      shown += page.shown;
      cursor = JSON.parse(page.body).nextCursor ?? undefined;
      if (!cursor) break;
    }
    return { times, shown };
  };
  await run(); // warm-up
  const times: number[] = [];
  let shown = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const out = await run();
    times.push(...out.times);
    shown = out.shown;
  }
  times.sort((a, b) => a - b);
  const res = {
    name: c.name,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times[times.length - 1],
    shown,
    n: times.length,
  };
  results.push(res);
  log(`${c.name}: p50 ${res.p50.toFixed(2)} ms, p99 ${res.p99.toFixed(2)} ms`);
}
await setAllergies("resolved");
await closeDeps(deps);

let failed = false;
console.log(
  `\nPatient list filters: ${PATIENTS.toLocaleString("en")} patients, up to ${PAGES} pages of ` +
    `25 per round, ${ROUNDS} rounds per case, in-process; deno ${Deno.version.deno}, ` +
    `${navigator.hardwareConcurrency} CPUs\n`,
);
console.log(table([
  ["filter", "shown (pages)", "requests", "p50", "p99", "max", `p99 < ${TARGET_MS} ms`],
  ...results.map((r) => {
    const ok = r.p99 < TARGET_MS;
    if (!ok) failed = true;
    return [
      r.name,
      String(r.shown),
      String(r.n),
      r.p50.toFixed(2),
      r.p99.toFixed(2),
      r.max.toFixed(2),
      ok ? "PASS" : "FAIL",
    ];
  }),
]));
console.log(`\nOverall: ${failed ? "FAIL" : "PASS"} (latencies in ms)`);
if (failed && STRICT) Deno.exitCode = 1;
