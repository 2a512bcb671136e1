/**
 * Patient record queries. The read by id is built once and run as a raw prepared statement
 * (`hotRead`): it is the hottest query of a clinic system.
 *
 * Duplicate detection never scans the patients table: document ids and phones are looked up in
 * the search index (`patient_search_terms`), birth dates through the (org_id, birth_date) index,
 * and only the few matching records are then read in full.
 */
import {
  and,
  eq,
  getTableColumns,
  gte,
  inArray,
  isNull,
  lt,
  ne,
  type Placeholder,
  type SQL,
  sql,
} from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type DatabaseHandle, hotRead, prepared } from "../../../db/client.ts";
import type { Db } from "../../../db/client.ts";
import { type PatientRow, patients, patientSearchTerms } from "../../../db/schema/mod.ts";
import { rangeEnd } from "./search-terms.ts";

const columns = getTableColumns(patients);
type Key = keyof typeof columns;
const keys = Object.keys(columns) as Key[];

// Built with drizzle once; JSON and boolean columns are decoded by their own column mappers.
const byId = hotRead<Record<string, unknown>>(
  new QueryBuilder().select(columns).from(patients).where(and(
    eq(patients.id, sql.placeholder("id")),
    eq(patients.orgId, sql.placeholder("orgId")),
    isNull(patients.deletedAt),
  )),
  keys,
);
const decoded = keys.filter((k) =>
  columns[k].dataType === "json" || columns[k].dataType === "boolean"
);

function decode(raw: Record<string, unknown>): PatientRow {
  for (const k of decoded) {
    const v = raw[k];
    if (v !== null && v !== undefined) raw[k] = columns[k].mapFromDriverValue(v as never);
  }
  return raw as PatientRow;
}

/** One live (not deleted) patient of the organisation, merged ones included. */
export async function findPatient(
  handle: DatabaseHandle,
  orgId: string,
  id: string,
): Promise<PatientRow | undefined> {
  const raw = await byId(handle, { id, orgId });
  return raw ? decode(raw) : undefined;
}

/**
 * The fields of a patient as the API shows them, in order: the record read builds this JSON in
 * SQLite (`json_object`) rather than converting 30 columns to JavaScript values and serialising
 * them again, which cost ~13 µs of the ~20 µs read (measured at a million patients).
 */
export const RECORD_FIELDS = [
  "id",
  "mrn",
  "givenName",
  "middleName",
  "familyName",
  "birthDate",
  "birthDateEstimated",
  "sex",
  "phone",
  "otherPhones",
  "email",
  "nationalId",
  "identifiers",
  "address",
  "emergencyContacts",
  "insurance",
  "tags",
  "preferences",
  "status",
  "deceasedDate",
  "lastVisitAt",
  "mergedInto",
  "version",
  "createdAt",
  "updatedAt",
] as const satisfies readonly Key[];

const jsonValue = (k: Key, table: string) => {
  const col = `${table}"${columns[k].name}"`;
  if (columns[k].dataType === "json") return `json(${col})`;
  if (columns[k].dataType === "boolean") {
    return `json(CASE WHEN ${col} THEN 'true' ELSE 'false' END)`;
  }
  return col;
};
const recordJson = (table = "") =>
  `json_object(${RECORD_FIELDS.map((k) => `'${k}', ${jsonValue(k, table)}`).join(", ")})`;
/** SQL of the record as the API's JSON object (every field), over the `patients` table. */
export const RECORD_JSON = recordJson();
const jsonSql = `SELECT ${RECORD_JSON}, "version", "merged_into" FROM "patients"
  WHERE "id" = ? AND "org_id" = ? AND "deleted_at" IS NULL`;

/** One live patient as the API's JSON text, with what the handler needs besides. */
export async function findPatientJson(handle: DatabaseHandle, orgId: string, id: string) {
  const row = await handle.readRow(jsonSql, [id, orgId]);
  if (!row) return undefined;
  return { json: row[0] as string, version: row[1] as number, mergedInto: row[2] as string | null };
}

/**
 * A page of records as the API's JSON array text, in one statement: the records of `rowids`, in
 * that order, leaving out any deleted or merged since they were picked. CROSS JOIN keeps
 * json_each outside: as the inner loop, SQLite scanned the organisation. Converting 25 records'
 * 30 columns to JavaScript and serialising them again, or reading them one by one, cost several
 * times what SQLite takes to build the text.
 */
const pageSql = `SELECT '[' || coalesce(group_concat(rec, ',' ORDER BY k), '') || ']',
    coalesce(group_concat(pid, ',' ORDER BY k), '')
  FROM (SELECT j.key AS k, "patients"."id" AS pid, ${recordJson(`"patients".`)} AS rec
    FROM json_each(?1) j CROSS JOIN "patients" ON "patients".rowid = j.value
    WHERE "patients"."org_id" = ?2 AND "patients"."deleted_at" IS NULL
      AND "patients"."merged_into" IS NULL)`;

export async function pageJson(
  handle: DatabaseHandle,
  orgId: string,
  rowids: number[],
): Promise<{ json: string; ids: string[] }> {
  if (rowids.length === 0) return { json: "[]", ids: [] };
  const row = await handle.readRow(pageSql, [JSON.stringify(rowids), orgId]);
  const ids = row?.[1] as string | undefined;
  return { json: (row?.[0] as string | undefined) ?? "[]", ids: ids ? ids.split(",") : [] };
}

/** Records that can be candidates: live, not merged, not `excludeId`. */
const candidateRows = (
  orgId: string | Placeholder,
  excludeId: string | Placeholder | undefined,
  ...more: SQL[]
) =>
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
  const rows = await idsByTermPrefix.all(db, { orgId, prefix, end: rangeEnd(prefix), max });
  return rows.map((r) => r.id);
}

/** The names of the candidate records born on `birthDate` (index on org_id, birth_date). */
export function namesBornOn(db: Db, orgId: string, birthDate: string, excludeId?: string) {
  // Ids are never empty, so `<> ''` excludes nothing.
  return namesBornOnQuery.all(db, { orgId, birthDate, excludeId: excludeId ?? "" });
}

// Every registration's duplicate check asks both: built once.
const idsByTermPrefix = prepared<{ id: string }>(
  new QueryBuilder().selectDistinct({ id: patientSearchTerms.patientId })
    .from(patientSearchTerms)
    .where(and(
      eq(patientSearchTerms.orgId, sql.placeholder("orgId")),
      gte(patientSearchTerms.term, sql.placeholder("prefix")),
      lt(patientSearchTerms.term, sql.placeholder("end")),
    ))
    .limit(sql.placeholder("max")),
);
const namesBornOnQuery = prepared<
  { id: string; givenName: string; middleName: string | null; familyName: string }
>(
  new QueryBuilder().select({
    id: patients.id,
    givenName: patients.givenName,
    middleName: patients.middleName,
    familyName: patients.familyName,
  }).from(patients).where(candidateRows(
    sql.placeholder("orgId"),
    sql.placeholder("excludeId"),
    eq(patients.birthDate, sql.placeholder("birthDate")),
  )),
);

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
