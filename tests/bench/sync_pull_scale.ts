/**
 * Pull cost against the size of the primary's change log: a node's pull after 1 change should
 * cost the same at BENCH_SCALE_SMALL (10,000) and BENCH_SCALE_LARGE (1,000,000) change-log rows,
 * because the log is read through the (org_id, seq) index from the node's cursor; and
 * BENCH_SCALE_NODES (20) replicas pulling at once (concurrent node clients in this process, not
 * processes) are all served, each with every change.
 *
 *   deno task bench:sync-scale
 *
 * Set-up, on a primary database file in a temporary folder under TMPDIR: two organisations, 20
 * nodes registered for the first (the measured one), and BENCH_SCALE_PATIENTS (500) patients
 * registered through the API. The log is then filled up to the stage's size with SQL inserts
 * straight into `change_log` (half of the measured organisation, before the cursor; half of the
 * other one), and one real change is made through the running primary's API (a patient
 * registered) after the cursor.
 *
 * Per stage, with the real server (`src/main.ts`, SYNC_ROLE=primary, production settings,
 * default durability) on loopback:
 * - `GET /api/v1/sync/pull?after=<cursor>&limit=500` with a node's token, BENCH_SCALE_PULLS
 *   (200) times after a warm-up: median and p99 latency as the client sees it, and the server's
 *   own `sync: pull served` ms. Each pull also commits the node's position (one fsync), as in
 *   real use;
 * - the same for a pull that returns 500 changes, for contrast;
 * - the log query itself (`readLog`, db/changes.ts) run in this process on the file, and its
 *   `EXPLAIN QUERY PLAN`, which must name the index.
 * At the small stage, the 20 node clients pull the organisation's whole log from cursor 0, page
 * by page, all at once; each must end with every change of the organisation, in order.
 *
 * Settings (environment): BENCH_SCALE_SMALL (10000), BENCH_SCALE_LARGE (1000000),
 * BENCH_SCALE_PULLS (200), BENCH_SCALE_NODES (20), BENCH_SCALE_PATIENTS (500), BENCH_KEEP=1 keeps
 * the data folder, BENCH_STRICT=1 exits with status 1 when the large stage's median pull after 1
 * change is over twice the small stage's (+1 ms) or a node client misses changes.
 */
import { and, count, eq, inArray, max, sql } from "drizzle-orm";
import { openDatabase } from "../../db/client.ts";
import { READ_LOG_WHERE, readLog, ROW_ENTRIES } from "../../db/changes.ts";
import { schemaVersion } from "../../db/migrate.ts";
import { changeLog } from "../../db/schema/mod.ts";
import { createTestApp, PASSWORD } from "../helpers/app.ts";
import { createOrg, createPatient } from "../helpers/factories.ts";
import { SYNCED_TABLES } from "../helpers/cluster.ts";
import { loadAverage } from "./cpu_usage.ts";
import { table } from "./load.ts";
import { api, type BenchNode, loginAt, startNode, stats } from "./sync_nodes.ts";

const envInt = (name: string, fallback: number) => {
  const raw = Deno.env.get(name);
  const n = raw ? Number(raw) : fallback;
  if (!Number.isFinite(n) || n < 1) throw new Error(`${name} must be a positive number`);
  return Math.floor(n);
};
const SMALL = envInt("BENCH_SCALE_SMALL", 10_000);
const LARGE = envInt("BENCH_SCALE_LARGE", 1_000_000);
const PULLS = envInt("BENCH_SCALE_PULLS", 200);
const NODES = envInt("BENCH_SCALE_NODES", 20);
const PATIENTS = envInt("BENCH_SCALE_PATIENTS", 500);
const KEEP = Deno.env.get("BENCH_KEEP") === "1";
const STRICT = Deno.env.get("BENCH_STRICT") === "1";
const JWT_SECRET = "bench-sync-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const WARMUP = 20;
const PAGE = 500;

const log = (msg: string) => console.log(`[sync-scale] ${msg}`);
const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "n/a";

const dir = await Deno.makeTempDir({ prefix: "clinic-bench-sync-scale-" });
const dbUrl = `file:${dir}/clinic.db`;
let primary: BenchNode | undefined;
const cleanup = async () => {
  await primary?.stop().catch(() => {});
  primary = undefined;
  if (!KEEP) await Deno.remove(dir, { recursive: true }).catch(() => {});
};
Deno.addSignalListener("SIGINT", async () => {
  log("interrupted; stopping the server and removing the data folder");
  await cleanup();
  Deno.exit(130);
});

/** Rows in the log, and the newest position. */
async function logSize() {
  const handle = openDatabase({ url: dbUrl });
  try {
    const [row] = await handle.db.select({ n: count(), last: max(changeLog.seq) }).from(changeLog);
    return { rows: row.n, last: Number(row.last ?? 0) };
  } finally {
    handle.close();
  }
}

/** Appends `n` rows to the log with SQL: even ones of `orgA`, odd ones of `orgB`. */
async function fill(n: number, orgA: string, orgB: string, tag: string) {
  if (n <= 0) return;
  const handle = openDatabase({ url: dbUrl });
  try {
    const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
    await handle.executeScript([
      `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${n})
       INSERT INTO change_log
         (org_id, table_name, row_id, operation, version, at, origin, hlc, fields, "values",
          actor_id)
       SELECT CASE WHEN i % 2 = 0 THEN ${q(orgA)} ELSE ${q(orgB)} END, 'patients',
         printf('fill-${tag}-%08d', i), 'update', 2, '2024-01-01T00:00:00.000Z', 'local',
         printf('%09d-0000-filler00', i), '["phone"]', '{"phone":"+254700000000"}', NULL
       FROM c`,
    ]);
  } finally {
    handle.close();
  }
}

async function dbMiB() {
  let bytes = 0;
  for await (const e of Deno.readDir(dir)) {
    if (e.name.startsWith("clinic.db")) bytes += (await Deno.stat(`${dir}/${e.name}`)).size;
  }
  return bytes / 2 ** 20;
}

interface Stage {
  rows: number;
  mib: number;
  one: ReturnType<typeof stats>;
  oneServer: ReturnType<typeof stats>;
  page: ReturnType<typeof stats>;
  pageServer: ReturnType<typeof stats>;
  queryUs: ReturnType<typeof stats>;
  plan: string[];
  rowPlan: string[];
}

let failed = false;
try {
  log(
    `deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs (load average ` +
      `${loadAverage()}), data: ${dir}`,
  );
  let t0 = performance.now();
  const setup = await createTestApp({ DATA_DIR: dir, JWT_SECRET });
  const org = await createOrg(setup);
  const other = await createOrg(setup);
  const tokens: string[] = [];
  for (let i = 1; i <= NODES; i++) {
    const res = await setup.call("POST", "/api/v1/sync/nodes", {
      token: org.admin,
      body: { name: `Clinic node ${i}`, siteCode: `N${String(i).padStart(2, "0")}` },
    });
    if (res.status !== 201) throw new Error(`register node: ${JSON.stringify(res.body)}`);
    tokens.push(res.body.token);
  }
  for (let i = 0; i < PATIENTS; i++) {
    await createPatient(setup, org.admin, { givenName: "Scale", familyName: `Patient${i}` });
  }
  await setup.close({ keep: true });
  if (setup.dir !== dir) await Deno.remove(setup.dir, { recursive: true }).catch(() => {});
  log(
    `set-up: 2 organisations, ${NODES} nodes, ${PATIENTS} patients in ` +
      `${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  const pullPath = (after: number) =>
    `/api/v1/sync/pull?after=${after}&limit=${PAGE}&schemaVersion=${schemaVersion()}`;
  const timedPulls = async (node: BenchNode, token: string, after: number, expect: number) => {
    const client: number[] = [];
    const since = Date.now();
    for (let i = 0; i < WARMUP + PULLS; i++) {
      const started = performance.now();
      const res = await api(node, "GET", pullPath(after), { token, expect: [200] });
      const ms = performance.now() - started;
      if (res.body.changes.length !== expect) {
        throw new Error(`pull after ${after}: ${res.body.changes.length} changes, not ${expect}`);
      }
      if (i >= WARMUP) client.push(ms);
    }
    await new Promise((r) => setTimeout(r, 120)); // the server's log buffer flushes every 50 ms
    const served = node.linesOf("sync: pull served", since).filter((l) => l.after === after)
      .slice(WARMUP).map((l) => Number(l.ms));
    return { client: stats(client), server: stats(served) };
  };

  const stages: Stage[] = [];
  for (const target of [SMALL, LARGE]) {
    t0 = performance.now();
    const before = await logSize();
    await fill(target - before.rows - 1, org.id, other.id, String(target));
    log(
      `log filled to ${fmt(target - 1)} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    primary = startNode({
      name: "primary",
      dir,
      jwtSecret: JWT_SECRET,
      env: { SYNC_ROLE: "primary" },
    });
    await primary.waitFor("listening");
    const admin = await loginAt(primary, org.adminEmail, PASSWORD);
    const cursor = (await logSize()).last;
    await api(primary, "POST", "/api/v1/patients", {
      token: admin,
      body: {
        givenName: "After",
        familyName: `Cursor${target}`,
        birthDate: "1990-01-01",
        sex: "female",
        allowDuplicate: true,
      },
      expect: [201],
    });
    const size = await logSize();
    const newer = size.last - cursor;

    const one = await timedPulls(primary, tokens[0], cursor, newer);

    // A pull that returns a full page of the organisation's changes, for contrast.
    const handle = openDatabase({ url: dbUrl });
    let pageAfter = 0;
    const queryUs: number[] = [];
    let plan: string[] = [];
    let rowPlan: string[] = [];
    try {
      const [row] = await handle.db.all<[number]>(sql`
        SELECT seq FROM change_log WHERE org_id = ${org.id} AND seq <= ${size.last}
        ORDER BY seq DESC LIMIT 1 OFFSET ${PAGE}`);
      pageAfter = Number(Array.isArray(row) ? row[0] : Object.values(row as object)[0]);

      // The log query itself, in this process (drizzle + libSQL), and its plan.
      for (let i = 0; i < WARMUP + 1000; i++) {
        const started = performance.now();
        const rows = await readLog(handle.db, org.id, cursor, PAGE);
        if (i >= WARMUP) queryUs.push((performance.now() - started) * 1000);
        if (rows.length !== newer) throw new Error(`readLog: ${rows.length} rows`);
      }
      const explain = async (text: string, params: unknown[]) => {
        const rows = await handle.readRows(`EXPLAIN QUERY PLAN ${text}`, params);
        return rows.map((r) => String(r[3]));
      };
      plan = await explain(
        `SELECT * FROM change_log WHERE ${READ_LOG_WHERE}`,
        [org.id, cursor, PAGE],
      );
      rowPlan = await explain(ROW_ENTRIES, ["patients", "x"]);
    } finally {
      handle.close();
    }
    const page = await timedPulls(primary, tokens[0], pageAfter, PAGE);
    stages.push({
      rows: size.rows,
      mib: await dbMiB(),
      one: one.client,
      oneServer: one.server,
      page: page.client,
      pageServer: page.server,
      queryUs: stats(queryUs),
      plan,
      rowPlan,
    });
    log(
      `${fmt(size.rows)} rows: pull after ${newer} change: median ${fmt(one.client.median, 2)} ms`,
    );

    if (target === SMALL) {
      // NODES node clients pull the organisation's whole log from 0, all at once.
      const handle = openDatabase({ url: dbUrl });
      let expected = 0;
      let lastSeq = 0;
      try {
        // Every entry of the organisation moves the cursor; those of tables that stay on the
        // primary (node credentials) are not sent.
        const [row] = await handle.db.select({ last: max(changeLog.seq) })
          .from(changeLog).where(eq(changeLog.orgId, org.id));
        lastSeq = Number(row.last);
        const [sent] = await handle.db.select({ n: count() }).from(changeLog).where(and(
          eq(changeLog.orgId, org.id),
          inArray(changeLog.tableName, SYNCED_TABLES),
        ));
        expected = sent.n;
      } finally {
        handle.close();
      }
      const t = performance.now();
      const results = await Promise.all(tokens.map(async (token, i) => {
        let after = 0;
        let changes = 0;
        let pages = 0;
        let ordered = true;
        let prev = 0;
        while (true) {
          const res = await api(primary!, "GET", pullPath(after), { token, expect: [200] });
          pages++;
          for (const c of res.body.changes) {
            if (c.seq <= prev) ordered = false;
            prev = c.seq;
          }
          changes += res.body.changes.length;
          after = res.body.next;
          if (!res.body.more) break;
        }
        const ms = performance.now() - t;
        log(
          `  node N${String(i + 1).padStart(2, "0")} done after ${fmt(ms)} ms: ${fmt(pages)} ` +
            `pages, ${fmt(changes)} changes, cursor ${after}`,
        );
        return { changes, pages, ms, after, ordered };
      }));
      const totalMs = performance.now() - t;
      const all = results.every((r) => r.changes === expected && r.after === lastSeq && r.ordered);
      const served = results.reduce((s, r) => s + r.changes, 0);
      console.log(
        `\n${NODES} node clients pulling at once from cursor 0: ${fmt(served)} changes in ` +
          `${fmt(results.reduce((s, r) => s + r.pages, 0))} pages in ${fmt(totalMs / 1000, 2)} s ` +
          `(${fmt(served / (totalMs / 1000))} changes/s served); each node finished in ` +
          `${fmt(Math.min(...results.map((r) => r.ms)) / 1000, 2)}–` +
          `${fmt(Math.max(...results.map((r) => r.ms)) / 1000, 2)} s; ` +
          `${all ? "every node got all" : "NOT every node got all"} ${fmt(expected)} changes ` +
          `of the organisation, in order, up to seq ${lastSeq}\n`,
      );
      if (!all) failed = true;
    }
    await primary.stop();
    primary = undefined;
  }

  const [s, l] = stages;
  const row = (label: string, f: (x: Stage) => string) => [label, f(s), f(l)];
  console.log(
    `\nPull cost against log size (primary on loopback, synchronous=FULL, ${PULLS} pulls ` +
      `after ${WARMUP} warm-up):\n`,
  );
  console.log(table([
    ["", `${fmt(s.rows)} rows`, `${fmt(l.rows)} rows`],
    row("database size (MiB)", (x) => fmt(x.mib, 1)),
    row("pull after 1 change: median ms (client)", (x) => fmt(x.one.median, 2)),
    row("pull after 1 change: p99 ms (client)", (x) => fmt(x.one.p99, 2)),
    row(
      "pull after 1 change: median / max ms (server log)",
      (x) => `${fmt(x.oneServer.median)} / ${fmt(x.oneServer.max)}`,
    ),
    row("readLog query after 1 change: median µs (in process)", (x) => fmt(x.queryUs.median, 1)),
    row("readLog query after 1 change: p99 µs (in process)", (x) => fmt(x.queryUs.p99, 1)),
    row(`pull of ${PAGE} changes: median ms (client)`, (x) => fmt(x.page.median, 2)),
    row(`pull of ${PAGE} changes: p99 ms (client)`, (x) => fmt(x.page.p99, 2)),
    row(`pull of ${PAGE} changes: median ms (server log)`, (x) => fmt(x.pageServer.median)),
  ]));
  console.log(`\nEXPLAIN QUERY PLAN of readLog (the pull's log query), at ${fmt(l.rows)} rows:`);
  for (const p of l.plan) console.log(`  ${p}`);
  console.log("EXPLAIN QUERY PLAN of rowEntries (a row's clocks, read per change sent):");
  for (const p of l.rowPlan) console.log(`  ${p}`);
  const indexed = l.plan.some((p) => /USING (COVERING )?INDEX change_log_org_seq_idx/.test(p)) &&
    !l.plan.some((p) => /^SCAN change_log\b(?! USING)/.test(p));
  const ratio = l.one.median / s.one.median;
  const flat = l.one.median <= 2 * s.one.median + 1;
  console.log(
    `\n${flat && indexed ? "PASS" : "FAIL"}: a pull after 1 change costs ` +
      `${fmt(s.one.median, 2)} ms at ${fmt(s.rows)} rows and ${fmt(l.one.median, 2)} ms at ` +
      `${fmt(l.rows)} rows (×${fmt(ratio, 2)}); the log query ${
        indexed ? "uses" : "does NOT use"
      } the (org_id, seq) index`,
  );
  if (STRICT && !(flat && indexed)) failed = true;
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await cleanup();
  if (KEEP) log(`data kept in ${dir}`);
}
Deno.exit(failed ? 1 : 0);
