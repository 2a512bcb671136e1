/**
 * The data layer's connection: drizzle for building queries and mapping rows, libSQL for running
 * them.
 *
 * Why not `drizzle-orm/libsql` over `@libsql/client`? Measured here, a point read through
 * `@libsql/client` costs ~90 µs and ~114 µs with drizzle on top, against ~5-7 µs for the `libsql`
 * package's prepared statements (the same libSQL engine and file format) and ~11 µs for a drizzle
 * prepared query run through the sqlite-proxy driver below. So an embedded database (the default)
 * runs on the `libsql` package with a statement cache, and drizzle's sqlite-proxy driver keeps the
 * schema, the query builder and row mapping. A remote libSQL server (`libsql://`, `http(s)://`,
 * `ws(s)://`) goes through `@libsql/client`, whose network round trip dwarfs its overhead.
 *
 * Transactions: an embedded database has one writer connection, used only inside `transaction()`
 * under an in-process queue that commits the transactions waiting together (db/write-queue.ts),
 * and one reader connection for everything else, so a request never reads another request's
 * uncommitted writes. `BEGIN IMMEDIATE` takes SQLite's write lock, which also serialises writers
 * in other processes sharing the file.
 */
import Database from "libsql";
import { type Client, createClient, type InStatement } from "@libsql/client";
import { drizzle, type SqliteRemoteDatabase } from "drizzle-orm/sqlite-proxy";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { getTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { is, Placeholder, sql } from "drizzle-orm";
import * as schema from "./schema/mod.ts";
import { createWriteQueue } from "./write-queue.ts";

export type Db = SqliteRemoteDatabase<typeof schema>;
type Method = "run" | "all" | "values" | "get";
/** `changes`: rows written by a "run" (SQLite's changes()). */
type Executor = (
  sql: string,
  params: unknown[],
  method: Method,
) => Promise<{ rows: any; changes?: number }>;

/**
 * The executor under each drizzle instance this module makes, so that the hottest statements
 * of the write path (db/rows.ts) can run SQL built once per table on the same connection and
 * transaction, without drizzle rebuilding it on every call.
 */
const executors = new WeakMap<Db, Executor>();

function withExecutor(exec: Executor): Db {
  const db = drizzle(exec, { schema });
  executors.set(db, exec);
  return db;
}

/** Runs SQL on the connection (and transaction) behind a drizzle instance made here. */
export function executorOf(db: Db): Executor {
  const exec = executors.get(db);
  if (!exec) throw new Error("executorOf: not a database handle made by db/client.ts");
  return exec;
}

export interface DatabaseOptions {
  url: string;
  authToken?: string;
  syncUrl?: string;
  synchronous?: "FULL" | "NORMAL";
  busyTimeoutMs?: number;
  /** SQLite page cache per connection in KiB (default 8192). */
  cacheSizeKiB?: number;
  /** Bytes of the file each connection memory-maps (default 256 MiB; 0: none). */
  mmapSizeBytes?: number;
}

export interface DatabaseHandle {
  /** Reads outside a transaction. Never use it to write: writes go through `transaction`. */
  readonly db: Db;
  /**
   * Runs `fn` in one write transaction; commits when it resolves, rolls back when it throws.
   * `alone`: bulk work (an import's chunk, a sync batch, a scan's findings) that takes tens of
   * milliseconds: it commits by itself, so the short transactions around it do not wait for it
   * (db/write-queue.ts groups the others).
   */
  transaction<T>(fn: (tx: Db) => Promise<T>, opts?: { alone?: boolean }): Promise<T>;
  /** Runs raw SQL statements (migrations), one after the other, in one write transaction. */
  executeScript(statements: string[]): Promise<void>;
  /**
   * Appends many rows to one table in one transaction with a single prepared statement, for bulk
   * loads where building each insert with drizzle would cost more than running it (the benchmark
   * seeder). Read audit batches no longer use it: they go in from one JSON text
   * (src/modules/audit/entries.ts, APPEND_BATCH).
   */
  appendRows(table: SQLiteTable, rows: Record<string, unknown>[]): Promise<void>;
  /**
   * The first row of a read, as an array in the query's column order, on the reader connection.
   * For the hottest reads, whose SQL drizzle builds once (see `hotRead`): it skips drizzle's
   * per-call placeholder filling and row mapping, which cost more than SQLite's own work.
   */
  readRow(sql: string, params: unknown[]): Promise<unknown[] | undefined>;
  /** Every row of a read, as arrays, on the reader connection (see `readRow`). */
  readRows(sql: string, params: unknown[]): Promise<unknown[][]>;
  readonly kind: "embedded" | "remote";
  close(): void;
}

/** `file:./data/clinic.db` → `./data/clinic.db`; `:memory:` stays. */
export function filePathOf(url: string): string | null {
  if (url === ":memory:" || url === "file::memory:") return ":memory:";
  if (url.startsWith("file:")) return url.slice("file:".length);
  if (/^(libsql|https?|wss?):\/\//.test(url)) return null;
  return url;
}

export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  const path = filePathOf(options.url);
  return path === null ? openRemote(options) : openEmbedded(path, options);
}

type Native = InstanceType<typeof Database>;

/** The INSERT statement and a row → parameters mapper for `appendRows`. */
export function rowInserter(table: SQLiteTable) {
  const { name, columns } = getTableConfig(table);
  const keys = Object.entries(table as unknown as Record<string, unknown>)
    .filter(([, col]) => columns.includes(col as never))
    .map(([key, col]) => [key, col as (typeof columns)[number]] as const);
  const sql = `INSERT INTO "${name}" (${keys.map(([, c]) => `"${c.name}"`).join(", ")}) VALUES (${
    keys.map(() => "?").join(", ")
  })`;
  const params = (row: Record<string, unknown>) =>
    keys.map(([key, col]) => {
      let v = row[key];
      if (v === undefined) v = col.default ?? col.defaultFn?.();
      return v === undefined || v === null ? null : col.mapToDriverValue(v);
    });
  return { sql, params };
}

/**
 * Runs `fn` again while SQLite answers "database is locked", for up to `ms`. Switching a new
 * file to WAL takes an exclusive lock; when two processes start on a fresh database at once,
 * both hold a shared lock and want it, and SQLite refuses one at once instead of calling the
 * busy handler (it would deadlock), so the busy timeout does not cover it (seen in CI once).
 */
function retryWhileBusy(fn: () => void, ms: number) {
  const deadline = Date.now() + ms;
  for (let wait = 5;; wait = Math.min(wait * 2, 100)) {
    try {
      return fn();
    } catch (err) {
      if (!/database is locked|SQLITE_BUSY/i.test(String(err)) || Date.now() >= deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
    }
  }
}

function openConnection(path: string, options: DatabaseOptions): Native {
  const conn = options.syncUrl
    ? new Database(path, { syncUrl: options.syncUrl, authToken: options.authToken ?? "" } as never)
    : new Database(path);
  // Set on every connection we open: these pragmas are per connection in SQLite.
  conn.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  if (path !== ":memory:") {
    retryWhileBusy(() => conn.exec("PRAGMA journal_mode = WAL"), options.busyTimeoutMs ?? 5000);
  }
  conn.exec(`PRAGMA synchronous = ${options.synchronous ?? "FULL"}`);
  conn.exec("PRAGMA foreign_keys = ON");
  // No memory-mapped reads by default: they made a read ~2 µs faster in a tight loop, but the
  // first read after another connection's commit (the audit writer commits all the time) cost
  // ~140 µs instead of ~28, and under load the server's patient read took more CPU (113-127
  // against 131-175 µs) with a worse p99 (8-9 against 11-14 ms), mapped pages adding ~50 MiB to
  // RSS. The page cache (8 MiB per connection by default; three connections on an embedded
  // database) holds what is read often. Both are per connection, not stored in the file.
  conn.exec(`PRAGMA cache_size = -${Math.trunc(options.cacheSizeKiB ?? 8192)}`);
  if (path !== ":memory:") {
    conn.exec(`PRAGMA mmap_size = ${Math.trunc(options.mmapSizeBytes ?? 0)}`);
  }
  return conn;
}

/** Executes drizzle's SQL on one native connection with a bounded prepared-statement cache. */
function nativeExecutor(conn: Native): Executor {
  // Statements that return rows are switched to raw (array) mode once, when prepared: the switch
  // is a native call that cost ~5 µs per read when made on every execution.
  const plain = new Map<string, any>();
  const raw = new Map<string, any>();
  const prepare = (cache: Map<string, any>, sql: string, asArrays: boolean) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      if (cache.size >= 1000) cache.clear();
      stmt = conn.prepare(sql);
      if (asArrays) stmt.raw(true);
      cache.set(sql, stmt);
    }
    return stmt;
  };
  return (sql, params, method) => {
    // libsql aborts the whole process on a closed connection: a late background read or write
    // (after shutdown closed the database) gets an error instead.
    if (!conn.open) return Promise.reject(new Error("The database is closed."));
    try {
      if (method === "run") {
        const info = prepare(plain, sql, false).run(...params);
        return Promise.resolve({ rows: [], ...info });
      }
      const stmt = prepare(raw, sql, true);
      if (method === "get") return Promise.resolve({ rows: stmt.get(...params) });
      return Promise.resolve({ rows: stmt.all(...params) });
    } catch (err) {
      return Promise.reject(err);
    }
  };
}

function openEmbedded(path: string, options: DatabaseOptions): DatabaseHandle {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const writer = openConnection(path, options);
  // `:memory:` databases are private to their connection, so there the writer also reads.
  const reader = path === ":memory:" ? writer : openConnection(path, options);
  const readExec = nativeExecutor(reader);
  const readDb = withExecutor(readExec);
  const txDb = withExecutor(nativeExecutor(writer));
  const inserters = new WeakMap<
    SQLiteTable,
    { stmt: any; params: (r: Record<string, unknown>) => unknown[] }
  >();
  // Group commit (db/write-queue.ts): transactions waiting behind one share its commit.
  const queue = createWriteQueue(writer);
  const inTransaction = <T>(fn: () => Promise<T>, alone = false) => queue.run(fn, { alone });

  return {
    kind: "embedded",
    readRow: (sql, params) => readExec(sql, params, "get").then((r) => r.rows),
    readRows: (sql, params) => readExec(sql, params, "all").then((r) => r.rows),
    appendRows: (table, rows) =>
      inTransaction(() => {
        let inserter = inserters.get(table);
        if (!inserter) {
          const { sql, params } = rowInserter(table);
          inserters.set(table, inserter = { stmt: writer.prepare(sql), params });
        }
        for (const row of rows) inserter.stmt.run(...inserter.params(row));
        return Promise.resolve();
      }),
    db: readDb,
    transaction: (fn, opts) => inTransaction(() => fn(txDb), opts?.alone ?? false),
    executeScript: (statements) =>
      inTransaction(() => {
        for (const s of statements) if (s.trim()) writer.exec(s);
        return Promise.resolve();
      }, true),
    // A group may be waiting for company before its COMMIT: the connections close after it.
    close: () =>
      queue.close(() => {
        if (reader !== writer) reader.close();
        writer.close();
      }),
  };
}

function remoteExecutor(run: (stmt: InStatement) => Promise<any>): Executor {
  return async (sql, params, method) => {
    const rs = await run({ sql, args: params as any[] });
    const rows = rs.rows.map((r: ArrayLike<unknown>) => Array.from(r));
    if (method === "get") return { rows: rows[0] };
    return { rows, changes: rs.rowsAffected };
  };
}

/**
 * A remote libSQL server. The server owns durability (WAL, synchronous); foreign keys are set per
 * connection, and `@libsql/client` opens a fresh stream for every interactive transaction, so
 * each transaction enables them before its first statement (see the README's design notes).
 */
function openRemote(options: DatabaseOptions): DatabaseHandle {
  const client: Client = createClient({ url: options.url, authToken: options.authToken });
  const readDb = withExecutor(remoteExecutor((s) => client.execute(s)));
  const withTx = async <T>(fn: (run: (s: InStatement) => Promise<any>) => Promise<T>) => {
    const tx = await client.transaction("write");
    try {
      await tx.execute("PRAGMA foreign_keys = ON");
      const result = await fn((s) => tx.execute(s));
      await tx.commit();
      return result;
    } catch (err) {
      await tx.rollback().catch(() => {});
      throw err;
    } finally {
      tx.close();
    }
  };
  return {
    kind: "remote",
    readRow: async (sql, params) =>
      (await client.execute({ sql, args: params as any[] })).rows.map((r) => Array.from(r))[0],
    readRows: async (sql, params) =>
      (await client.execute({ sql, args: params as any[] })).rows.map((r) => Array.from(r)),
    appendRows: async (table, rows) => {
      const { sql, params } = rowInserter(table);
      await client.batch(rows.map((r) => ({ sql, args: params(r) as any[] })), "write");
    },
    db: readDb,
    transaction: (fn) => withTx((run) => fn(withExecutor(remoteExecutor(run)))),
    executeScript: (statements) =>
      withTx(async (run) => {
        for (const s of statements) if (s.trim()) await run(s);
      }),
    close: () => client.close(),
  };
}

/**
 * Prepares a hot read from a drizzle select whose conditions use `sql.placeholder(name)`: the SQL
 * is built once, and each call binds the named values and maps the row to the selected keys.
 */
export function hotRead<Row extends Record<string, unknown>>(
  query: { toSQL(): { sql: string; params: unknown[] } },
  keys: (keyof Row & string)[],
) {
  const { sql, params } = query.toSQL();
  const names = params.map((p) => (p as { name?: string }).name);
  if (names.some((n) => n === undefined)) throw new Error("hotRead: use sql.placeholder() only");
  return async (handle: DatabaseHandle, values: Record<string, unknown>) => {
    const row = await handle.readRow(sql, names.map((n) => values[n!]));
    if (!row) return undefined;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) out[keys[i]] = row[i];
    return out as Row;
  };
}

type Decoder = { mapFromDriverValue(v: unknown): unknown } | undefined;

/** How a selected field's driver value becomes its JS value: a column's or `sql<T>`'s mapper. */
function decoderOf(field: unknown): Decoder {
  if (field && typeof (field as any).mapFromDriverValue === "function") return field as Decoder;
  // An aliased expression (sql`...`.as("x")) carries its decoder on its SQL.
  const expr = field as { decoder?: Decoder; sql?: { decoder?: Decoder } } | undefined;
  const decoder = expr?.decoder ?? expr?.sql?.decoder;
  // drizzle's default decoder for sql`` is the identity: skip it.
  return decoder && decoder.mapFromDriverValue !== noopMap ? decoder : undefined;
}
const noopMap = (sql`1` as unknown as { decoder: { mapFromDriverValue: unknown } }).decoder
  .mapFromDriverValue;

/**
 * A select built once by drizzle (`new QueryBuilder().select({...})`, conditions on
 * `sql.placeholder(name)`) and run on the connection behind any handle made here: a write
 * transaction's or the reader's. Rows come back keyed like the selection and decoded by each
 * field's own mapper (JSON, booleans, `sql<number>`), as drizzle would answer them.
 *
 * Why: drizzle's builder spent ~50-100 µs building each statement of a write path, several times
 * SQLite's own work (tests/bench/hot_paths.ts under BENCH_HOT_PROFILE).
 */
export function prepared<Row extends Record<string, unknown>>(
  query: { toSQL(): { sql: string; params: unknown[] }; _: { selectedFields: unknown } },
) {
  const { sql: text, params } = query.toSQL();
  // A placeholder's name, or a value drizzle bound at build time (a `.limit(1)`).
  const slots = params.map((p) =>
    is(p, Placeholder) ? { name: p.name as string, value: null } : { name: undefined, value: p }
  );
  const fields = Object.entries(query._.selectedFields as Record<string, unknown>);
  const keys = fields.map(([k]) => k);
  const decoders = fields.map(([, f]) => decoderOf(f));
  const toRow = (raw: unknown[]) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const v = raw[i];
      const d = decoders[i];
      out[keys[i]] = v === null || v === undefined || !d ? v ?? null : d.mapFromDriverValue(v);
    }
    return out as Row;
  };
  const bind = (values: Record<string, unknown>) =>
    slots.map((s) => s.name !== undefined ? values[s.name] ?? null : s.value);
  return {
    /** Every row. */
    all: async (db: Db, values: Record<string, unknown>): Promise<Row[]> =>
      ((await executorOf(db)(text, bind(values), "all")).rows as unknown[][]).map(toRow),
    /** The first row, if any. */
    get: async (db: Db, values: Record<string, unknown>): Promise<Row | undefined> => {
      const { rows } = await executorOf(db)(text, bind(values), "get");
      return rows ? toRow(rows as unknown[]) : undefined;
    },
  };
}

/**
 * `prepared` for a query whose shape depends on which of its filters a call has (a price for a
 * payer or not): each shape is built the first time it is asked for, by its key.
 */
export function preparedByShape<Row extends Record<string, unknown>>(
  build: (key: string) => Parameters<typeof prepared>[0],
) {
  const shapes = new Map<string, ReturnType<typeof prepared<Row>>>();
  return (key: string) => {
    let q = shapes.get(key);
    if (!q) shapes.set(key, q = prepared<Row>(build(key)));
    return q;
  };
}

/**
 * Runs `fn` inside a savepoint of the caller's transaction: when it throws, what it wrote is
 * rolled back and the error rethrown, and the transaction goes on.
 */
export async function inSavepoint<T>(tx: Db, fn: () => Promise<T>): Promise<T> {
  const exec = executorOf(tx);
  await exec("SAVEPOINT sp", [], "run");
  try {
    const result = await fn();
    await exec("RELEASE sp", [], "run");
    return result;
  } catch (err) {
    await exec("ROLLBACK TO sp", [], "run");
    await exec("RELEASE sp", [], "run");
    throw err;
  }
}
