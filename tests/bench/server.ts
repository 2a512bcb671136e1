/** Runs the real server (the bundle `deno task start` runs) as a child process on a loopback port. */

/** Project root: the folder holding deno.json, two levels above this file. */
export const PROJECT_ROOT = new URL("../..", import.meta.url).pathname;

/** Variables the app's config reads; never inherited, so the bench runs on known settings. */
const CONFIG_VARS = new Set([
  "PORT",
  "HOST",
  "APP_ENV",
  "DATA_DIR",
  "DATABASE_URL",
  "DATABASE_AUTH_TOKEN",
  "DATABASE_SYNC_URL",
  "DATABASE_SYNCHRONOUS",
  "DATABASE_CACHE_SIZE_KIB",
  "DATABASE_MMAP_SIZE_MIB",
  "JWT_SECRET",
  "JWT_ISSUER",
  "JWT_AUDIENCE",
  "ACCESS_TOKEN_TTL_SECONDS",
  "REFRESH_TOKEN_TTL_DAYS",
  "CORS_ORIGINS",
  "LOG_LEVEL",
  "BODY_LIMIT_BYTES",
  "LOGIN_RATE_LIMIT",
  "LOGIN_RATE_WINDOW_SECONDS",
  "AUDIT_FLUSH_MS",
]);

/**
 * How deno.json's `serve` task runs the server (`deno task start` builds the bundle, then runs
 * `serve`): its environment assignments (`KEY=value` before `deno`), its deno flags (permissions,
 * V8 heap sizes) and its script, so that a benchmark measures the server as it ships.
 */
export function serveTask(): { env: Record<string, string>; flags: string[]; script: string } {
  const config = JSON.parse(Deno.readTextFileSync(`${PROJECT_ROOT}deno.json`));
  const words = String(config.tasks?.serve ?? "").trim().split(/\s+/);
  const deno = words.indexOf("deno");
  const env = words.slice(0, Math.max(deno, 0)).map((w) => w.match(/^([A-Z_][A-Z0-9_]*)=(.*)$/));
  const script = words.at(-1) ?? "";
  if (deno < 0 || words[deno + 1] !== "run" || !script.endsWith(".js") || env.some((m) => !m)) {
    throw new Error(`deno.json's serve task is not "[KEY=value ...] deno run <flags> <bundle>"`);
  }
  return {
    env: Object.fromEntries(env.map((m) => [m![1], m![2]])),
    flags: words.slice(deno + 2, -1),
    script,
  };
}

let built: Promise<void> | undefined;

/**
 * The script a benchmark runs: BENCH_SERVER_SCRIPT when set (`src/main.ts` runs the sources),
 * else the bundle `deno task start` runs, built once per benchmark process.
 */
export async function serverScript(override?: string): Promise<string> {
  const chosen = override || Deno.env.get("BENCH_SERVER_SCRIPT");
  if (chosen) return chosen;
  built ??= new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "build"],
    cwd: PROJECT_ROOT,
    stdout: "inherit",
    stderr: "inherit",
  }).output().then((o) => {
    if (!o.success) throw new Error("deno task build failed");
  });
  await built;
  return serveTask().script;
}

/** A free loopback TCP port (asked of the OS, then released for the server to take). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

export interface RunningServer {
  baseUrl: string;
  process: Deno.ChildProcess;
  /** SIGTERM, then wait (SIGKILL after `timeoutMs`); answers the exit code. */
  stop(timeoutMs?: number): Promise<number>;
}

export async function startServer(opts: {
  dataDir: string;
  jwtSecret: string;
  /** Deno flags after the start task's, before the script, e.g. `--cpu-prof`. */
  denoFlags?: string[];
  /** Entry point, relative to the project root; the bundle unless told (see `serverScript`). */
  script?: string;
  /** Extra app settings, e.g. `{ DATABASE_SYNCHRONOUS: "NORMAL" }`. */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Receives each line the server writes to stdout (its JSON log), instead of the terminal. */
  onStdoutLine?: (line: string) => void;
}): Promise<RunningServer> {
  const port = freePort();
  const inherited = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([k]) => !CONFIG_VARS.has(k)),
  );
  const task = serveTask();
  const script = await serverScript(opts.script);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...task.flags, ...(opts.denoFlags ?? []), script],
    cwd: PROJECT_ROOT,
    clearEnv: true,
    env: {
      ...inherited,
      ...task.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: opts.dataDir,
      APP_ENV: "production",
      JWT_SECRET: opts.jwtSecret,
      LOG_LEVEL: "warn",
      ...opts.env,
    },
    stdin: "null",
    stdout: opts.onStdoutLine ? "piped" : "inherit",
    stderr: "inherit",
  }).spawn();
  if (opts.onStdoutLine) readLines(child.stdout, opts.onStdoutLine);

  let exited: number | null = null;
  const status = child.status.then((s) => (exited = s.code));
  const baseUrl = `http://127.0.0.1:${port}`;

  const stop = async (timeoutMs = 20_000) => {
    if (exited !== null) return exited;
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const killed = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
        resolve(-9);
      }, timeoutMs);
    });
    const code = await Promise.race([status, killed]);
    clearTimeout(timer);
    await status;
    return code;
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  while (true) {
    if (exited !== null) throw new Error(`the server exited with code ${exited} before ready`);
    try {
      const res = await fetch(`${baseUrl}/api/v1/ready`);
      await res.body?.cancel();
      if (res.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop(5_000);
      throw new Error(`the server was not ready at ${baseUrl} within the timeout`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { baseUrl, process: child, stop };
}

async function readLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
  let rest = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + text).split("\n");
    rest = lines.pop()!;
    for (const line of lines) onLine(line);
  }
  if (rest) onLine(rest);
}

/** Signs in on a running server and answers the access token; a refused login throws. */
export async function loginToken(baseUrl: string, email: string, password: string) {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(body)}`);
  return body.accessToken as string;
}
