/**
 * What a page of 25 costs against a single read (issue 14 item 4): server CPU per request of
 * `GET /patients/{id}`, `GET /patients?limit=25` and `GET /patients?q=…&limit=25` on a real
 * server, at 1,000 patients (seeded fresh) and at BENCH_PATIENTS_LARGE (1,000,000; the cached
 * bench data under data/bench/, seeded once), with each page's ratio to the read. The CPU
 * includes what each request costs the audit writer (its thread is part of the process).
 *
 *   deno task bench:pages
 *
 * Settings: BENCH_DURATION (8 s per endpoint), BENCH_CONNECTIONS (32), BENCH_SIZES
 * ("1000,1000000"; a size other than 1000 uses the cached data), BENCH_STRICT=1 (exit 1 when a
 * ratio is over its target).
 */
import { openDatabase } from "../../db/client.ts";
import { cpuFigure, startServerCpu } from "./cpu.ts";
import { chooseLoadTool, type LoadSpec, runLoad, table } from "./load.ts";
import { cachedBenchData, seedBenchData } from "./seed.ts";
import { loginToken, type RunningServer, startServer } from "./server.ts";

const DURATION = Number(Deno.env.get("BENCH_DURATION") || 8);
const CONNECTIONS = Number(Deno.env.get("BENCH_CONNECTIONS") || 32);
const SIZES = (Deno.env.get("BENCH_SIZES") || "1000,1000000").split(",").map(Number);
const STRICT = Deno.env.get("BENCH_STRICT") === "1";
const JWT_SECRET = "bench-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const TARGET = 2;
const QUERIES = ["mar", "jo", "wan", "ali", "ke"];

const log = (msg: string) => console.log(`[bench] ${msg}`);

async function sampleIds(dataDir: string, orgId: string, n: number): Promise<string[]> {
  const handle = openDatabase({ url: `file:${dataDir}/clinic.db` });
  try {
    const rows = await handle.readRows(
      `SELECT id FROM patients WHERE org_id = ? AND deleted_at IS NULL AND merged_into IS NULL
        AND rowid IN (SELECT abs(random()) % (SELECT max(rowid) FROM patients) + 1
          FROM json_each(?))`,
      [orgId, JSON.stringify(Array.from({ length: n * 2 }, (_, i) => i))],
    );
    return rows.map((r) => r[0] as string).slice(0, n);
  } finally {
    handle.close();
  }
}

interface Case {
  name: string;
  paths: string[];
}

const results: string[][] = [];
let failed = false;
const tool = await chooseLoadTool();
for (const size of SIZES) {
  const fresh = size === 1000;
  const dataDir = fresh ? await Deno.makeTempDir({ prefix: "clinic-pages-" }) : "";
  const data = fresh
    ? { ...await seedBenchData({ dataDir, jwtSecret: JWT_SECRET, count: size }), dataDir }
    : await cachedBenchData({ jwtSecret: JWT_SECRET, count: size });
  const ids = await sampleIds(data.dataDir, data.orgId, 1000);
  log(`${size.toLocaleString("en")} patients (${fresh ? "seeded" : "cached"}), ${ids.length} ids`);
  let server: RunningServer | undefined;
  try {
    server = await startServer({ dataDir: data.dataDir, jwtSecret: JWT_SECRET });
    const accessToken = await loginToken(server.baseUrl, data.adminEmail, data.adminPassword);
    const cases: Case[] = [
      { name: "read", paths: ids.map((id) => `/api/v1/patients/${id}`) },
      { name: "list page", paths: ["/api/v1/patients?limit=25"] },
      {
        name: "search page",
        paths: QUERIES.map((q) => `/api/v1/patients?q=${q}&limit=25`),
      },
    ];
    const cpu: Record<string, number | null> = {};
    for (const c of cases) {
      const spec: LoadSpec = {
        baseUrl: server.baseUrl,
        paths: c.paths,
        headers: { authorization: `Bearer ${accessToken}` },
        connections: CONNECTIONS,
        durationSeconds: 2,
      };
      await runLoad(tool, spec);
      const measure = startServerCpu(server.process.pid);
      const r = await runLoad(tool, { ...spec, durationSeconds: DURATION });
      cpu[c.name] = measure(r.requests);
      if (r.non2xx || r.errors) failed = true;
      const ratio = c.name === "read" || cpu.read == null || cpu[c.name] == null
        ? ""
        : (cpu[c.name]! / cpu.read).toFixed(1) + "×";
      const pass = ratio === "" ? "" : cpu[c.name]! / cpu.read! <= TARGET ? "PASS" : "FAIL";
      if (pass === "FAIL" && STRICT) failed = true;
      results.push([
        size.toLocaleString("en"),
        c.name,
        String(Math.round(r.rps)),
        r.p99Ms.toFixed(2),
        cpuFigure(cpu[c.name]),
        ratio,
        pass,
        String(r.non2xx),
      ]);
    }
  } finally {
    await server?.stop();
    if (fresh) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

console.log(
  `\nPage cost: server CPU per request (all threads), ${CONNECTIONS} connections, ${DURATION} s ` +
    `per endpoint, ${tool}; target: a page of 25 at most ${TARGET}× a read\n`,
);
console.log(table([
  ["patients", "endpoint", "requests/s", "p99 ms", "CPU/request", "÷ read", "target", "non-2xx"],
  ...results,
]));
if (failed) Deno.exit(1);
