/**
 * Sync benchmark plumbing: real server processes (the shipped bundle) as a primary or a replica on
 * loopback, each on its own data folder, with their JSON log lines parsed as they arrive. Request
 * lines are only counted (a write benchmark makes hundreds of thousands); every other line is
 * kept, so a benchmark can sum the `sync: pushed` / `sync: push received` / `sync: pulled` /
 * `sync: pull served` timings of a phase.
 */
import { PROJECT_ROOT, serverScript, serveTask } from "./server.ts";

/** The bundle, built once when this module loads (or BENCH_SERVER_SCRIPT). */
const SCRIPT = await serverScript();

/** Variables of the app's config never inherited from the bench's environment. */
const CONFIG_VAR = /^(PORT|HOST|APP_ENV|DATA_DIR|DATABASE_.*|JWT_.*|LOG_LEVEL|SYNC_.*|SITE_CODE)$/;

export interface LogLine {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface BenchNode {
  name: string;
  url: string;
  pid: number;
  dir: string;
  /** Every line but `request` lines, parsed, in arrival order. */
  lines: LogLine[];
  /** How many `request` lines the process logged. */
  requests(): number;
  /** Lines with this message logged at or after `sinceMs` (epoch ms). */
  linesOf(msg: string, sinceMs?: number): LogLine[];
  waitFor(msg: string, ms?: number): Promise<LogLine>;
  /** SIGTERM (SIGKILL after `timeoutMs`); answers the exit code. */
  stop(timeoutMs?: number): Promise<number>;
}

export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

export function startNode(opts: {
  name: string;
  dir: string;
  jwtSecret: string;
  env?: Record<string, string>;
  denoFlags?: string[];
  /** Entry point relative to the project root (default: the bundle, see server.ts). */
  script?: string;
  /** Echo lines at warn and above to this process's stderr (default true). */
  echoWarnings?: boolean;
}): BenchNode {
  const port = freePort();
  const inherited = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([k]) => !CONFIG_VAR.test(k)),
  );
  // As the server ships: the start task's flags and environment (see server.ts).
  const task = serveTask();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...task.flags, ...(opts.denoFlags ?? []), opts.script ?? SCRIPT],
    cwd: PROJECT_ROOT,
    clearEnv: true,
    env: {
      ...inherited,
      ...task.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: opts.dir,
      APP_ENV: "production",
      JWT_SECRET: opts.jwtSecret,
      LOG_LEVEL: "info",
      ...opts.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  const lines: LogLine[] = [];
  let requests = 0;
  let exited: number | null = null;
  const status = child.status.then((s) => (exited = s.code));
  const echo = opts.echoWarnings ?? true;

  const consume = async (stream: ReadableStream<Uint8Array>, isStderr: boolean) => {
    let rest = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + text).split("\n");
      rest = parts.pop()!;
      for (const raw of parts) {
        if (!raw) continue;
        // Request lines are the bulk: count them without parsing.
        if (raw.includes(`"msg":"request"`)) {
          requests++;
          continue;
        }
        let line: LogLine;
        try {
          line = JSON.parse(raw);
        } catch {
          line = { time: new Date().toISOString(), level: isStderr ? "stderr" : "text", msg: raw };
        }
        lines.push(line);
        if (echo && (line.level === "warn" || line.level === "error" || isStderr)) {
          console.error(`[${opts.name}] ${raw}`);
        }
      }
    }
  };
  const drained = Promise.all([consume(child.stdout, false), consume(child.stderr, true)]);

  return {
    name: opts.name,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    dir: opts.dir,
    lines,
    requests: () => requests,
    linesOf: (msg, sinceMs = 0) =>
      lines.filter((l) => l.msg === msg && Date.parse(l.time) >= sinceMs),
    async waitFor(msg, ms = 60_000) {
      const until = Date.now() + ms;
      while (true) {
        const hit = lines.find((l) => l.msg === msg);
        if (hit) return hit;
        if (exited !== null) throw new Error(`${opts.name} exited (${exited}) before "${msg}"`);
        if (Date.now() > until) throw new Error(`${opts.name}: no "${msg}" within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop(timeoutMs = 30_000) {
      if (exited === null) {
        try {
          child.kill("SIGTERM");
        } catch { /* already gone */ }
        const timer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* already gone */ }
        }, timeoutMs);
        await status;
        clearTimeout(timer);
      }
      await drained;
      return exited!;
    },
  };
}

/** JSON over HTTP; throws unless the status is one of `expect`. */
export async function api(
  node: { url: string },
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; expect?: number[] } =
    {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { "content-type": "application/json" } : {}),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch { /* not JSON */ }
  if (opts.expect && !opts.expect.includes(res.status)) {
    throw new Error(`${method} ${path} at ${node.url}: ${res.status} ${text.slice(0, 500)}`);
  }
  return { status: res.status, headers: res.headers, body };
}

export async function loginAt(node: { url: string }, email: string, password: string) {
  const res = await api(node, "POST", "/api/v1/auth/login", {
    body: { email, password },
    expect: [200],
  });
  return res.body.accessToken as string;
}

/** Sum, count, median and max of a list of numbers. */
export function stats(xs: number[]) {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length
      ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
      : NaN;
  return {
    n: xs.length,
    sum: xs.reduce((a, b) => a + b, 0),
    median: at(0.5),
    p99: at(0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

/** CPU seconds (user + system) a process has used so far (Linux /proc); NaN elsewhere. */
export function cpuSeconds(pid: number): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds the whole machine has been busy (all cores; Linux /proc/stat); NaN elsewhere. */
export function machineBusySeconds(): number {
  try {
    const f = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/).slice(1)
      .map(Number);
    const [user, nice, system, _idle, _iowait, irq, softirq, steal] = f;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / 100;
  } catch {
    return NaN;
  }
}
