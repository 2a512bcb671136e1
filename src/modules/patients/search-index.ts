/**
 * Keeps the patient search index in step with every patient write: a row hook (registered at
 * import) diffs the terms before and after the write and applies the difference in the same
 * transaction, so the index is never behind a committed write. `rebuildSearchIndex` recomputes
 * it from scratch (bulk loads, a fresh database with patients but no index).
 */
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { type Db, executorOf } from "../../../db/client.ts";
import { changedFields, type RowHook } from "../../../db/tenant.ts";
import {
  organizations,
  patientNameTerms,
  type PatientRow,
  patients,
} from "../../../db/schema/mod.ts";
import type { Deps } from "../../lib/context.ts";
import { foldId } from "../../lib/normalize.ts";
import { INDEXED_FIELDS, isListed, nameTermsIn, termsOf, typoKeys } from "./search-terms.ts";

/**
 * MRNs of the live records merged into `survivorId`, directly or through a chain (X into D, then
 * D into S: both X's and D's MRN find S).
 */
async function absorbedMrns(tx: Db, orgId: string, survivorId: string) {
  const rows = await tx.all<[string]>(sql`WITH RECURSIVE absorbed(id, mrn) AS (
      SELECT id, mrn FROM patients
      WHERE merged_into = ${survivorId} AND org_id = ${orgId} AND deleted_at IS NULL
      UNION
      SELECT p.id, p.mrn FROM patients p JOIN absorbed a ON p.merged_into = a.id
      WHERE p.org_id = ${orgId} AND p.deleted_at IS NULL
    ) SELECT mrn FROM absorbed`);
  return rows.map((r) => r[0]);
}

// The index's statements, run prepared on the write's own connection: a patient write changes a
// few dozen index rows (terms, name counts, typo keys of new words), and building each insert
// with drizzle's query builder cost several times what SQLite spends on it.
const DELETE_TERM =
  "DELETE FROM patient_search_terms WHERE org_id = ? AND term = ? AND patient_id = ?";
const INSERT_TERM =
  "INSERT OR IGNORE INTO patient_search_terms (org_id, term, patient_id) VALUES (?, ?, ?)";
const FORGET_NAME =
  "UPDATE patient_name_terms SET patients = max(patients - 1, 0) WHERE org_id = ? AND term = ?";
// Counting a name is an insert that is ignored when the word is known, then an increment: an
// upsert with RETURNING measured 10 µs at first and ten times that after a few large
// transactions (a sync batch), while these stay at ~6 µs.
const ADD_NAME =
  "INSERT OR IGNORE INTO patient_name_terms (org_id, term, patients) VALUES (?, ?, 1)";
const COUNT_NAME =
  "UPDATE patient_name_terms SET patients = patients + 1 WHERE org_id = ? AND term = ?";
const INSERT_VARIANT =
  "INSERT OR IGNORE INTO patient_name_variants (org_id, variant, term) VALUES (?, ?, ?)";

/** Adds/removes one patient's terms and adjusts the name vocabulary counts. */
async function applyDiff(
  tx: Db,
  orgId: string,
  patientId: string,
  removed: string[],
  added: string[],
) {
  const run = executorOf(tx);
  for (const term of removed) await run(DELETE_TERM, [orgId, term, patientId], "run");
  for (const term of added) await run(INSERT_TERM, [orgId, term, patientId], "run");
  for (const part of nameTermsIn(removed)) await run(FORGET_NAME, [orgId, part], "run");
  const newWords: string[] = [];
  for (const part of nameTermsIn(added)) {
    // A word seen for the first time gets its typo keys (a word at 0 patients keeps its own).
    const added = await run(ADD_NAME, [orgId, part], "run");
    if (added.changes === 1) newWords.push(part);
    else await run(COUNT_NAME, [orgId, part], "run");
  }
  await addTypoKeys(tx, orgId, newWords);
}

/** Stores the typo keys of `words` (see patient_name_variants). */
async function addTypoKeys(tx: Db, orgId: string, words: string[]) {
  const run = executorOf(tx);
  for (const term of words) {
    for (const variant of typoKeys(term)) await run(INSERT_VARIANT, [orgId, variant, term], "run");
  }
}

/** The survivor a record's MRN points search at: where it is merged, unless deleted. */
const contributesTo = (p: PatientRow | null) => (p && !p.deletedAt ? p.mergedInto : null);

async function indexWrite(tx: Db, before: PatientRow | null, after: PatientRow) {
  // Most writes (a visit, tags, an address) touch nothing searchable.
  if (before && changedFields(before, after, [...INDEXED_FIELDS]).length === 0) return;
  const orgId = after.orgId;
  const was = contributesTo(before), is = contributesTo(after);
  // MRNs absorbed from merged records are in both term sets, so they only matter when this
  // record enters or leaves the index, or is merged or unmerged itself.
  const absorbed = before && (isListed(before) !== isListed(after) || was !== is)
    ? await absorbedMrns(tx, orgId, after.id)
    : [];
  const old = before ? termsOf(before, absorbed) : new Set<string>();
  const now = termsOf(after, absorbed);
  await applyDiff(
    tx,
    orgId,
    after.id,
    [...old].filter((t) => !now.has(t)),
    [...now].filter((t) => !old.has(t)),
  );
  // A merge or unmerge moves this record's MRN, and those it had absorbed, from one survivor's
  // terms to the other's.
  if (was === is && before?.mrn === after.mrn) return;
  const carried = absorbed.map((m) => `m:${foldId(m)}`);
  if (was && before) {
    await applyDiff(tx, orgId, was, [`m:${foldId(before.mrn)}`, ...carried], []);
  }
  if (is) {
    const [survivor] = await tx.select({
      mergedInto: patients.mergedInto,
      deletedAt: patients.deletedAt,
    })
      .from(patients).where(and(eq(patients.id, is), eq(patients.orgId, orgId)));
    if (survivor && isListed(survivor)) {
      await applyDiff(tx, orgId, is, [], [`m:${foldId(after.mrn)}`, ...carried]);
    }
  }
}

/** The patients table's row hook (declared in the manifest): the index follows every write. */
export const indexPatientWrite: RowHook = (tx, write) =>
  indexWrite(tx, write.before as PatientRow | null, write.after as PatientRow);

/**
 * Recomputes the index of one organisation (or all) from the patients table. Terms are staged
 * in a temporary table and copied sorted, so a million patients load in sequential B-tree
 * appends rather than random inserts.
 */
export async function rebuildSearchIndex(tx: Db, orgId?: string) {
  if (!orgId) {
    // One organisation at a time: each walk then follows its (org_id, created_at, id) index.
    for (const org of await tx.select({ id: organizations.id }).from(organizations)) {
      await rebuildSearchIndex(tx, org.id);
    }
    return;
  }
  const scope = sql`org_id = ${orgId}`;
  await tx.run(sql`DELETE FROM patient_search_terms WHERE ${scope}`);
  await tx.run(sql`DELETE FROM patient_name_terms WHERE ${scope}`);
  await tx.run(sql`DELETE FROM patient_name_variants WHERE ${scope}`);
  await tx.run(sql`DROP TABLE IF EXISTS temp.search_stage`);
  await tx.run(sql`CREATE TEMP TABLE search_stage (org_id TEXT, term TEXT, patient_id TEXT)`);

  // Absorbed MRNs of survivors, gathered once; a chain of merges (X into D into S) ends at S.
  const merged = await tx.select({
    id: patients.id,
    mrn: patients.mrn,
    into: patients.mergedInto,
  })
    .from(patients).where(and(
      sql`${patients.mergedInto} IS NOT NULL`,
      isNull(patients.deletedAt),
      eq(patients.orgId, orgId),
    ));
  const intoOf = new Map(merged.map((m) => [m.id, m.into!]));
  const absorbed = new Map<string, string[]>();
  for (const m of merged) {
    let end = m.into!;
    for (let hops = 0; intoOf.has(end) && hops < 100; hops++) end = intoOf.get(end)!;
    absorbed.set(end, [...(absorbed.get(end) ?? []), m.mrn]);
  }

  // Keyset walk by (created_at, id), on the organisation's index.
  const batch = 5000;
  let last: { createdAt: string; id: string } | null = null;
  while (true) {
    const seek = last
      ? sql`(${patients.createdAt}, ${patients.id}) > (${last.createdAt}, ${last.id})`
      : undefined;
    const rows: PatientRow[] = await tx.select().from(patients).where(and(
      eq(patients.orgId, orgId),
      seek,
      isNull(patients.deletedAt),
      isNull(patients.mergedInto),
    )).orderBy(asc(patients.createdAt), asc(patients.id)).limit(batch);
    if (!rows.length) break;
    last = rows[rows.length - 1];
    const staged: { org_id: string; term: string; patient_id: string }[] = [];
    for (const p of rows) {
      for (const term of termsOf(p, absorbed.get(p.id))) {
        staged.push({ org_id: p.orgId, term, patient_id: p.id });
      }
    }
    // Multi-row inserts of 300 rows (900 parameters) keep the statement count low.
    for (let i = 0; i < staged.length; i += 300) {
      const part = staged.slice(i, i + 300);
      await tx.run(
        sql`INSERT INTO temp.search_stage (org_id, term, patient_id) VALUES ${
          sql.join(part.map((r) => sql`(${r.org_id}, ${r.term}, ${r.patient_id})`), sql`, `)
        }`,
      );
    }
  }
  await tx.run(sql`INSERT OR IGNORE INTO patient_search_terms (org_id, term, patient_id)
    SELECT org_id, term, patient_id FROM temp.search_stage ORDER BY org_id, term, patient_id`);
  const vocabulary = await tx.all<[string, string, number]>(sql`SELECT org_id, term, count(*)
    FROM temp.search_stage WHERE term >= 'n:' AND term < 'n;' GROUP BY org_id, term`);
  await tx.run(sql`DROP TABLE temp.search_stage`);
  for (let i = 0; i < vocabulary.length; i += 200) {
    await tx.insert(patientNameTerms).values(
      vocabulary.slice(i, i + 200).map(([org, t, n]) => {
        return { orgId: org, term: t.slice(2), patients: n };
      }),
    );
  }
  await addTypoKeys(tx, orgId, vocabulary.map(([, t]) => t.slice(2)));
}

/**
 * Builds the index, at start, for every organisation that has listed patients but no index (a
 * database loaded in bulk, or upgraded from before the index). Two index probes per
 * organisation, in a write transaction, so processes starting together build it once.
 */
export async function ensureSearchIndex(deps: Pick<Deps, "db" | "logger">) {
  await deps.db.transaction(async (tx) => {
    const missing = await tx.all<[string]>(sql`SELECT o.id FROM organizations o
      WHERE EXISTS (SELECT 1 FROM patients p WHERE p.org_id = o.id
        AND p.deleted_at IS NULL AND p.merged_into IS NULL)
      AND NOT EXISTS (SELECT 1 FROM patient_search_terms t WHERE t.org_id = o.id)`);
    for (const [orgId] of missing) {
      const t0 = performance.now();
      await rebuildSearchIndex(tx, orgId);
      deps.logger.info("search index built", { orgId, ms: Math.round(performance.now() - t0) });
    }
  });
}
