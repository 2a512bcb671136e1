/**
 * In-process cost breakdown of `GET /api/v1/patients/{id}` against `GET /api/v1/health`: the
 * whole request through `app.request` (no sockets, no HTTP parsing), then each step of the read
 * path on its own, then the middleware every request pays, added one at a time.
 *
 *   deno run -A tests/bench/profile_read.ts
 *
 * BENCH_PATIENTS (default 100000) patients are seeded as in patients_read.ts; BENCH_ITERATIONS
 * (default 20000) sets the loop length of each measurement. Figures are µs per operation on one
 * thread, so they add up to what the server's main thread spends per request (minus HTTP I/O).
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import Database from "libsql";
import { openDatabase } from "../../db/client.ts";
import { auditEvents } from "../../db/schema/mod.ts";
import { closeDeps, createApp, createDeps } from "../../src/app.ts";
import { parseConfig } from "../../src/lib/config.ts";
import type { AppEnv } from "../../src/lib/context.ts";
import { newId } from "../../db/ids.ts";
import { IdParam } from "../../src/lib/openapi.ts";
import { requestContext } from "../../src/middleware/request-context.ts";
import { loadPrincipal } from "../../src/modules/auth/principal.ts";
import { findPatient } from "../../src/modules/patients/repository.ts";
import { viewPatient } from "../../src/modules/patients/visibility.ts";
import { seedBenchData } from "./seed.ts";

const PATIENTS = Number(Deno.env.get("BENCH_PATIENTS") || 100_000);
const N = Number(Deno.env.get("BENCH_ITERATIONS") || 20_000);
const JWT_SECRET = "bench-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const ENV = { remoteAddr: { hostname: "127.0.0.1" } };

/**
 * µs per call of `fn`: ROUNDS rounds of n/ROUNDS calls after a warm-up, reporting the fastest
 * round (the one least disturbed by other processes on a shared machine) and the median.
 */
const ROUNDS = 5;
async function measure(name: string, fn: () => unknown, n = N): Promise<number> {
  for (let i = 0; i < Math.min(n, 3000); i++) await fn();
  const per = Math.max(1, Math.floor(n / ROUNDS));
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    for (let i = 0; i < per; i++) await fn();
    times.push(((performance.now() - t) * 1000) / per);
  }
  times.sort((a, b) => a - b);
  const [best, median] = [times[0], times[Math.floor(ROUNDS / 2)]];
  console.log(
    `${name.padEnd(72)} ${best.toFixed(2).padStart(8)} µs  (median ${median.toFixed(2)})`,
  );
  return best;
}
const section = (title: string) => console.log(`\n${title}`);

const dataDir = await Deno.makeTempDir({ prefix: "clinic-profile-" });
try {
  const data = await seedBenchData({ dataDir, jwtSecret: JWT_SECRET, count: PATIENTS });
  const config = parseConfig({
    APP_ENV: "production",
    JWT_SECRET,
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
  });
  const deps = await createDeps(config);
  const app = createApp(deps);

  const login = await app.request("/api/v1/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: data.adminEmail, password: data.adminPassword }),
  }, ENV);
  const { accessToken } = await login.json();
  const auth = { authorization: `Bearer ${accessToken}` };
  const ids = data.patientIds.filter((_, i) => i % Math.max(1, Math.floor(PATIENTS / 1000)) === 0);
  let k = 0;
  const nextId = () => ids[k++ % ids.length];

  const check = await app.request(`/api/v1/patients/${ids[0]}`, { headers: auth }, ENV);
  if (check.status !== 200) throw new Error(`read failed: ${check.status} ${await check.text()}`);
  await check.body?.cancel();

  section(`Whole requests through app.request (${N} iterations each)`);
  const health = await measure("GET /api/v1/health", async () => {
    const r = await app.request("/api/v1/health", {}, ENV);
    await r.arrayBuffer();
  });
  const read = await measure("GET /api/v1/patients/{id} (audited, flush every 2000)", async () => {
    const r = await app.request(`/api/v1/patients/${nextId()}`, { headers: auth }, ENV);
    await r.arrayBuffer();
  });
  const realAudit = deps.audit;
  deps.audit = { ...realAudit, recordRead: () => {} };
  const readNoAudit = await measure(
    "GET /api/v1/patients/{id} with recordRead a no-op",
    async () => {
      const r = await app.request(`/api/v1/patients/${nextId()}`, { headers: auth }, ENV);
      await r.arrayBuffer();
    },
  );
  deps.audit = realAudit;
  await measure("GET /api/v1/patients/{uuid-not-found} (404 problem, no audit)", async () => {
    const r = await app.request(`/api/v1/patients/${newId()}`, { headers: auth }, ENV);
    await r.arrayBuffer();
  });

  section("Steps of the patient read, one at a time");
  const claims = await deps.tokens.verifyAccess(accessToken);
  const orgId = data.orgId;
  const now = new Date();
  await measure("tokens.verifyAccess (cache hit)", () => deps.tokens.verifyAccess(accessToken));
  await measure(
    "resolvePrincipal (sessions ⋈ users ⟕ memberships, drizzle prepared)",
    () => loadPrincipal(deps.db.db, claims, now),
  );
  await measure(
    "findPatient (hotRead: drizzle-built SQL, raw prepared statement)",
    () => findPatient(deps.db, orgId, nextId()),
  );
  const native = new Database(`${dataDir}/clinic.db`);
  const stmt = native.prepare(
    "SELECT * FROM patients WHERE id = ? AND org_id = ? AND deleted_at IS NULL",
  );
  stmt.raw(true);
  await measure(
    "  baseline: raw libsql prepared get of the same row",
    () => stmt.get(nextId(), orgId),
  );
  const principalStmt = native.prepare(
    `SELECT s.revoked_at, s.expires_at, s.org_id, u.active, u.is_super_admin, m.role,
       m.facility_id, m.active FROM sessions s JOIN users u ON u.id = s.user_id
     LEFT JOIN memberships m ON m.user_id = s.user_id AND m.org_id = s.org_id
     WHERE s.id = ? AND s.user_id = ?`,
  );
  principalStmt.raw(true);
  await measure(
    "  baseline: raw libsql prepared principal join",
    () => principalStmt.get(claims.sid, claims.sub),
  );
  for (
    const [label, pragma] of [
      ["cache_size = -65536 (64 MiB)", "PRAGMA cache_size = -65536"],
      ["mmap_size = 1 GiB", "PRAGMA mmap_size = 1073741824"],
    ]
  ) {
    const conn = new Database(`${dataDir}/clinic.db`);
    conn.exec(pragma);
    const q = conn.prepare(
      "SELECT * FROM patients WHERE id = ? AND org_id = ? AND deleted_at IS NULL",
    );
    q.raw(true);
    await measure(`  raw libsql get of the same row, ${label}`, () => q.get(nextId(), orgId));
    conn.close();
  }
  await measure("IdParam.safeParse (zod uuid)", () => IdParam.safeParse({ id: nextId() }));
  const row = (await findPatient(deps.db, orgId, ids[0]))!;
  await measure("viewPatient + JSON.stringify", () => JSON.stringify(viewPatient(row, "DOCTOR")));
  await measure("crypto.randomUUID (request id)", () => crypto.randomUUID());
  await measure("newId (uuidv7, audit row id)", () => newId());
  await measure("new Date().toISOString() (audit row time)", () => new Date().toISOString());

  section("Audit batches: appendRows of patient.read rows (each batch blocks the event loop)");
  const auditRow = () => ({
    id: newId(),
    orgId,
    actorId: claims.sub,
    actorRole: "ADMIN",
    facilityId: null,
    action: "patient.read",
    entityType: "patient",
    entityId: ids[0],
    patientId: ids[0],
    outcome: "success",
    ip: "127.0.0.1",
    userAgent: null,
    requestId: crypto.randomUUID(),
    at: new Date().toISOString(),
    changedFields: null,
  });
  for (
    const [synchronous, size] of [["FULL", 2000], ["NORMAL", 2000], ["FULL", 250], [
      "FULL",
      50,
    ]] as const
  ) {
    const handle = openDatabase({ url: `file:${dataDir}/clinic.db`, synchronous });
    const batches = Math.max(10, Math.floor(20_000 / size));
    const times: number[] = [];
    for (let b = 0; b < batches; b++) {
      const batch = Array.from({ length: size }, auditRow);
      const t = performance.now();
      await handle.appendRows(auditEvents, batch);
      times.push(performance.now() - t);
    }
    handle.close();
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(
      `  ${String(size).padStart(4)} rows, synchronous=${synchronous.padEnd(6)}: median ${
        median.toFixed(1)
      } ms per batch (worst ${times[times.length - 1].toFixed(1)} ms) = ${
        ((median * 1000) / size).toFixed(2)
      } µs per audited read`,
    );
  }

  section("Middleware every request pays (a health route, adding one middleware at a time)");
  const healthApp = (layers: number) => {
    const a = new OpenAPIHono<AppEnv>();
    if (layers >= 1) a.use("*", requestContext(deps));
    if (layers >= 2) {
      a.use(
        "*",
        secureHeaders({ crossOriginResourcePolicy: "same-origin", strictTransportSecurity: false }),
      );
    }
    if (layers >= 3) {
      a.use(
        "/api/v1/*",
        cors({
          origin: (o) => (deps.config.corsOrigins.includes(o) ? o : null),
          allowHeaders: ["Authorization", "Content-Type"],
          exposeHeaders: ["ETag", "Location", "X-Request-Id"],
          maxAge: 600,
        }),
      );
    }
    if (layers >= 4) a.use("/api/v1/*", bodyLimit({ maxSize: deps.config.bodyLimitBytes }));
    a.get("/api/v1/health", (c) => c.json({ status: "ok" }));
    return a;
  };
  const names = ["bare Hono route", "+ requestContext", "+ secureHeaders", "+ cors", "+ bodyLimit"];
  for (let layers = 0; layers < names.length; layers++) {
    const a = healthApp(layers);
    await measure(`  ${names[layers]}`, async () => {
      const r = await a.request("/api/v1/health", {}, ENV);
      await r.arrayBuffer();
    });
  }

  console.log(`
Summary (in-process, no HTTP I/O)
  health ${health.toFixed(1)} µs, patient read ${read.toFixed(1)} µs (${
    (read / health).toFixed(2)
  }x), of which batched audit ≈ ${(read - readNoAudit).toFixed(1)} µs per read`);

  native.close();
  await closeDeps(deps);
} finally {
  await Deno.remove(dataDir, { recursive: true });
}
