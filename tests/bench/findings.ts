/**
 * Theft-and-loss scan benchmark: BENCH_FINDINGS_MOVEMENTS (1,000,000) ledger movements of one
 * organisation over a year, then `POST /api/v1/pharmacy/findings/scan` over all of them.
 *
 *   deno task bench:findings
 *
 * The movements are written straight into the database in one transaction (the ledger's own
 * writes are measured by bench:dispensing): 8 pharmacists, 40 medicines in one store open
 * 08:00-20:00 (Nairobi), mostly dispensations (each with its dispensation and item rows, some
 * against prescriptions), then receipts, returns, small write-offs and count variances, and a
 * few anomalies the rules must find (after-hours sales, large write-offs, one heavy seller).
 * Prints the time to generate them, the scan's time and movements/s, what it matched per rule,
 * and a second scan's time (nothing new to raise).
 */
import Database from "libsql";
import { executorOf } from "../../db/client.ts";
import { createTestApp } from "../helpers/app.ts";
import { createOrg, createStaff, login } from "../helpers/factories.ts";
import { prng } from "../helpers/random.ts";
import { envInt } from "./requests.ts";

const MOVEMENTS = envInt("BENCH_FINDINGS_MOVEMENTS", 1_000_000);
const SEED = envInt("BENCH_SEED", 20261130, 0);
const MEDICINES = 40;
const PHARMACISTS = 8;
const DAY = 86_400_000;
const log = (msg: string) => console.log(`[findings-bench] ${msg}`);

const rand = prng(SEED);
const sequentialId = (i: number, kind: number) => {
  const hex = (kind * 1e12 + i).toString(16).padStart(32, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${
    hex.slice(20)
  }`;
};
const int = (a: number, b: number) => a + Math.floor(rand() * (b - a + 1));
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];

const app = await createTestApp({ ACCESS_TOKEN_TTL_SECONDS: "3600" });
try {
  const org = await createOrg(app);
  const staff: string[] = [];
  for (let i = 0; i < PHARMACISTS; i++) {
    staff.push((await createStaff(app, org.admin, "PHARMACY", `Pharmacist ${i + 1}`)).id);
  }
  const pharmacy = (await login(app, (await createStaff(app, org.admin, "PHARMACY")).email))
    .accessToken;
  const call = async (path: string, body: unknown, token = pharmacy) => {
    const res = await app.call("POST", `/api/v1${path}`, { token, body });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const store = await call("/stores", {
    name: "Dispensary",
    kind: "dispensary",
    openingHours: Object.fromEntries(
      ["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [["08:00", "20:00"]]]),
    ),
  });
  const meds: { id: string; batchId: string }[] = [];
  for (let i = 0; i < MEDICINES; i++) {
    const m = await call("/medications", {
      name: `Medicine ${i}`,
      genericName: `generic ${i}`,
      form: "tablet",
      reorderLevel: 10,
      unitPrice: 20,
      prescriptionRequired: false,
    });
    const r = await call("/stock/receipts", {
      storeId: store.id,
      items: [{
        medicationId: m.id,
        batchNumber: `B-${i}`,
        expiryDate: "2030-01-31",
        quantity: 10,
        unitCost: 8,
      }],
    });
    meds.push({ id: m.id, batchId: r.movements[0].batchId });
  }

  // One year ending now, each movement at a clinic-local time (UTC+3) in opening hours.
  const first = Math.floor(Date.now() / DAY) * DAY - 366 * DAY;
  const started = performance.now();
  const counts: Record<string, number> = {};
  await app.deps.db.transaction(async (tx) => {
    const exec = executorOf(tx);
    // Loading a year at once: a bigger page cache for this connection only.
    await exec("PRAGMA cache_size = -262144", [], "run");
    const movement = `INSERT INTO stock_movements (id, org_id, created_at, updated_at, created_by,
      updated_by, version, medication_id, batch_id, store_id, type, quantity, quantity_before,
      quantity_after, actor_id, reason, document_type, document_id, at)
      VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?)`;
    const dispensation = `INSERT INTO dispensations (id, org_id, created_at, updated_at,
      created_by, updated_by, version, store_id, total, currency, at, override_reason)
      VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, 'KES', ?, ?)`;
    const item = `INSERT INTO dispensation_items (id, org_id, created_at, updated_at, created_by,
      updated_by, version, dispensation_id, medication_id, batch_id, quantity, unit_price)
      VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, 20)`;
    for (let i = 0; i < MOVEMENTS; i++) {
      const day = first + Math.floor((i / MOVEMENTS) * 365) * DAY;
      const anomaly = rand() < 0.0005;
      // 08:00-20:00 local is 05:00-17:00 UTC; an anomaly at 22:00-23:59 local.
      const minute = anomaly ? int(19 * 60, 20 * 60 + 59) : int(5 * 60 + 5, 16 * 60 + 55);
      const at = new Date(day + minute * 60_000 + int(0, 59_000)).toISOString();
      const med = pick(meds);
      // One seller dispenses a quarter more often than the others of one medicine.
      const actor = med === meds[1] && rand() < 0.3 ? staff[0] : pick(staff);
      const r = rand();
      const type = r < 0.85
        ? "dispense"
        : r < 0.87
        ? "receive"
        : r < 0.873
        ? "return"
        : r < 0.93
        ? pick(["damage", "expire", "adjust"])
        : r < 0.94
        ? "count_variance"
        : "dispense";
      counts[type] = (counts[type] ?? 0) + 1;
      let quantity = type === "receive"
        ? int(100, 500)
        : type === "return"
        ? int(1, 3)
        : type === "count_variance"
        ? -int(1, 4)
        : -int(1, 20);
      if (anomaly && type !== "receive") quantity = type === "return" ? 1 : -int(150, 200);
      // Ids in time order, as the API's UUIDv7 are: rows append to the end of each index.
      const id = sequentialId(i, 1);
      let documentId: string | null = null;
      if (type === "dispense") {
        documentId = sequentialId(i, 2);
        await exec(dispensation, [
          documentId,
          org.id,
          at,
          at,
          actor,
          actor,
          store.id,
          -quantity * 20,
          at,
          null,
        ], "run");
        await exec(item, [
          sequentialId(i, 3),
          org.id,
          at,
          at,
          actor,
          actor,
          documentId,
          med.id,
          med.batchId,
          -quantity,
        ], "run");
      }
      await exec(movement, [
        id,
        org.id,
        at,
        at,
        actor,
        actor,
        med.id,
        med.batchId,
        store.id,
        type,
        quantity,
        actor,
        null,
        type === "dispense" ? "dispensation" : type === "count_variance" ? "stock_count" : null,
        documentId,
        at,
      ], "run");
    }
  });
  const generated = performance.now() - started;
  // As a running server's database would be: the write-ahead log folded into the file.
  const file = new Database(`${app.dir}/clinic.db`);
  file.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  file.close();
  log(
    `generated ${MOVEMENTS.toLocaleString("en")} movements in ${(generated / 1000).toFixed(1)} s ` +
      `(${Math.round(MOVEMENTS / (generated / 1000)).toLocaleString("en")}/s, with dispensations ` +
      `and their items): ${JSON.stringify(counts)}`,
  );

  const scan = async () => {
    const t0 = performance.now();
    const res = await app.call("POST", "/api/v1/pharmacy/findings/scan", {
      token: org.admin,
      body: {},
    });
    if (res.status !== 200) throw new Error(`scan: ${res.status} ${JSON.stringify(res.body)}`);
    return { ms: performance.now() - t0, body: res.body };
  };
  const one = await scan();
  log(
    `full scan: ${(one.ms / 1000).toFixed(2)} s for ${MOVEMENTS.toLocaleString("en")} movements ` +
      `(${Math.round(MOVEMENTS / (one.ms / 1000)).toLocaleString("en")} movements/s)`,
  );
  log(`matched per rule: ${JSON.stringify(one.body.matched)}`);
  log(`raised per rule:  ${JSON.stringify(one.body.raised)}`);
  log(`ms per rule:      ${JSON.stringify(one.body.tookMsByRule)}`);
  const two = await scan();
  log(
    `second scan: ${(two.ms / 1000).toFixed(2)} s, raised ` +
      `${Object.values(two.body.raised as Record<string, number>).reduce((s, n) => s + n, 0)} new`,
  );
} finally {
  await app.close();
}
