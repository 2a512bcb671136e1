/**
 * The trail's index by patient (`audit_patient_index`), kept behind the trail in sorted batches.
 *
 * An index on `audit_events.patient_id` made every appended read land on its own patient's leaf
 * page, and SQLite writes each page a commit touches whole to the WAL: ~13 µs of the ~32 µs an
 * appended read cost. Indexed a few seconds of entries at a time and sorted by patient, each
 * patient's page is touched once per batch. Entries after the mark (`audit_index_state`) are
 * found by scanning that short tail, so "who read patient X" is always complete.
 */
import { and, desc, eq, gt, lt, lte, type SQL, sql } from "drizzle-orm";
import { type Db, executorOf } from "../../../db/client.ts";
import { auditEvents, auditIndexState, auditPatientIndex } from "../../../db/schema/mod.ts";

/** Index once this many entries wait, or on the writer's timer (see service.ts). */
export const INDEX_BATCH = 20_000;

/**
 * Indexes every entry after the mark, in the caller's write transaction; answers how many
 * entries it passed. Entries commit in `seq` order (one writer at a time, rows never deleted),
 * so nothing lands behind the mark once it has moved.
 */
export async function indexPatients(tx: Db): Promise<number> {
  const run = executorOf(tx);
  const mark = await indexedThrough(tx);
  const { rows: top } = await run(`SELECT max("seq") FROM "audit_events"`, [], "get");
  const upTo = Number(top?.[0] ?? 0);
  if (upTo <= mark) return 0;
  // Sorted by (patient, seq), the insert walks the index in order instead of all over it.
  await run(
    `INSERT OR IGNORE INTO "audit_patient_index" ("patient_id", "seq")
      SELECT "patient_id", "seq" FROM "audit_events"
        WHERE "seq" > ?1 AND "seq" <= ?2 AND "patient_id" IS NOT NULL
      UNION ALL
      SELECT j.value, e."seq" FROM "audit_events" e, json_each(e."patient_ids") j
        WHERE e."seq" > ?1 AND e."seq" <= ?2 AND e."patient_ids" IS NOT NULL
      ORDER BY 1, 2`,
    [mark, upTo],
    "run",
  );
  await run(
    `INSERT INTO "audit_index_state" ("id", "indexed_through") VALUES (1, ?)
      ON CONFLICT ("id") DO UPDATE SET "indexed_through" = excluded."indexed_through"`,
    [upTo],
    "run",
  );
  return upTo - mark;
}

/** Every entry with seq at or below this is in `audit_patient_index`. */
export async function indexedThrough(db: Db): Promise<number> {
  const [row] = await db.select({ n: auditIndexState.indexedThrough }).from(auditIndexState)
    .where(eq(auditIndexState.id, 1));
  return row?.n ?? 0;
}

/**
 * Newest first, the entries concerning `patientId` that also meet `where`, below `beforeSeq`:
 * the unindexed tail scanned first (its entries are the newest), then the index.
 */
export async function entriesOfPatient(
  db: Db,
  patientId: string,
  where: SQL[],
  beforeSeq: number | undefined,
  limit: number,
) {
  const mark = await indexedThrough(db);
  const below = beforeSeq === undefined ? [] : [lt(auditEvents.seq, beforeSeq)];
  const tail = await db.select().from(auditEvents).where(and(
    ...where,
    ...below,
    gt(auditEvents.seq, mark),
    sql`(${auditEvents.patientId} = ${patientId}
      OR instr(${auditEvents.patientIds}, ${JSON.stringify(patientId)}) > 0)`,
  )).orderBy(desc(auditEvents.seq)).limit(limit);
  if (tail.length >= limit) return tail;
  const indexed = await db.select({ e: auditEvents }).from(auditPatientIndex)
    .innerJoin(auditEvents, eq(auditEvents.seq, auditPatientIndex.seq))
    .where(and(
      eq(auditPatientIndex.patientId, patientId),
      lte(auditPatientIndex.seq, mark),
      ...(beforeSeq === undefined ? [] : [lt(auditPatientIndex.seq, beforeSeq)]),
      ...where,
    ))
    .orderBy(desc(auditPatientIndex.seq)).limit(limit - tail.length);
  return tail.concat(indexed.map((r) => r.e));
}
