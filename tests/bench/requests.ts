/**
 * What the request benchmarks share (bench:booking, bench:dispensing): settings from the
 * environment, a fixed number of clients each sending its next request as soon as it has its
 * answer, and the latency table rows.
 */

/** An integer setting from the environment (`fallback` when unset). */
export function envInt(name: string, fallback: number, min = 1): number {
  const raw = Deno.env.get(name);
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}`);
  return n;
}

/** Extra server settings from a space-separated `KEY=VALUE` list in the variable `name`. */
export function serverEnvFrom(name: string): Record<string, string> {
  return Object.fromEntries(
    (Deno.env.get(name) ?? "").split(/\s+/).filter(Boolean).map((kv) => {
      const i = kv.indexOf("=");
      if (i < 1) throw new Error(`${name}: expected KEY=VALUE, got ${kv}`);
      return [kv.slice(0, i), kv.slice(i + 1)];
    }),
  );
}

/** Nearest-rank percentile of sorted values. */
export const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

export interface Outcome {
  status: number;
  ms: number;
}

export interface Run {
  outcomes: Outcome[];
  seconds: number;
}

/**
 * Sends `n` requests, `clients` at a time; `send(i)` makes request i and answers its status. A
 * network error counts as status 0.
 */
export async function runClients(
  clients: number,
  n: number,
  send: (i: number) => Promise<number>,
): Promise<Run> {
  const outcomes: Outcome[] = new Array(n);
  let next = 0;
  const client = async () => {
    while (next < n) {
      const i = next++;
      const t0 = performance.now();
      let status = 0;
      try {
        status = await send(i);
      } catch { /* status 0 */ }
      outcomes[i] = { status, ms: performance.now() - t0 };
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(clients, n) }, client));
  return { outcomes, seconds: (performance.now() - t0) / 1000 };
}

/** POSTs JSON and answers the status, discarding the body. */
export async function postJson(url: string, token: string, body: unknown): Promise<number> {
  const res = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await res.body?.cancel();
  return res.status;
}

export const statusCounts = (outcomes: Outcome[]) => {
  const counts = new Map<number, number>();
  for (const o of outcomes) counts.set(o.status, (counts.get(o.status) ?? 0) + 1);
  return counts;
};

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

export const LATENCY_HEADER = ["", "requests", "per s", "p50 ms", "p90 ms", "p99 ms", "max ms"];

/** A table row: count, rate (for the whole run only) and latency percentiles. */
export function latencyRow(name: string, run: Run, only?: (o: Outcome) => boolean): string[] {
  const all = run.outcomes.filter(only ?? (() => true));
  const ms = all.map((o) => o.ms).sort((a, b) => a - b);
  return [
    name,
    String(all.length),
    only ? "" : fmt(all.length / run.seconds, 0),
    fmt(percentile(ms, 50)),
    fmt(percentile(ms, 90)),
    fmt(percentile(ms, 99)),
    fmt(ms[ms.length - 1]),
  ];
}

/** The prescription the hot-path benches write: one common medicine for three days. */
export const prescriptionOf = (encounterId: string) => ({
  encounterId,
  items: [{
    medication: "Paracetamol 500 mg tablets",
    genericName: "paracetamol",
    dose: 1,
    unit: "tablet",
    route: "oral",
    frequency: { timesPerDay: 3 },
    durationDays: 3,
  }],
});
