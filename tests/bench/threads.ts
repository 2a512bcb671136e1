/**
 * Where the server's CPU goes, thread by thread: the health endpoint, the audited patient read
 * and the two pages under wrk, with each thread's user + system time per request from
 * /proc/<pid>/task/<tid>/stat (main thread, audit writer worker, V8 collector threads, tokio,
 * libsql). `bench:read` gives the totals; this tells which thread to look at.
 *
 *   deno run -A tests/bench/threads.ts
 *
 * BENCH_PATIENTS (1000), BENCH_DURATION (8 s), BENCH_CONNECTIONS (32), BENCH_ROUNDS (2: the
 * endpoints alternate, each round's figures printed), BENCH_SERVER_ENV as in patients_read.ts.
 */
import { statTicks, TICKS_PER_SECOND } from "./cpu_usage.ts";
import { chooseLoadTool, runLoad } from "./load.ts";
import { envInt, serverEnvFrom } from "./requests.ts";
import { seedBenchData } from "./seed.ts";
import { loginToken, startServer } from "./server.ts";

const PATIENTS = envInt("BENCH_PATIENTS", 1000);
const DURATION = envInt("BENCH_DURATION", 8);
const CONNECTIONS = envInt("BENCH_CONNECTIONS", 32);
const ROUNDS = envInt("BENCH_ROUNDS", 2);
const SERVER_ENV = serverEnvFrom("BENCH_SERVER_ENV");
const JWT_SECRET = "bench-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

/** CPU ms of each thread of `pid`, by thread name (threads of one name summed). */
function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/stat`);
    } catch {
      continue; // the thread ended
    }
    const name = t.name === String(pid)
      ? "main"
      : stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    out.set(name, (out.get(name) ?? 0) + (statTicks(stat) * 1000) / TICKS_PER_SECOND);
  }
  return out;
}

const dataDir = await Deno.makeTempDir({ prefix: "clinic-threads-" });
const data = await seedBenchData({ dataDir, jwtSecret: JWT_SECRET, count: PATIENTS });
const server = await startServer({ dataDir, jwtSecret: JWT_SECRET, env: SERVER_ENV });
try {
  const token = await loginToken(server.baseUrl, data.adminEmail, data.adminPassword);
  const headers = { authorization: `Bearer ${token}` };
  const ids = data.patientIds.slice(0, 1000);
  const endpoints: [string, string[]][] = [
    ["health", ["/api/v1/health"]],
    ["read", ids.map((id) => `/api/v1/patients/${id}`)],
    ["list", ["/api/v1/patients?limit=25"]],
    // Common names, as in patients_read.ts, so that every page is full.
    [
      "search",
      ["Kamau", "Otieno", "Mwangi", "Mary", "John", "Grace"].map((q) =>
        `/api/v1/patients?q=${q}&limit=25`
      ),
    ],
  ];
  const tool = await chooseLoadTool();
  const pid = server.process.pid;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [label, paths] of endpoints) {
      await runLoad(tool, {
        baseUrl: server.baseUrl,
        paths,
        headers,
        connections: CONNECTIONS,
        durationSeconds: 2,
      });
      const before = threadCpu(pid);
      const r = await runLoad(tool, {
        baseUrl: server.baseUrl,
        paths,
        headers,
        connections: CONNECTIONS,
        durationSeconds: DURATION,
      });
      await new Promise((res) => setTimeout(res, 1200)); // the audit writer's last flush
      const after = threadCpu(pid);
      const per = [...after].map(([t, ms]) =>
        [t, ((ms - (before.get(t) ?? 0)) * 1000) / r.requests] as const
      )
        .filter(([, us]) => us >= 0.5).sort((a, b) => b[1] - a[1]);
      const total = per.reduce((s, [, us]) => s + us, 0);
      console.log(
        `round ${round} ${label.padEnd(7)} ${String(Math.round(r.rps)).padStart(6)} req/s  p99 ` +
          `${r.p99Ms.toFixed(1).padStart(5)} ms  total ${total.toFixed(0).padStart(5)} µs/req  ` +
          per.map(([t, us]) => `${t} ${us.toFixed(1)}`).join(", "),
      );
    }
  }
} finally {
  await server.stop(10_000);
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
}
