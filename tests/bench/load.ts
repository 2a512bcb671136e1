/**
 * HTTP load generation with `wrk` when it is on PATH (a C load generator: it leaves the most CPU
 * to the server), else autocannon from npm, run in this process. Either way every request of a
 * run cycles through `paths`, and latencies are reported with sub-millisecond precision.
 */
import autocannon from "autocannon";
import { join } from "node:path";

export type LoadTool = "wrk" | "autocannon";

export interface LoadSpec {
  baseUrl: string;
  /** Request paths, used in rotation. */
  paths: string[];
  headers?: Record<string, string>;
  connections: number;
  durationSeconds: number;
}

export interface LoadResult {
  tool: LoadTool;
  /** Responses received (any status). */
  requests: number;
  durationSeconds: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Responses whose status was not 2xx. */
  non2xx: number;
  /** Connection errors, resets and timeouts. */
  errors: number;
}

/** `wrk` when installed (unless BENCH_LOADGEN=autocannon), otherwise autocannon. */
export async function chooseLoadTool(preferred = Deno.env.get("BENCH_LOADGEN")): Promise<LoadTool> {
  if (preferred === "autocannon") return "autocannon";
  let hasWrk = false;
  try {
    // Spawning a missing program throws synchronously, hence the try around the await.
    await new Deno.Command("wrk", { args: ["-v"], stdout: "null", stderr: "null" }).output();
    hasWrk = true;
  } catch { /* not installed */ }
  if (preferred === "wrk" && !hasWrk) throw new Error("BENCH_LOADGEN=wrk but wrk is not on PATH");
  return hasWrk ? "wrk" : "autocannon";
}

export function runLoad(tool: LoadTool, spec: LoadSpec): Promise<LoadResult> {
  return tool === "wrk" ? runWrk(spec) : runAutocannon(spec);
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

async function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  let next = 0;
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let non2xx = 0;
  let errors = 0;
  const result: any = await new Promise((resolve, reject) => {
    const instance = autocannon({
      url: spec.baseUrl,
      connections: spec.connections,
      duration: spec.durationSeconds,
      headers: spec.headers ?? {},
      requests: [{
        method: "GET",
        setupRequest: (req: Record<string, unknown>) => {
          req.path = spec.paths[next];
          next = (next + 1) % spec.paths.length;
          return req;
        },
      }],
    }, (err: unknown, res: unknown) => err ? reject(err) : resolve(res));
    // Our own histogram: autocannon's percentiles are whole milliseconds.
    instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = ms;
      if (status < 200 || status > 299) non2xx++;
    });
    instance.on("reqError", () => errors++);
  });
  const sorted = latencies.slice(0, count).sort();
  const durationSeconds = Number(result.duration) || spec.durationSeconds;
  return {
    tool: "autocannon",
    requests: count,
    durationSeconds,
    rps: count / durationSeconds,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
    non2xx,
    errors: errors + (result.timeouts ?? 0),
  };
}

const luaString = (s: string) => JSON.stringify(s); // Lua accepts JSON-escaped ASCII strings.

async function runWrk(spec: LoadSpec): Promise<LoadResult> {
  const dir = await Deno.makeTempDir({ prefix: "bench-wrk-" });
  try {
    const script = join(dir, "rotate.lua");
    await Deno.writeTextFile(
      script,
      `local paths = {\n${spec.paths.map((p) => `  ${luaString(p)},`).join("\n")}\n}
local i = 0
request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT %d %d %d %d %d %d %d %d %d %d %d\\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
`,
    );
    const threads = Number(Deno.env.get("BENCH_WRK_THREADS")) ||
      Math.min(spec.connections, Math.max(1, Math.floor(navigator.hardwareConcurrency / 2)));
    const args = [
      `-t${threads}`,
      `-c${spec.connections}`,
      `-d${Math.max(1, Math.round(spec.durationSeconds))}s`,
      "--timeout",
      "5s",
      "-s",
      script,
    ];
    for (const [k, v] of Object.entries(spec.headers ?? {})) args.push("-H", `${k}: ${v}`);
    args.push(spec.baseUrl);
    const out = await new Deno.Command("wrk", { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout);
    const line = text.split("\n").find((l) => l.startsWith("WRK_RESULT "));
    if (!out.success || !line) {
      throw new Error(`wrk failed:\n${text}\n${new TextDecoder().decode(out.stderr)}`);
    }
    const [requests, durationUs, p50, p90, p99, max, status, connect, read, write, timeout] = line
      .split(" ").slice(1).map(Number);
    const durationSeconds = durationUs / 1e6;
    return {
      tool: "wrk",
      requests,
      durationSeconds,
      rps: requests / durationSeconds,
      p50Ms: p50 / 1000,
      p90Ms: p90 / 1000,
      p99Ms: p99 / 1000,
      maxMs: max / 1000,
      non2xx: status,
      errors: connect + read + write + timeout,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A text table: first column left-aligned, the others right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(rows[0]), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)]
    .join("\n");
}
