/**
 * Duplicate detection and merge queries. Detection never scans the patients table: document ids
 * and phones are looked up in the search index (`patient_search_terms`), birth dates through the
 * (org_id, birth_date) index, and only the few matching records are then read in full.
 */
import { rangeEnd } from "../patient-search/repository.ts";
import { and, desc, eq, gte, inArray, isNull, lt, ne, type SQL } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import {
  patientMerges,
  type PatientRow,
  patients,
  patientSearchTerms,
} from "../../../db/schema/mod.ts";
import type { PatientReference } from "./references.ts";

/** Records that can be candidates: live, not merged, not `excludeId`. */
const candidateRows = (orgId: string, excludeId: string | undefined, ...more: SQL[]) =>
  and(
    eq(patients.orgId, orgId),
    isNull(patients.deletedAt),
    isNull(patients.mergedInto),
    ...(excludeId ? [ne(patients.id, excludeId)] : []),
    ...more,
  );

/** Ids of the patients carrying any of `terms` exactly (`d:<foldId>` document id terms). */
export async function patientIdsWithTerms(db: Db, orgId: string, terms: string[]) {
  if (terms.length === 0) return [];
  const rows = await db.selectDistinct({ id: patientSearchTerms.patientId })
    .from(patientSearchTerms)
    .where(and(eq(patientSearchTerms.orgId, orgId), inArray(patientSearchTerms.term, terms)));
  return rows.map((r) => r.id);
}

/**
 * Ids of the patients with a term starting with `prefix` (`p:<reversed digits>`: a phone whose
 * number ends with the given digits). Bounded: a shared line (a clinic's own number written
 * into many records) must not turn one check into a long read.
 */
export async function patientIdsWithTermPrefix(db: Db, orgId: string, prefix: string, max = 200) {
  const rows = await db.selectDistinct({ id: patientSearchTerms.patientId })
    .from(patientSearchTerms)
    .where(and(
      eq(patientSearchTerms.orgId, orgId),
      gte(patientSearchTerms.term, prefix),
      lt(patientSearchTerms.term, rangeEnd(prefix)),
    ))
    .limit(max);
  return rows.map((r) => r.id);
}

/** The names of the candidate records born on `birthDate` (index on org_id, birth_date). */
export function namesBornOn(db: Db, orgId: string, birthDate: string, excludeId?: string) {
  return db.select({
    id: patients.id,
    givenName: patients.givenName,
    middleName: patients.middleName,
    familyName: patients.familyName,
  }).from(patients)
    .where(candidateRows(orgId, excludeId, eq(patients.birthDate, birthDate)));
}

/** The full candidate records among `ids`. */
export async function candidatesByIds(
  db: Db,
  orgId: string,
  ids: string[],
  excludeId?: string,
): Promise<PatientRow[]> {
  if (ids.length === 0) return [];
  return await db.select().from(patients)
    .where(candidateRows(orgId, excludeId, inArray(patients.id, ids)));
}

/** Ids of the live rows of `table` whose `column` points at `patientId`. */
export async function referencingRowIds(
  tx: Db,
  ref: PatientReference,
  orgId: string,
  patientId: string,
): Promise<string[]> {
  const t = ref.table;
  const rows = await tx.select({ id: t.id }).from(t as never).where(and(
    eq(t.orgId, orgId),
    eq(ref.column, patientId),
    isNull(t.deletedAt),
  )) as { id: string }[];
  return rows.map((r) => r.id);
}

/** The latest merge of `duplicateId` into `survivorId` that has not been reversed. */
export async function latestOpenMerge(
  tx: Db,
  orgId: string,
  survivorId: string,
  duplicateId: string,
) {
  const [row] = await tx.select().from(patientMerges).where(and(
    eq(patientMerges.orgId, orgId),
    eq(patientMerges.duplicateId, duplicateId),
    eq(patientMerges.survivorId, survivorId),
    isNull(patientMerges.unmergedAt),
    isNull(patientMerges.deletedAt),
  )).orderBy(desc(patientMerges.createdAt), desc(patientMerges.id)).limit(1);
  return row;
}
