/**
 * Dashboard benchmark: BENCH_DASHBOARD_INVOICES (1,000,000) invoices of one organisation over a
 * year with their payments, then `GET /dashboard/stats` and `GET /dashboard/revenue?days=30`
 * BENCH_DASHBOARD_REQUESTS times each through the app, printing p50/p99/max.
 *
 *   deno task bench:dashboard
 *
 * Rows go straight into the database in one transaction (payments' own writes are measured by
 * the billing tests): most invoices paid in one or two payments (cash, mobile money, card,
 * insurance), ~5% partially paid and ~3% still issued, so "outstanding" reads only the unpaid
 * part of invoices_org_status_idx and revenue reads payments_org_day_idx.
 */
import Database from "libsql";
import { executorOf } from "../../db/client.ts";
import { createTestApp } from "../helpers/app.ts";
import { createOrg } from "../helpers/factories.ts";
import { prng } from "../helpers/random.ts";
import { cpuFigure, startServerCpu } from "./cpu.ts";
import { envInt, percentile } from "./requests.ts";

const INVOICES = envInt("BENCH_DASHBOARD_INVOICES", 1_000_000);
const REQUESTS = envInt("BENCH_DASHBOARD_REQUESTS", 200);
const SEED = envInt("BENCH_SEED", 20261130, 0);
const DAY = 86_400_000;
const METHODS = ["cash", "mobile_money", "card", "insurance"];
const log = (msg: string) => console.log(`[dashboard-bench] ${msg}`);
const rand = prng(SEED);
const id = (i: number, kind: number) => {
  const hex = (kind * 1e12 + i).toString(16).padStart(32, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${
    hex.slice(20)
  }`;
};

const app = await createTestApp({ ACCESS_TOKEN_TTL_SECONDS: "3600" });
try {
  const org = await createOrg(app);
  const cashier = await org.userIdFor("RECEPTION");
  const first = Math.floor(Date.now() / DAY) * DAY - 365 * DAY;
  const started = performance.now();
  let paymentsWritten = 0;
  await app.deps.db.transaction(async (tx) => {
    const exec = executorOf(tx);
    await exec("PRAGMA cache_size = -262144", [], "run");
    const invoice = `INSERT INTO invoices (id, org_id, created_at, updated_at, created_by,
      updated_by, version, number, kind, status, currency, subtotal, discount, total, covered,
      paid, issued_at, issued_on) VALUES (?, ?, ?, ?, ?, ?, 1, ?, 'manual', ?, 'KES', ?, 0, ?, 0,
      ?, ?, ?)`;
    const payment = `INSERT INTO payments (id, org_id, created_at, updated_at, created_by,
      updated_by, version, receipt_number, invoice_id, method, amount, currency, cashier_id, at,
      local_date) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, 'KES', ?, ?, ?)`;
    for (let i = 0; i < INVOICES; i++) {
      const at = new Date(first + Math.floor((i / INVOICES) * 365 * DAY) + 6 * 3600_000);
      const iso = at.toISOString();
      const day = new Date(at.getTime() + 3 * 3600_000).toISOString().slice(0, 10);
      const total = 500 * (2 + Math.floor(rand() * 200));
      const r = rand();
      const paid = r < 0.92 ? total : r < 0.97 ? Math.floor(total / 2) : 0;
      const status = paid === total ? "paid" : paid ? "partially_paid" : "issued";
      await exec(invoice, [
        id(i, 1),
        org.id,
        iso,
        iso,
        cashier,
        cashier,
        `INV-B-${i}`,
        status,
        total,
        total,
        paid,
        iso,
        day,
      ], "run");
      const parts = paid === 0 ? [] : rand() < 0.3 && paid > 1 ? [paid - 500, 500] : [paid];
      for (const amount of parts) {
        const n = paymentsWritten++;
        await exec(payment, [
          id(n, 2),
          org.id,
          iso,
          iso,
          cashier,
          cashier,
          `RCT-B-${n}`,
          id(i, 1),
          METHODS[Math.floor(rand() * METHODS.length)],
          amount,
          cashier,
          iso,
          day,
        ], "run");
      }
    }
  });
  const file = new Database(`${app.dir}/clinic.db`);
  file.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  file.exec("ANALYZE");
  file.close();
  const seconds = (performance.now() - started) / 1000;
  log(
    `seeded ${INVOICES.toLocaleString("en")} invoices and ${
      paymentsWritten.toLocaleString("en")
    } payments in ${seconds.toFixed(1)} s`,
  );

  // The app runs in this process (app.request, one request at a time), so its CPU is ours.
  let healthUs: number | null = null;
  const time = async (path: string) => {
    const ms: number[] = [];
    const cpu = startServerCpu(Deno.pid);
    let body: unknown;
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      const res = await app.call("GET", path, { token: org.admin });
      ms.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      body = res.body;
    }
    const us = cpu(REQUESTS);
    healthUs ??= us;
    ms.sort((a, b) => a - b);
    log(
      `${path.padEnd(30)} n=${REQUESTS} p50 ${percentile(ms, 50).toFixed(2)} ms  p99 ${
        percentile(ms, 99).toFixed(2)
      } ms  max ${ms[ms.length - 1].toFixed(2)} ms  CPU ${cpuFigure(us, healthUs)}/request`,
    );
    return body;
  };
  await time("/api/v1/health");
  const stats = await time("/api/v1/dashboard/stats") as Record<string, unknown>;
  log(`stats: outstanding ${stats.outstanding}, revenue this month ${stats.revenueMonth}`);
  await time("/api/v1/dashboard/revenue?days=30");
} finally {
  await app.close();
}
