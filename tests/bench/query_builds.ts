/**
 * How many statements drizzle's query builder makes per request on each hot write path (and a
 * sync pull), and where: a guard for the cost-of-a-request work, where each build cost ~50-100 µs
 * (several times SQLite's own work). Statements built once with placeholders (`prepared`,
 * `preparedByShape`, db/rows.ts) do not count; anything listed here is built on every request.
 *
 *   deno task bench:builds
 *
 * The target is none on these paths: it fails (exit 1) when one builds a statement, or answers
 * other than it should.
 * The app runs in-process on a temporary database; each path is warmed up once, then
 * BENCH_BUILDS_N (10) requests are counted.
 */
import { SQLiteDialect } from "drizzle-orm/sqlite-core";
import { schemaVersion } from "../../db/migrate.ts";
import { createTestApp } from "../helpers/app.ts";
import { issuedInvoice } from "../helpers/billing-cash.ts";
import { createOrg, createPatient, createStaff, login } from "../helpers/factories.ts";
import { envInt, prescriptionOf } from "./requests.ts";

const N = envInt("BENCH_BUILDS_N", 10);
const ROOT = new URL("../..", import.meta.url).href;

// Every builder (select, insert, update, delete, raw sql) turns into SQL text here.
let counts: Map<string, number> | null = null;
const original = SQLiteDialect.prototype.sqlToQuery;
SQLiteDialect.prototype.sqlToQuery = function (...args: Parameters<typeof original>) {
  if (counts) {
    Error.stackTraceLimit = 60;
    const frames = new Error().stack!.split("\n").slice(2)
      .filter((l) =>
        l.includes(ROOT) && !l.includes("node_modules") && !l.includes("db/client.ts") &&
        !l.includes("tests/bench/")
      )
      .slice(0, 2).map((l) => l.trim().replace(/^at (async )?/, "").replace(ROOT, ""));
    const where = frames.join(" <- ") || "(outside the project)";
    counts.set(where, (counts.get(where) ?? 0) + 1);
  }
  return original.apply(this, args);
};

const t = await createTestApp();
const problems: string[] = [];
try {
  const org = await createOrg(t);
  const reception = await org.tokenFor("RECEPTION");
  const doctor = await org.tokenFor("DOCTOR");
  const doctorId = await org.userIdFor("DOCTOR");
  const pharmacist =
    (await login(t, (await createStaff(t, org.admin, "PHARMACY", "Bench Pharmacist")).email))
      .accessToken;
  const expect = async (
    what: string,
    res: Promise<{ status: number; body: any }>,
    status = 201,
  ) => {
    const r = await res;
    if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const n = N + 1;
  const invoices: { id: string; total: number }[] = [];
  const visits: string[] = [];
  const arrivals: string[] = [];
  for (let i = 0; i < n; i++) {
    const p = await createPatient(t, org.admin);
    invoices.push(
      await issuedInvoice(t, org, {
        patientId: p.id,
        lines: [{ description: "Consultation", unitAmount: 500 }],
      }),
    );
    visits.push(
      (await expect(
        "visit",
        t.call("POST", "/api/v1/encounters", {
          token: reception,
          body: { patientId: p.id, facilityId: org.facilityId },
        }),
      )).id,
    );
    arrivals.push((await createPatient(t, org.admin)).id);
  }
  const medicationId = (await expect(
    "medication",
    t.call("POST", "/api/v1/medications", {
      token: pharmacist,
      body: {
        name: "Bench tablets",
        genericName: "bench",
        form: "tablet",
        unit: "tablet",
        reorderLevel: 1,
        unitPrice: 2,
        prescriptionRequired: false,
      },
    }),
  )).id;
  await expect(
    "receipt",
    t.call("POST", "/api/v1/stock/receipts", {
      token: pharmacist,
      body: {
        items: [{
          medicationId,
          batchNumber: "B1",
          expiryDate: "2099-01-01",
          quantity: 1000,
          unitCost: 1,
        }],
      },
    }),
  );
  const node = await expect(
    "sync node",
    t.call("POST", "/api/v1/sync/nodes", {
      token: org.admin,
      body: { name: "Bench clinic", siteCode: "BE" },
    }),
  );
  const hour = 3_600_000;
  const base = Math.ceil((Date.now() + 7 * 24 * hour) / hour) * hour;

  const paths: [string, number, (i: number) => Promise<{ status: number; body: any }>][] = [
    ["POST /patients", 201, (i) =>
      t.call("POST", "/api/v1/patients", {
        token: reception,
        body: {
          givenName: `Zawadi${"abcdefghijklmnop"[i]}`,
          familyName: `Builds${"qrstuvwxyzabcdef"[i]}`,
          birthDate: `19${50 + i}-03-0${1 + (i % 9)}`,
          sex: "female",
          phone: `+2547${String(10_000_000 + i * 7_919_113).slice(0, 8)}`,
        },
      })],
    ["POST /encounters (arrival)", 201, (i) =>
      t.call("POST", "/api/v1/encounters", {
        token: reception,
        body: { patientId: arrivals[i], facilityId: org.facilityId },
      })],
    ["POST /appointments", 201, (i) =>
      t.call("POST", "/api/v1/appointments", {
        token: org.admin,
        body: {
          patientId: arrivals[i],
          practitionerId: doctorId,
          start: new Date(base + i * hour).toISOString(),
          durationMinutes: 30,
          type: "consultation",
          override: true,
        },
      })],
    ["POST /payments", 201, (i) =>
      t.call("POST", "/api/v1/payments", {
        token: reception,
        body: { invoiceId: invoices[i].id, method: "cash", amount: invoices[i].total },
      })],
    ["POST /prescriptions", 201, (i) =>
      t.call("POST", "/api/v1/prescriptions", {
        token: doctor,
        body: prescriptionOf(visits[i]),
      })],
    [
      "POST /queue/next",
      200,
      () =>
        t.call("POST", "/api/v1/queue/next", {
          token: doctor,
          body: { facilityId: org.facilityId },
        }),
    ],
    ["POST /dispensations", 201, () =>
      t.call("POST", "/api/v1/dispensations", {
        token: pharmacist,
        body: { items: [{ medicationId, quantity: 1 }] },
      })],
    [
      "GET /sync/pull (100)",
      200,
      () =>
        t.call("GET", `/api/v1/sync/pull?after=0&limit=100&schemaVersion=${schemaVersion()}`, {
          token: node.token,
        }),
    ],
  ];

  console.log(`drizzle query builds per request (${N} requests per path, after one warm-up)\n`);
  for (const [name, status, call] of paths) {
    const warm = await call(N);
    if (warm.status !== status) {
      problems.push(`${name}: ${warm.status} ${JSON.stringify(warm.body)}`);
    }
    counts = new Map();
    for (let i = 0; i < N; i++) {
      const r = await call(i);
      if (r.status !== status) problems.push(`${name}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    const seen = counts;
    counts = null;
    const total = [...seen.values()].reduce((a, b) => a + b, 0);
    console.log(`${name.padEnd(28)} ${(total / N).toFixed(1)} builds/request`);
    if (total > 0) {
      problems.push(`${name}: ${(total / N).toFixed(1)} builds per request (target 0)`);
    }
    for (const [where, k] of [...seen].sort((a, b) => b[1] - a[1])) {
      console.log(`  ${(k / N).toFixed(1)}  ${where}`);
    }
  }
} finally {
  await t.close();
}
if (problems.length) {
  console.log(`\nFAIL\n${[...new Set(problems)].slice(0, 10).join("\n")}`);
  Deno.exit(1);
}
console.log("\nPASS");
