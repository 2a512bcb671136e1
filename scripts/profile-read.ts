/**
 * Where the audited patient read spends its CPU: runs the real server under `deno --cpu-prof`,
 * loads `GET /api/v1/patients/{id}` (wrk when installed, else autocannon), stops the server
 * cleanly so that V8 writes its .cpuprofile, and prints the functions and packages with the most
 * self time, in µs per request.
 *
 *   deno run -A scripts/profile-read.ts
 *
 * BENCH_PATIENTS (1000), BENCH_DURATION (10 s), BENCH_CONNECTIONS (32). The profile covers the
 * main thread from start to exit (start-up included, a small share over a 10 s load); the audit
 * worker's thread is not in it. Sampling slows the server, so read shares, not throughput. The
 * .cpuprofile is kept (its path is printed) for Chrome DevTools or speedscope.
 */
import { type CpuProfile, summarizeProfile } from "../tests/bench/cpu_profile.ts";
import { chooseLoadTool, runLoad } from "../tests/bench/load.ts";
import { seedBenchData } from "../tests/bench/seed.ts";
import { loginToken, startServer } from "../tests/bench/server.ts";

const PATIENTS = Number(Deno.env.get("BENCH_PATIENTS") || 1000);
const DURATION = Number(Deno.env.get("BENCH_DURATION") || 10);
const CONNECTIONS = Number(Deno.env.get("BENCH_CONNECTIONS") || 32);
const JWT_SECRET = "bench-jwt-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

const dataDir = await Deno.makeTempDir({ prefix: "clinic-profile-" });
const profileDir = await Deno.makeTempDir({ prefix: "clinic-profile-out-" });
try {
  const tool = await chooseLoadTool();
  const data = await seedBenchData({ dataDir, jwtSecret: JWT_SECRET, count: PATIENTS });
  const server = await startServer({
    dataDir,
    jwtSecret: JWT_SECRET,
    denoFlags: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`],
  });
  let requests = 0;
  try {
    const accessToken = await loginToken(server.baseUrl, data.adminEmail, data.adminPassword);
    const r = await runLoad(tool, {
      baseUrl: server.baseUrl,
      paths: data.patientIds.slice(0, 1000).map((id) => `/api/v1/patients/${id}`),
      headers: { authorization: `Bearer ${accessToken}` },
      connections: CONNECTIONS,
      durationSeconds: DURATION,
    });
    requests = r.requests;
    console.log(
      `${tool}: ${r.requests} patient reads in ${r.durationSeconds.toFixed(1)} s ` +
        `(${Math.round(r.rps)}/s under the profiler), non-2xx ${r.non2xx}`,
    );
  } finally {
    const code = await server.stop();
    if (code !== 0) console.error(`server exit code ${code}`);
  }
  const files = [...Deno.readDirSync(profileDir)].filter((e) => e.name.endsWith(".cpuprofile"));
  if (files.length === 0) throw new Error(`no .cpuprofile written in ${profileDir}`);
  for (const f of files) {
    const path = `${profileDir}/${f.name}`;
    const profile = JSON.parse(await Deno.readTextFile(path)) as CpuProfile;
    console.log(`\n=== ${path}\n${summarizeProfile(profile, requests)}`);
  }
} finally {
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
}
