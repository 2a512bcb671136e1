/**
 * Helpers every business write uses inside its transaction: the change log the sync feature
 * reads, and per-organisation counters for human numbers.
 */
import { sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { nextHlc } from "./hlc.ts";
import { changeLog, sequences } from "./schema/mod.ts";

export type Operation = "insert" | "update" | "delete";

export interface Change {
  orgId: string;
  table: string;
  rowId: string;
  operation: Operation;
  version: number;
  at: string;
  /** The fields the change set or changed. */
  fields: string[];
}

/**
 * Appends the change-log entry for one business write, with the next clock value; call it in
 * the write's transaction.
 */
export async function recordChange(tx: Db, change: Change, origin = "local"): Promise<void> {
  await tx.insert(changeLog).values({
    orgId: change.orgId,
    tableName: change.table,
    rowId: change.rowId,
    operation: change.operation,
    version: change.version,
    at: change.at,
    origin,
    hlc: nextHlc(),
    fields: change.fields,
  });
}

/**
 * Next value of an organisation's counter, allocated inside the caller's write transaction: the
 * row update takes the database write lock, so two concurrent registrations never get the same
 * number, in one process or several.
 */
export async function nextSequence(tx: Db, orgId: string, name: string): Promise<number> {
  const [row] = await tx.insert(sequences).values({ orgId, name, value: 1 })
    .onConflictDoUpdate({
      target: [sequences.orgId, sequences.name],
      set: { value: sql`${sequences.value} + 1` },
    })
    .returning({ value: sequences.value });
  return row.value;
}
