/**
 * `src/main.ts` with every SQL statement timed: a benchmark runs the server through this entry
 * point to learn which statements its time goes to. The libsql driver's `prepare`, `run`, `get`,
 * `all` and `exec` are wrapped; time and calls are summed per SQL text. On SIGUSR1 the sums so
 * far are written as JSON to SQL_TIMING_FILE (one file per signal: `<file>.<n>.json`) and reset,
 * so a benchmark can bracket the phase it cares about with two signals.
 *
 * The wrapping costs a little time per statement (two performance.now() calls and a map
 * update); compare figures between runs made the same way.
 */
import Database from "libsql";

interface Sum {
  calls: number;
  ms: number;
  rows: number;
}
let sums = new Map<string, Sum>();
const add = (sql: string, ms: number, rows: number) => {
  let s = sums.get(sql);
  if (!s) sums.set(sql, s = { calls: 0, ms: 0, rows: 0 });
  s.calls++;
  s.ms += ms;
  s.rows += rows;
};

const DB = Database.prototype as any;
const probe = new Database(":memory:");
const STMT = Object.getPrototypeOf(probe.prepare("SELECT 1")) as any;
probe.close();

const prepare = DB.prepare;
DB.prepare = function (this: unknown, sql: string, ...rest: unknown[]) {
  const t0 = performance.now();
  const stmt = prepare.call(this, sql, ...rest);
  add(`(prepare) ${sql}`, performance.now() - t0, 0);
  stmt.__sql = sql;
  return stmt;
};
const exec = DB.exec;
DB.exec = function (this: unknown, sql: string) {
  const t0 = performance.now();
  try {
    return exec.call(this, sql);
  } finally {
    add(sql.length > 40 ? "(exec script)" : sql, performance.now() - t0, 0);
  }
};
for (const method of ["run", "get", "all"] as const) {
  const original = STMT[method];
  STMT[method] = function (this: { __sql?: string }, ...params: unknown[]) {
    const t0 = performance.now();
    const out = original.apply(this, params);
    const rows = method === "all"
      ? (out as unknown[]).length
      : method === "get"
      ? (out ? 1 : 0)
      : 0;
    add(this.__sql ?? "(unknown)", performance.now() - t0, rows);
    return out;
  };
}

const file = Deno.env.get("SQL_TIMING_FILE");
let dumps = 0;
Deno.addSignalListener("SIGUSR1", () => {
  const out = [...sums].map(([sql, s]) => ({ sql, ...s })).sort((a, b) => b.ms - a.ms);
  sums = new Map();
  if (file) Deno.writeTextFileSync(`${file}.${dumps++}.json`, JSON.stringify(out));
});

await import("../../src/main.ts");
