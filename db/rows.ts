/**
 * One row at a time by id, for any table, with the SQL built once per table (and per set of
 * columns updated) and run straight on the connection behind a drizzle instance. These are the
 * statements every write repeats (its change-log entry, its version, the row itself when a
 * change from another node is applied); building them with drizzle's query builder on every
 * call cost more than SQLite's own work (measured: tests/bench/sync.ts).
 *
 * Values go in and out through each column's own drizzle mapping (JSON, booleans), so rows read
 * here look exactly like rows drizzle reads.
 */
import { getTableConfig, type SQLiteColumn, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { type Db, executorOf, rowInserter } from "./client.ts";

interface TableSql {
  name: string;
  /** JS key and column, in table order. */
  columns: [string, SQLiteColumn][];
  select: string;
  insert: ReturnType<typeof rowInserter>;
  updates: Map<string, string>;
}

const cache = new WeakMap<SQLiteTable, TableSql>();

function sqlOf(table: SQLiteTable): TableSql {
  let t = cache.get(table);
  if (!t) {
    const { name, columns } = getTableConfig(table);
    const keyed = Object.entries(table as unknown as Record<string, unknown>)
      .filter(([, col]) => columns.includes(col as never)) as [string, SQLiteColumn][];
    t = {
      name,
      columns: keyed,
      select: `SELECT ${keyed.map(([, c]) => `"${c.name}"`).join(", ")} FROM "${name}" ` +
        `WHERE "id" = ?`,
      insert: rowInserter(table),
      updates: new Map(),
    };
    cache.set(table, t);
  }
  return t;
}

/** Maps a raw row (values in table column order) to drizzle's shape. */
function mapRow(t: TableSql, raw: unknown[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < t.columns.length; i++) {
    const [key, col] = t.columns[i];
    const v = raw[i];
    row[key] = v === null || v === undefined ? null : col.mapFromDriverValue(v);
  }
  return row;
}

/** The row with this id, whatever its organisation or state. */
export async function selectById(
  db: Db,
  table: SQLiteTable,
  id: string,
): Promise<Record<string, unknown> | undefined> {
  const t = sqlOf(table);
  const { rows } = await executorOf(db)(t.select, [id], "get");
  return rows ? mapRow(t, rows as unknown[]) : undefined;
}

/** Inserts one row (defaults for what it leaves out). */
export async function insertRow(db: Db, table: SQLiteTable, row: Record<string, unknown>) {
  const { sql, params } = sqlOf(table).insert;
  await executorOf(db)(sql, params(row), "run");
}

/** Sets these fields of the row with this id. */
export async function updateById(
  db: Db,
  table: SQLiteTable,
  id: string,
  set: Record<string, unknown>,
) {
  const t = sqlOf(table);
  const keys = Object.keys(set).filter((k) => t.columns.some(([key]) => key === k)).sort();
  const signature = keys.join(",");
  let sql = t.updates.get(signature);
  const cols = keys.map((k) => t.columns.find(([key]) => key === k)![1]);
  if (!sql) {
    sql = `UPDATE "${t.name}" SET ${cols.map((c) => `"${c.name}" = ?`).join(", ")} ` +
      `WHERE "id" = ?`;
    if (t.updates.size < 200) t.updates.set(signature, sql);
  }
  const params = keys.map((k, i) => {
    const v = set[k];
    return v === null || v === undefined ? null : cols[i].mapToDriverValue(v);
  });
  await executorOf(db)(sql, [...params, id], "run");
}

/**
 * Rows of a table matching a condition written in SQL over its column names (`"org_id" = ? AND
 * "seq" > ? ORDER BY "seq" LIMIT ?`), mapped as drizzle would.
 */
export async function selectWhere(
  db: Db,
  table: SQLiteTable,
  where: string,
  params: unknown[],
): Promise<Record<string, unknown>[]> {
  const t = sqlOf(table);
  const sql = t.select.slice(0, t.select.lastIndexOf("WHERE")) + `WHERE ${where}`;
  const { rows } = await executorOf(db)(sql, params, "all");
  return (rows as unknown[][]).map((raw) => mapRow(t, raw));
}
