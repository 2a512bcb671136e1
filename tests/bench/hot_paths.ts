/**
 * Hot paths of the newer modules that have no bench of their own: a payment, a prescription,
 * calling the next patient in the queue and a replica's pull of a page of 100 changes, each against `GET /health` on the same real server
 * (`src/main.ts`, production settings, synchronous=FULL), with the server's CPU per request (user
 * + system over all its threads, from /proc/<pid>/stat) and its ratio to the health endpoint's.
 *
 *   deno task bench:hot
 *
 * The data is made through the API of the app in-process on the same database file (an
 * organisation, a receptionist, a doctor, BENCH_HOT_N patients each with an issued invoice and an
 * open visit), then the server opens the file and each path gets BENCH_HOT_N requests from
 * BENCH_CONNECTIONS (default 32) concurrent clients. Every request writes (and audits) once, so
 * each path needs fresh rows: raise BENCH_HOT_N for steadier figures (ticks are 10 ms).
 */
import { schemaVersion } from "../../db/migrate.ts";
import { createTestApp, PASSWORD } from "../helpers/app.ts";
import { issuedInvoice } from "../helpers/billing-cash.ts";
import { loginAt } from "../helpers/cluster.ts";
import { createOrg, createPatient } from "../helpers/factories.ts";
import { cpuFigure, serverMemory, startServerCpu } from "./cpu.ts";
import { type CpuProfile, summarizeProfile } from "./cpu_profile.ts";
import { loadAverage } from "./cpu_usage.ts";
import { table } from "./load.ts";
import {
  envInt,
  LATENCY_HEADER,
  latencyRow,
  postJson,
  prescriptionOf,
  type Run,
  runClients,
  serverEnvFrom,
  statusCounts,
} from "./requests.ts";
import { type RunningServer, startServer } from "./server.ts";

const N = envInt("BENCH_HOT_N", 300);
const CONNECTIONS = envInt("BENCH_CONNECTIONS", 32);
const SERVER_ENV = serverEnvFrom("BENCH_SERVER_ENV");
/** Only the paths whose names contain one of these (comma-separated), e.g. "payments,queue". */
const ONLY = (Deno.env.get("BENCH_HOT_ONLY") ?? "").split(",").filter(Boolean);
/** A folder: the server runs under `--cpu-prof` and its top costs per request are printed. */
const PROFILE_DIR = Deno.env.get("BENCH_HOT_PROFILE");
const JWT_SECRET = "bench-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const log = (msg: string) => console.log(`[hot-bench] ${msg}`);

const dataDir = await Deno.makeTempDir({ prefix: "clinic-bench-hot-" });
let server: RunningServer | undefined;
const cleanup = async () => {
  await server?.stop(5_000);
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
};
Deno.addSignalListener("SIGINT", async () => {
  await cleanup();
  Deno.exit(130);
});

const problems: string[] = [];
try {
  log(`deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} CPUs (load ${loadAverage()})`);
  let t0 = performance.now();
  const setup = await createTestApp({ DATA_DIR: dataDir, JWT_SECRET });
  const invoices: { id: string; total: number }[] = [];
  const visits: string[] = [];
  let org: Awaited<ReturnType<typeof createOrg>>;
  let emails: { reception: string; doctor: string };
  let nodeToken: string;
  try {
    org = await createOrg(setup);
    const reception = await org.tokenFor("RECEPTION");
    await org.tokenFor("DOCTOR");
    const users = await setup.call("GET", "/api/v1/users?limit=100", { token: org.admin });
    const emailOf = (id: string) =>
      (users.body.data as { id: string; email: string }[]).find((u) => u.id === id)!.email;
    emails = {
      reception: emailOf(await org.userIdFor("RECEPTION")),
      doctor: emailOf(await org.userIdFor("DOCTOR")),
    };
    for (let i = 0; i < N; i++) {
      const patient = await createPatient(setup, org.admin);
      const inv = await issuedInvoice(setup, org, {
        patientId: patient.id,
        lines: [{ description: "Consultation", unitAmount: 50000 }],
      });
      invoices.push({ id: inv.id, total: inv.total });
      const visit = await setup.call("POST", "/api/v1/encounters", {
        token: reception,
        body: { patientId: patient.id, facilityId: org.facilityId },
      });
      if (visit.status !== 201) throw new Error(`visit: ${JSON.stringify(visit.body)}`);
      visits.push(visit.body.id);
    }
    const node = await setup.call("POST", "/api/v1/sync/nodes", {
      token: org.admin,
      body: { name: "Bench clinic", siteCode: "BE" },
    });
    if (node.status !== 201) throw new Error(`sync node: ${JSON.stringify(node.body)}`);
    nodeToken = node.body.token;
  } finally {
    await setup.close();
  }
  log(
    `seeded ${N} patients, invoices and visits in ${
      ((performance.now() - t0) / 1000).toFixed(1)
    } s`,
  );

  t0 = performance.now();
  server = await startServer({
    dataDir,
    jwtSecret: JWT_SECRET,
    env: SERVER_ENV,
    denoFlags: PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`] : [],
  });
  const url = server.baseUrl;
  const pid = server.process.pid;
  log(`server ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const reception = await loginAt({ url }, emails.reception, PASSWORD);
  const doctor = await loginAt({ url }, emails.doctor, PASSWORD);

  const paths: { name: string; expect: number; run: () => Promise<Run> }[] = [
    {
      name: "GET /health",
      expect: 200,
      run: () =>
        runClients(CONNECTIONS, Math.max(N, 5_000), async () => {
          const res = await fetch(`${url}/api/v1/health`);
          await res.body?.cancel();
          return res.status;
        }),
    },
    {
      name: "POST /payments",
      expect: 201,
      run: () =>
        runClients(CONNECTIONS, N, (i) =>
          postJson(`${url}/api/v1/payments`, reception, {
            invoiceId: invoices[i].id,
            method: "cash",
            amount: invoices[i].total,
          })),
    },
    {
      name: "POST /prescriptions",
      expect: 201,
      run: () =>
        runClients(
          CONNECTIONS,
          N,
          (i) => postJson(`${url}/api/v1/prescriptions`, doctor, prescriptionOf(visits[i])),
        ),
    },
    {
      name: "POST /queue/next",
      expect: 200,
      run: () =>
        runClients(
          CONNECTIONS,
          N,
          () => postJson(`${url}/api/v1/queue/next`, doctor, { facilityId: org.facilityId }),
        ),
    },
    {
      name: "GET /sync/pull (100)",
      expect: 200,
      run: () =>
        runClients(CONNECTIONS, N, async () => {
          const res = await fetch(
            `${url}/api/v1/sync/pull?after=0&limit=100&schemaVersion=${schemaVersion()}`,
            { headers: { authorization: `Bearer ${nodeToken}` } },
          );
          await res.body?.cancel();
          return res.status;
        }),
    },
  ];

  // The first requests of a fresh process pay for JIT compilation; the yardstick should not.
  await paths[0].run();
  const rows: string[][] = [];
  let healthUs: number | null = null;
  let measured = 0;
  for (const p of paths) {
    if (ONLY.length && p !== paths[0] && !ONLY.some((o) => p.name.includes(o))) continue;
    const cpu = startServerCpu(pid);
    const run = await p.run();
    const us = cpu(run.outcomes.length);
    if (p !== paths[0]) measured += run.outcomes.length;
    healthUs ??= us;
    const counts = statusCounts(run.outcomes);
    const answers = [...counts].map(([s, n]) => `${s}×${n}`).join(", ");
    if ((counts.get(p.expect) ?? 0) !== run.outcomes.length) {
      problems.push(`${p.name}: answers ${answers}`);
    }
    rows.push([...latencyRow(p.name, run), cpuFigure(us, healthUs), answers]);
  }
  const memory = serverMemory(pid);
  console.log(
    `\nHot paths: 1 server process, ${CONNECTIONS} concurrent clients (fetch), ${N} requests ` +
      `per path, synchronous=${SERVER_ENV.DATABASE_SYNCHRONOUS ?? "FULL"}\n`,
  );
  console.log(table([[...LATENCY_HEADER, "server CPU/request", "answers"], ...rows]));
  console.log(
    "(server CPU/request: user + system of the server process over all its threads, from " +
      "/proc/<pid>/stat, per response; ×health against GET /health's)" +
      (memory ? `\nServer memory: RSS ${memory.rssMiB} MiB, peak ${memory.peakMiB} MiB` : ""),
  );
  if (PROFILE_DIR) {
    await server.stop(10_000);
    server = undefined;
    for (const f of Deno.readDirSync(PROFILE_DIR)) {
      if (!f.name.endsWith(".cpuprofile")) continue;
      const path = `${PROFILE_DIR}/${f.name}`;
      const profile = JSON.parse(await Deno.readTextFile(path)) as CpuProfile;
      console.log(`\n=== ${path} (per request of the measured paths)`);
      console.log(summarizeProfile(profile, measured));
    }
  }
  console.log(problems.length ? `FAIL\n  ${problems.join("\n  ")}` : "PASS");
} catch (err) {
  problems.push(String(err));
  console.error(`[hot-bench] failed: ${err instanceof Error ? err.stack : err}`);
} finally {
  await cleanup();
}
if (problems.length) Deno.exitCode = 1;
