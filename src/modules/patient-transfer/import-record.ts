/**
 * The durable record of an import while it writes (db/schema/patient-imports.ts): opened in its
 * first publishing transaction, with the patients each transaction registered linked in that
 * same transaction, so that whatever a crash leaves committed, the record names it. Each of the
 * import's transactions extends its claim; a claim that lapses means the process running it is
 * gone, and start-up undoes the import (import-recovery.ts).
 */
import { and, eq, inArray, lte } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { patientImportRows, patientImports } from "../../../db/schema/mod.ts";
import type { Deps } from "../../lib/context.ts";

export type ImportStatus = "publishing" | "undoing" | "done" | "undone";

/** Not finished: publishing or undoing, by a live process or by one that died. */
export const UNFINISHED: ImportStatus[] = ["publishing", "undoing"];

/**
 * How long a claim holds past the import's last transaction. Between two of its transactions an
 * import waits at most for SQLite's write lock (the busy timeout, after which its transaction
 * fails and it undoes itself) plus the other transactions queued in its process, each short; the
 * rest is margin for a loaded machine. It is also how long an interrupted import stays visible
 * after a crash before the next start undoes it.
 */
export const claimMs = (deps: Deps) => 10_000 + 2 * deps.config.database.busyTimeoutMs;

const until = (deps: Deps, at: string) => new Date(Date.parse(at) + claimMs(deps)).toISOString();

/** Thrown inside a transaction when the import is no longer this process's to write. */
export class ImportTakenOver extends Error {
  constructor(id: string) {
    super(`import ${id} was claimed by another process's start-up, which undoes it`);
  }
}

export async function openImport(
  deps: Deps,
  tx: Db,
  rec: { id: string; orgId: string; startedBy: string; mode: string; rows: number; at: string },
) {
  await tx.insert(patientImports).values({
    id: rec.id,
    orgId: rec.orgId,
    startedAt: rec.at,
    startedBy: rec.startedBy,
    mode: rec.mode,
    status: "publishing",
    rows: rec.rows,
    claimedUntil: until(deps, rec.at),
  });
}

/**
 * Extends the claim of an import in `status`; throws ImportTakenOver when it is in another
 * status (a start-up found its claim lapsed and is undoing it). With `next`, moves it there.
 */
export async function renewImport(
  deps: Deps,
  tx: Db,
  id: string,
  at: string,
  status: ImportStatus[],
  next?: { status: ImportStatus; finished?: boolean },
) {
  const rows = await tx.update(patientImports).set({
    claimedUntil: until(deps, at),
    ...(next ? { status: next.status } : {}),
    ...(next?.finished ? { finishedAt: at } : {}),
  }).where(and(eq(patientImports.id, id), inArray(patientImports.status, status)))
    .returning({ id: patientImports.id });
  if (rows.length === 0) throw new ImportTakenOver(id);
}

export async function linkRows(tx: Db, importId: string, patientIds: string[]) {
  if (patientIds.length === 0) return;
  await tx.insert(patientImportRows).values(
    patientIds.map((patientId) => ({ importId, patientId })),
  );
}

/** The patients an import registered, in the order it registered them (ids are UUIDv7). */
export async function linkedPatients(db: Db, importId: string): Promise<string[]> {
  const rows = await db.select({ id: patientImportRows.patientId }).from(patientImportRows)
    .where(eq(patientImportRows.importId, importId)).orderBy(patientImportRows.patientId);
  return rows.map((r) => r.id);
}

/** Imports no process is running any more: unfinished, and their claim lapsed by `at`. */
export async function abandonedImports(db: Db, at: string) {
  return await db.select().from(patientImports).where(and(
    inArray(patientImports.status, UNFINISHED),
    lte(patientImports.claimedUntil, at),
  ));
}

/** Unfinished imports whatever their claim: those still claimed are checked again when it ends. */
export async function unfinishedImports(db: Db) {
  return await db.select().from(patientImports).where(
    inArray(patientImports.status, UNFINISHED),
  );
}

/**
 * Takes over an abandoned import for undoing it: in one write transaction, so of two processes
 * starting together only one gets it. Answers whether this process did.
 */
export async function claimAbandoned(deps: Deps, tx: Db, id: string, at: string) {
  const rows = await tx.update(patientImports).set({
    status: "undoing",
    claimedUntil: until(deps, at),
  }).where(and(
    eq(patientImports.id, id),
    inArray(patientImports.status, UNFINISHED),
    lte(patientImports.claimedUntil, at),
  )).returning({ id: patientImports.id });
  return rows.length > 0;
}
