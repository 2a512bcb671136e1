/**
 * Dispensing benchmark: `POST /api/v1/dispensations` (over the counter) on the real server
 * (`src/main.ts`, production settings), in two scenarios, each followed by checks of the stock
 * ledger read straight from the database file.
 *
 *   deno task bench:dispensing
 *
 * A. Distinct medicines: BENCH_MEDICINES (50) medicines, each received in 2 batches of
 *    BENCH_BATCH_UNITS (1,000) units, so none runs out; BENCH_DISPENSATIONS (5,000) dispensations
 *    of 1-3 units of a random medicine, sent by BENCH_CONNECTIONS (32) concurrent clients. Every
 *    answer must be 201.
 * B. One hot medicine: BENCH_HOT_STOCK (3,000) units in 3 batches with different expiry dates;
 *    all clients dispense 1 unit of it, BENCH_HOT_ATTEMPTS (4,000) attempts. Exactly
 *    BENCH_HOT_STOCK must succeed (201); the rest are refused (409).
 *
 * Checks after each scenario (the bench exits with status 1 when one fails): no stock_balances
 * row is negative; each balance equals the sum of its batch's stock_movements; the units
 * dispensed in the ledger (and in dispensation_items) equal those of the 201s answered.
 *
 * Settings (environment): the names above, BENCH_WARMUP (200 dispensations of a medicine of their
 * own before A, not measured), BENCH_SEED (random choices of A), BENCH_SERVER_ENV (extra server
 * settings, KEY=VALUE pairs).
 */
import { openDatabase } from "../../db/client.ts";
import { createTestApp, PASSWORD } from "../helpers/app.ts";
import { loginAt } from "../helpers/cluster.ts";
import { createStaff, login } from "../helpers/factories.ts";
import { prng } from "../helpers/random.ts";
import { loadAverage } from "./cpu_usage.ts";
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

const MEDICINES = envInt("BENCH_MEDICINES", 50);
const BATCH_UNITS = envInt("BENCH_BATCH_UNITS", 1_000);
const DISPENSATIONS = envInt("BENCH_DISPENSATIONS", 5_000);
const CONNECTIONS = envInt("BENCH_CONNECTIONS", 32);
const HOT_STOCK = envInt("BENCH_HOT_STOCK", 3_000, 3);
const HOT_ATTEMPTS = envInt("BENCH_HOT_ATTEMPTS", 4_000);
const WARMUP = envInt("BENCH_WARMUP", 200, 0);
const SEED = envInt("BENCH_SEED", 20261130, 0);
const SERVER_ENV = serverEnvFrom("BENCH_SERVER_ENV");
const JWT_SECRET = "bench-dispensing-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const DAY = 86_400_000;

const log = (msg: string) => console.log(`[dispensing-bench] ${msg}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const dayAfter = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

interface Item {
  medicationId: string;
  quantity: number;
}

/** Sends every dispensation, `CONNECTIONS` at a time. */
function dispense(server: RunningServer, token: string, items: Item[]): Promise<Run> {
  return runClients(
    CONNECTIONS,
    items.length,
    (i) => postJson(`${server.baseUrl}/api/v1/dispensations`, token, { items: [items[i]] }),
  );
}

/** As many `GET /health` the same way: the yardstick for the server's CPU per request. */
function health(server: RunningServer, n: number): Promise<Run> {
  return runClients(CONNECTIONS, n, async () => {
    const res = await fetch(`${server.baseUrl}/api/v1/health`);
    await res.body?.cancel();
    return res.status;
  });
}

const answers = (counts: Map<number, number>) =>
  [...counts].map(([s, n]) => `${s}×${n}`).join(", ");

interface Audit {
  batches: number;
  negative: number;
  mismatched: number;
  /** Units taken by `dispense` movements of the medicines (a positive number). */
  ledgerUnits: number;
  /** Units in dispensation_items of the medicines. */
  itemUnits: number;
  /** What is left on hand, all batches of the medicines together. */
  onHand: number;
}

/** Straight from the database file: the ledger and balances of the given medicines. */
async function audit(dataDir: string, medicationIds: string[]): Promise<Audit> {
  const db = openDatabase({ url: `file:${dataDir}/clinic.db` });
  try {
    const ids = medicationIds.map(() => "?").join(", ");
    const rows = await db.readRows(
      `SELECT b.batch_id, b.quantity,
              (SELECT coalesce(sum(m.quantity), 0) FROM stock_movements m
                WHERE m.batch_id = b.batch_id)
         FROM stock_balances b WHERE b.medication_id IN (${ids})`,
      medicationIds,
    ) as [string, number, number][];
    let negative = 0, mismatched = 0, onHand = 0;
    for (const [, balance, ledger] of rows) {
      if (Number(balance) < 0) negative++;
      if (Number(balance) !== Number(ledger)) mismatched++;
      onHand += Number(balance);
    }
    const [[ledgerUnits]] = await db.readRows(
      `SELECT coalesce(-sum(quantity), 0) FROM stock_movements
        WHERE type = 'dispense' AND medication_id IN (${ids})`,
      medicationIds,
    ) as number[][];
    const [[itemUnits]] = await db.readRows(
      `SELECT coalesce(sum(quantity), 0) FROM dispensation_items WHERE medication_id IN (${ids})`,
      medicationIds,
    ) as number[][];
    return {
      batches: rows.length,
      negative,
      mismatched,
      ledgerUnits: Number(ledgerUnits),
      itemUnits: Number(itemUnits),
      onHand,
    };
  } finally {
    db.close();
  }
}

const dataDir = await Deno.makeTempDir({ prefix: "clinic-bench-dispensing-" });
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
const checks: string[] = [];
/** Records a check's outcome for the printout, and a problem when it fails. */
const check = (label: string, ok: boolean, detail: string) => {
  checks.push(`  [${ok ? "ok" : "FAIL"}] ${label}: ${detail}`);
  if (!ok) problems.push(`${label}: ${detail}`);
};
const ledgerChecks = (scenario: string, a: Audit, expectedUnits: number) => {
  check(`${scenario} no negative balance`, a.negative === 0, `${a.negative} of ${a.batches}`);
  check(
    `${scenario} balance = sum of its batch's movements`,
    a.mismatched === 0,
    `${a.mismatched} of ${a.batches} batches differ`,
  );
  check(
    `${scenario} units dispensed = units of the 201s`,
    a.ledgerUnits === expectedUnits && a.itemUnits === expectedUnits,
    `ledger ${a.ledgerUnits}, dispensation items ${a.itemUnits}, answered ${expectedUnits}`,
  );
};

try {
  log(
    `deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs (load average ` +
      `${loadAverage()}), data: ${dataDir}`,
  );

  // The organisation and its admin; the pharmacist joins as staff do (invited, then accepted);
  // the catalogue and the receipts go through the app in-process on the same file before the
  // server opens it.
  let t0 = performance.now();
  const data = await seedBenchData({
    dataDir,
    jwtSecret: JWT_SECRET,
    count: 10,
    searchIndex: false,
  });
  const setup = await createTestApp({ DATA_DIR: dataDir, JWT_SECRET });
  let pharmacistEmail: string;
  const medicineIds: string[] = [];
  let hotId: string;
  let warmId: string;
  try {
    const admin = (await login(setup, data.adminEmail, data.adminPassword)).accessToken;
    pharmacistEmail = (await createStaff(setup, admin, "PHARMACY", "Bench Pharmacist")).email;
    const token = (await login(setup, pharmacistEmail)).accessToken;
    const call = async (path: string, body: unknown) => {
      const res = await setup.call("POST", `/api/v1${path}`, { token, body });
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const medication = async (name: string) =>
      (await call("/medications", {
        name,
        genericName: name.toLowerCase(),
        form: "tablet",
        unit: "tablet",
        reorderLevel: 10,
        unitPrice: 20,
        prescriptionRequired: false,
      })).id as string;
    const receive = (medicationId: string, batches: [string, number, number][]) =>
      call("/stock/receipts", {
        items: batches.map(([batchNumber, days, quantity]) => ({
          medicationId,
          batchNumber,
          expiryDate: dayAfter(days),
          quantity,
          unitCost: 8,
        })),
      });
    for (let i = 0; i < MEDICINES; i++) {
      const id = await medication(`Bench medicine ${i + 1}`);
      medicineIds.push(id);
      await receive(id, [[`M${i + 1}-A`, 200, BATCH_UNITS], [`M${i + 1}-B`, 400, BATCH_UNITS]]);
    }
    hotId = await medication("Bench hot medicine");
    const third = Math.floor(HOT_STOCK / 3);
    await receive(hotId, [
      ["HOT-1", 100, third],
      ["HOT-2", 200, third],
      ["HOT-3", 300, HOT_STOCK - 2 * third],
    ]);
    warmId = await medication("Bench warm-up medicine");
    await receive(warmId, [["WARM-1", 365, Math.max(1, WARMUP)]]);
  } finally {
    await setup.close();
  }
  log(
    `seeded ${MEDICINES} medicines (2 batches of ${BATCH_UNITS} each) and the hot one ` +
      `(${HOT_STOCK} units in 3 batches) in ${seconds(performance.now() - t0)}`,
  );

  t0 = performance.now();
  const server = await startServer({ dataDir, jwtSecret: JWT_SECRET, env: SERVER_ENV });
  servers.push(server);
  log(`server ready in ${seconds(performance.now() - t0)}`);
  const token = await loginAt({ url: server.baseUrl }, pharmacistEmail, PASSWORD);

  if (WARMUP > 0) {
    const w = await dispense(
      server,
      token,
      Array.from({ length: WARMUP }, () => ({ medicationId: warmId, quantity: 1 })),
    );
    log(`warm-up: ${WARMUP} dispensations, ${fmt(WARMUP / w.seconds, 0)}/s`);
  }

  // --- A: distinct medicines --------------------------------------------------------------
  const rand = prng(SEED);
  const distinct: Item[] = Array.from({ length: DISPENSATIONS }, () => ({
    medicationId: medicineIds[Math.floor(rand() * MEDICINES)],
    quantity: 1 + Math.floor(rand() * 3),
  }));
  const pid = server.process.pid;
  const healthCpu = startServerCpu(pid);
  const healthRun = await health(server, Math.max(DISPENSATIONS, 2_000));
  const healthUs = healthCpu(healthRun.outcomes.length);
  const dispenseCpu = startServerCpu(pid);
  const a = await dispense(server, token, distinct);
  const dispenseUs = dispenseCpu(a.outcomes.length);
  const aCounts = statusCounts(a.outcomes);
  const aOk = aCounts.get(201) ?? 0;
  const aUnits = distinct.reduce(
    (n, it, i) => n + (a.outcomes[i].status === 201 ? it.quantity : 0),
    0,
  );
  check("A every answer 201", aOk === DISPENSATIONS, answers(aCounts));
  ledgerChecks("A", await audit(dataDir, medicineIds), aUnits);

  // --- B: one hot medicine ----------------------------------------------------------------
  const b = await dispense(
    server,
    token,
    Array.from({ length: HOT_ATTEMPTS }, () => ({ medicationId: hotId, quantity: 1 })),
  );
  const bCounts = statusCounts(b.outcomes);
  const won = bCounts.get(201) ?? 0;
  const refused = bCounts.get(409) ?? 0;
  const expectedWon = Math.min(HOT_STOCK, HOT_ATTEMPTS);
  check(`B successes = ${expectedWon}`, won === expectedWon, `${won}`);
  check(
    "B every other answer 409",
    won + refused === HOT_ATTEMPTS,
    answers(bCounts),
  );
  const bAudit = await audit(dataDir, [hotId]);
  ledgerChecks("B", bAudit, won);
  check(
    "B on hand = stock - successes",
    bAudit.onHand === HOT_STOCK - won,
    `${bAudit.onHand} left of ${HOT_STOCK}`,
  );

  console.log(
    `\nDispensing benchmark: 1 server process, ${CONNECTIONS} concurrent clients (fetch), ` +
      `synchronous=${SERVER_ENV.DATABASE_SYNCHRONOUS ?? "FULL"}, over the counter\n`,
  );
  console.log(
    `A. Distinct medicines: ${MEDICINES} medicines, ${DISPENSATIONS.toLocaleString("en")} ` +
      `dispensations of 1-3 units of a random one (seed ${SEED})`,
  );
  console.log(table([
    LATENCY_HEADER,
    latencyRow("GET /health (same client, for scale)", healthRun),
    latencyRow("POST /dispensations", a),
  ]));
  console.log(
    `  server CPU per request (user + system, all threads): GET /health ` +
      `${cpuFigure(healthUs)}, POST /dispensations ${cpuFigure(dispenseUs, healthUs)}`,
  );
  console.log(
    `  dispensations/s ${fmt(aOk / a.seconds, 0)}; answers ${answers(aCounts)}; ` +
      `units ${aUnits}\n`,
  );
  console.log(
    `B. One hot medicine: ${HOT_STOCK.toLocaleString("en")} units in 3 batches, ` +
      `${HOT_ATTEMPTS.toLocaleString("en")} attempts of 1 unit`,
  );
  console.log(table([
    LATENCY_HEADER,
    latencyRow("POST /dispensations, all", b),
    latencyRow("  dispensed (201)", b, (o) => o.status === 201),
    latencyRow("  refused (409)", b, (o) => o.status === 409),
  ]));
  console.log(
    `  attempts/s ${fmt(HOT_ATTEMPTS / b.seconds, 0)}; successes ${won}, refusals ${refused}` +
      `${won + refused === HOT_ATTEMPTS ? "" : `, other ${HOT_ATTEMPTS - won - refused}`}\n`,
  );
  console.log(`Checks against the database file:\n${checks.join("\n")}`);
  console.log(problems.length ? `FAIL\n  ${problems.join("\n  ")}` : "PASS");
} catch (err) {
  problems.push(err instanceof Error ? err.stack ?? err.message : String(err));
  console.error(`[dispensing-bench] failed: ${err instanceof Error ? err.stack : err}`);
} finally {
  Deno.removeSignalListener("SIGINT", onInterrupt);
  await cleanup();
}
if (problems.length) Deno.exitCode = 1;
