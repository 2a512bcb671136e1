/**
 * Import benchmark: a BENCH_IMPORT_ROWS (10,000) row CSV import into an organisation of
 * BENCH_PATIENTS (100,000, seeded once and cached; each run works on a copy) on the real server,
 * with patient registrations sent one after another while it runs, against the same number of
 * registrations sent alone just before.
 *
 *   deno task bench:import
 *
 * Prints the import's time, its write transactions and the longest of them (from the server's
 * "patient import published" log line), and registration latency p50/p99/max alone and during
 * the import. Exits with status 1 when the import does not answer 200 with every row imported.
 *
 * Settings (environment): BENCH_PATIENTS, BENCH_IMPORT_ROWS, BENCH_ALONE (200 registrations
 * measured alone), BENCH_SEED, BENCH_SERVER_ENV (extra server settings, KEY=VALUE pairs).
 */
import { prng } from "../helpers/random.ts";
import { cachedBenchData } from "./seed.ts";
import { loginToken, startServer } from "./server.ts";
import {
  envInt,
  LATENCY_HEADER,
  latencyRow,
  postJson,
  type Run,
  serverEnvFrom,
} from "./requests.ts";
import { table } from "./load.ts";

const PATIENTS = envInt("BENCH_PATIENTS", 100_000);
const ROWS = envInt("BENCH_IMPORT_ROWS", 10_000);
const ALONE = envInt("BENCH_ALONE", 200);
const SEED = envInt("BENCH_SEED", 20261130, 0);
const SERVER_ENV = serverEnvFrom("BENCH_SERVER_ENV");
const JWT_SECRET = "bench-import-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

const log = (msg: string) => console.log(`[import-bench] ${msg}`);
const random = prng(SEED);
const letters = (n: number) =>
  Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join("");
/** Random names: neither like each other nor like the seeded patients, so no row is a duplicate. */
const name = () => {
  const s = letters(8);
  return s[0].toUpperCase() + s.slice(1);
};
const birthDate = () => {
  const day = new Date(Date.UTC(1940, 0, 1) + Math.floor(random() * 80 * 365) * 86_400_000);
  return day.toISOString().slice(0, 10);
};

function importCsv(): string {
  const lines = ["givenName,familyName,birthDate,sex,nationalId"];
  for (let i = 0; i < ROWS; i++) {
    lines.push(`${name()},${name()},${birthDate()},female,BENCH-IMP-${SEED}-${i}`);
  }
  return lines.join("\n") + "\n";
}

/** Registrations one after another until `until` settles (or `count` when given). */
async function register(baseUrl: string, token: string, until: Promise<unknown> | number) {
  const outcomes: Run["outcomes"] = [];
  let done = false;
  if (typeof until !== "number") until.finally(() => (done = true));
  const t0 = performance.now();
  while (typeof until === "number" ? outcomes.length < until : !done) {
    const t = performance.now();
    const status = await postJson(`${baseUrl}/api/v1/patients`, token, {
      givenName: name(),
      familyName: name(),
      birthDate: birthDate(),
      sex: "male",
      allowDuplicate: true,
    });
    outcomes.push({ status, ms: performance.now() - t });
  }
  return { outcomes, seconds: (performance.now() - t0) / 1000 };
}

const data = await cachedBenchData({ jwtSecret: JWT_SECRET, count: PATIENTS });
const dataDir = await Deno.makeTempDir({ prefix: "clinic-bench-import-" });
await Deno.copyFile(`${data.dataDir}/clinic.db`, `${dataDir}/clinic.db`);
const published: Record<string, unknown>[] = [];
const server = await startServer({
  dataDir,
  jwtSecret: JWT_SECRET,
  env: { LOG_LEVEL: "info", ...SERVER_ENV },
  onStdoutLine: (line) => {
    if (line.includes('"patient import published"')) published.push(JSON.parse(line));
  },
});
let failed = false;
try {
  const token = await loginToken(server.baseUrl, data.adminEmail, data.adminPassword);
  log(`${PATIENTS} patients, importing ${ROWS} rows`);

  await register(server.baseUrl, token, 20); // warm-up, not measured
  const alone = await register(server.baseUrl, token, ALONE);

  const form = new FormData();
  form.append("file", new File([importCsv()], "bench.csv"));
  const t0 = performance.now();
  const answer = fetch(`${server.baseUrl}/api/v1/patients/import`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const during = await register(server.baseUrl, token, answer);
  const imported = await answer;
  const importMs = performance.now() - t0;
  if (imported.status !== 200 || imported.body.imported !== ROWS) {
    failed = true;
    log(`import answered ${imported.status}: ${JSON.stringify(imported.body).slice(0, 500)}`);
  }
  await new Promise((r) => setTimeout(r, 200)); // the server's log is flushed every 50 ms
  const figures = published.at(-1);
  console.log(table([
    ["import", "rows", "seconds", "transactions", "longest transaction ms"],
    [
      "",
      String(imported.body.imported ?? 0),
      (importMs / 1000).toFixed(1),
      String(figures?.transactions ?? "n/a (one)"),
      String(figures?.longestTransactionMs ?? "n/a"),
    ],
  ]));
  console.log(table([
    LATENCY_HEADER,
    latencyRow("registration alone", alone),
    latencyRow("registration during import", during),
  ]));
  const bad = [...alone.outcomes, ...during.outcomes].filter((o) => o.status !== 201).length;
  if (bad > 0) {
    failed = true;
    log(`${bad} registrations did not answer 201`);
  }
} finally {
  await server.stop(10_000);
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
}
if (failed) Deno.exit(1);
