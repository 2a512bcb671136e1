/**
 * Applies the SQL migrations drizzle-kit generated under db/migrations, each once, in order, in
 * one transaction, recording them in drizzle's own `__drizzle_migrations` table so that
 * `drizzle-kit migrate` and this agree on what has been applied.
 */
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { fileURLToPath } from "node:url";
import type { DatabaseHandle } from "./client.ts";
import { projectFile } from "./paths.ts";

export const migrationsFolder = fileURLToPath(projectFile("db/migrations"));

const TRACKING_TABLE = `CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (
  id INTEGER PRIMARY KEY AUTOINCREMENT, hash TEXT NOT NULL, created_at NUMERIC)`;

async function newestApplied(handle: DatabaseHandle): Promise<number> {
  const rows = await handle.db.values<[number | null]>(
    sql.raw('SELECT max(created_at) FROM "__drizzle_migrations"'),
  );
  return Number(rows[0]?.[0] ?? 0);
}

/**
 * Applies what is pending. The applied set is read inside the write transaction, so several
 * processes starting at once on one database apply each migration exactly once.
 */
export async function migrate(handle: DatabaseHandle): Promise<number> {
  const migrations = readMigrationFiles({ migrationsFolder });
  await handle.executeScript([TRACKING_TABLE]);
  return await handle.transaction(async (tx) => {
    const rows = await tx.values<[number | null]>(
      sql.raw('SELECT max(created_at) FROM "__drizzle_migrations"'),
    );
    const last = Number(rows[0]?.[0] ?? 0);
    const pending = migrations.filter((m) => m.folderMillis > last);
    for (const m of pending) {
      for (const statement of m.sql) if (statement.trim()) await tx.run(sql.raw(statement));
      await tx.run(
        sql`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (${m.hash}, ${m.folderMillis})`,
      );
    }
    return pending.length;
  });
}

let newestShipped: number | undefined;

/** True when every migration in the folder has been applied (used by the readiness probe). */
export async function migrationsApplied(handle: DatabaseHandle): Promise<boolean> {
  newestShipped ??= Math.max(
    ...readMigrationFiles({ migrationsFolder }).map((m) => m.folderMillis),
  );
  return await newestApplied(handle).then((n) => n >= newestShipped!, () => false);
}

let shippedVersion: number | undefined;

/**
 * The schema version this code reads and writes: the newest shipped migration's time. Sync
 * compares it between nodes, so that no node applies rows of a schema it does not have.
 */
export function schemaVersion(): number {
  shippedVersion ??= Math.max(
    ...readMigrationFiles({ migrationsFolder }).map((m) => m.folderMillis),
  );
  return shippedVersion;
}
