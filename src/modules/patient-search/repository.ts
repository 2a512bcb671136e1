/**
 * Search, list and stats SQL. Candidate queries walk `patient_search_terms` (the index) joined to
 * `patients` for the filters, always with a LIMIT: a common term is never ranked unbounded.
 */
import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import { type SQLiteColumn, SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { DatabaseHandle, Db } from "../../../db/client.ts";
import { patients } from "../../../db/schema/mod.ts";
import { yearsBefore } from "../../lib/time.ts";
import { rangeEnd } from "../patients/mod.ts";
import type { PatientFilters } from "./filters.ts";

/**
 * The filters as SQL conditions on `patients`; listed records only (not merged, not deleted).
 * `plain(column)`: whether the query may be driven by that column's indexes. The others are
 * wrapped in a unary +, which keeps SQLite from choosing their index: a search walks the index of
 * terms and joins patients by id (none plain), a list walks its sort's index or a filter's
 * (list-query.ts); with a date or status filter SQLite otherwise may pick that filter's index,
 * and then scans or sorts a large part of the organisation.
 */
export function filterConditions(
  orgId: string,
  f: PatientFilters,
  today: string | null,
  plain: (column: SQLiteColumn) => boolean = () => true,
): SQL {
  const col = (c: SQLiteColumn) => (plain(c) ? sql`${c}` : sql`+${c}`);
  const c: (SQL | undefined)[] = [
    sql`${col(patients.orgId)} = ${orgId}`,
    sql`${col(patients.deletedAt)} IS NULL`,
    sql`${col(patients.mergedInto)} IS NULL`,
  ];
  if (f.status) c.push(sql`${col(patients.status)} = ${f.status}`);
  if (f.sex) c.push(sql`${col(patients.sex)} = ${f.sex}`);
  for (const tag of f.tags ?? []) {
    c.push(sql`EXISTS (SELECT 1 FROM json_each(${patients.tags}) WHERE value = ${tag})`);
  }
  if (today && f.ageMin !== undefined) {
    c.push(sql`${col(patients.birthDate)} <= ${yearsBefore(today, f.ageMin)}`);
  }
  if (today && f.ageMax !== undefined) {
    c.push(sql`${col(patients.birthDate)} > ${yearsBefore(today, f.ageMax + 1)}`);
  }
  if (f.registeredFrom) c.push(sql`${col(patients.createdAt)} >= ${f.registeredFrom}`);
  if (f.registeredTo) c.push(sql`${col(patients.createdAt)} < ${f.registeredTo + "T99"}`);
  if (f.lastVisitFrom) c.push(sql`${col(patients.lastVisitAt)} >= ${f.lastVisitFrom}`);
  if (f.lastVisitTo) c.push(sql`${col(patients.lastVisitAt)} < ${f.lastVisitTo + "T99"}`);
  if (f.hasAllergy !== undefined) {
    const exists = sql`EXISTS (SELECT 1 FROM patient_allergies a WHERE a.patient_id = ${patients.id}
      AND a.status = 'active' AND a.deleted_at IS NULL)`;
    c.push(f.hasAllergy ? exists : sql`NOT ${exists}`);
  }
  return and(...c)!;
}

/** A candidate: what ranking needs, without the whole record. */
export interface Candidate {
  id: string;
  /** The record's rowid: the page reads records by it (one B-tree lookup instead of two). */
  r: number;
  givenName: string;
  middleName: string | null;
  familyName: string;
}

/** How a candidate query selects index terms. */
export type TermMatch =
  | { exact: string[] }
  | { prefix: string; exclude?: string };

/** A filter as SQL text and its parameters, converted once per search. */
export interface Fragment {
  sql: string;
  params: unknown[];
}
const dialect = new SQLiteSyncDialect();
export const fragmentOf = (condition: SQL): Fragment => dialect.sqlToQuery(condition);

const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/*
 * The queries below run several times per search, so they are written as SQL text and run as raw
 * prepared statements on the reader (`readRows`): measured at a million patients, building them
 * with drizzle and mapping their rows cost ~0.6 ms per query, against ~0.04 ms for SQLite to
 * answer a rare name. The table and column names are those of db/schema/patients.ts.
 */

/**
 * Up to `limit` listed patients carrying a matching term, filtered. Index order (term, then
 * patient id) is the scan order, so the LIMIT stops the walk early.
 */
export async function candidates(
  handle: DatabaseHandle,
  orgId: string,
  match: TermMatch,
  where: Fragment,
  limit: number,
  alsoHas?: string[][],
  examine?: number,
): Promise<Candidate[]> {
  const params: unknown[] = [orgId];
  let term: string;
  if ("exact" in match) {
    term = match.exact.length === 1 ? "t.term = ?" : `t.term IN (${marks(match.exact.length)})`;
    params.push(...match.exact);
  } else {
    term = "t.term >= ? AND t.term < ?" + (match.exclude ? " AND t.term <> ?" : "");
    params.push(match.prefix, rangeEnd(match.prefix));
    if (match.exclude) params.push(match.exclude);
  }
  // Other words must match too: checked in the index by point lookups on the scanned row's
  // patient id (before the join), so the walk stops once `limit` patients have every word.
  let exists = "";
  for (const terms of alsoHas ?? []) {
    exists += ` AND EXISTS (SELECT 1 FROM patient_search_terms t2 WHERE t2.org_id = ?
      AND t2.term IN (${marks(terms.length)}) AND t2.patient_id = t.patient_id)`;
    params.push(orgId, ...terms);
  }
  params.push(...where.params, limit);
  // One exact term holds each patient once; ranges and term lists may hold one several times.
  const distinct = "exact" in match && match.exact.length === 1 ? "" : "DISTINCT ";
  // `examine` bounds the index entries walked (a best-effort tier over a common word), so a
  // narrowed scan costs at most that many point lookups whatever the word's frequency.
  const postings = examine === undefined
    ? `patient_search_terms t`
    : `(SELECT t.patient_id FROM patient_search_terms t WHERE t.org_id = ? AND ${term} LIMIT ${
      Math.floor(examine)
    }) t`;
  const sql = examine === undefined
    ? `SELECT ${distinct}"patients"."id", "patients".rowid AS r, "patients"."given_name",
      "patients"."middle_name",
      "patients"."family_name"
    FROM ${postings} JOIN "patients" ON "patients"."id" = t.patient_id
    WHERE t.org_id = ? AND ${term}${exists} AND ${where.sql} LIMIT ?`
    : `SELECT DISTINCT "patients"."id", "patients".rowid AS r, "patients"."given_name",
      "patients"."middle_name",
      "patients"."family_name"
    FROM ${postings} JOIN "patients" ON "patients"."id" = t.patient_id
    WHERE 1${exists} AND ${where.sql} LIMIT ?`;
  // One JSON text instead of a row each: the driver fetches rows one native call at a time,
  // which cost more than the scan for a few hundred candidates.
  const [row] = await handle.readRows(
    `SELECT json_group_array(json_array(id, r, given_name, middle_name, family_name))
      FROM (${sql})`,
    params,
  );
  return (JSON.parse(row[0] as string) as [string, number, string, string | null, string][])
    .map((c) => ({ id: c[0], r: c[1], givenName: c[2], middleName: c[3], familyName: c[4] }));
}

/** A vocabulary entry: a distinct name part and how many patients carry it. */
export interface VocabularyTerm {
  term: string;
  patients: number;
}

const toTerms = (rows: unknown[][]): VocabularyTerm[] =>
  rows.map((r) => ({ term: r[0] as string, patients: r[1] as number }));

/**
 * The words starting with `token` (itself included) that some patient carries: one range scan of
 * the vocabulary answers both "how many carry it exactly" and "how many by prefix".
 */
export async function vocabularyFrom(handle: DatabaseHandle, orgId: string, token: string) {
  const words = toTerms(
    await handle.readRows(
      `SELECT term, patients FROM patient_name_terms
      WHERE org_id = ? AND term >= ? AND term < ? AND patients > 0 LIMIT 501`,
      [orgId, token, rangeEnd(token)],
    ),
  );
  const exact = words.find((w) => w.term === token)?.patients ?? 0;
  const prefix = words.reduce((n, w) => n + (w.term === token ? 0 : w.patients), 0);
  return { exact, prefix };
}

/**
 * Vocabulary words that may be one edit from `token`: those sharing one of its typo keys (itself
 * or a deletion, see patient_name_variants), carried by at least one patient. Point lookups, a
 * few dozen rows; the caller keeps those truly within one edit.
 */
export async function vocabularyTypos(
  handle: DatabaseHandle,
  orgId: string,
  keys: string[],
): Promise<VocabularyTerm[]> {
  return toTerms(
    await handle.readRows(
      `SELECT DISTINCT v.term, n.patients FROM patient_name_variants v
      JOIN patient_name_terms n ON n.org_id = v.org_id AND n.term = v.term
      WHERE v.org_id = ? AND v.variant IN (${marks(keys.length)}) AND n.patients > 0`,
      [orgId, ...keys],
    ),
  );
}

export type ListSort = "createdAt" | "-createdAt" | "familyName" | "-familyName";

/**
 * Counts by status × sex, with one count per age band, grouped in the order of the
 * (org_id, status, sex, birth_date) index so SQLite streams the groups instead of sorting rows.
 * `bandStarts`: birth-date bounds, youngest band first (born after bandStarts[0] is band 0, …).
 * `hidden`: count only deleted or merged records (the partial index patients_org_hidden_idx)
 * instead of every record; listed = every − hidden, and both are covering index scans, where
 * testing each row for deleted/merged would cost a row lookup per patient (~4 s at a million).
 */
export function statsGroups(db: Db, orgId: string, bandStarts: string[], hidden: boolean) {
  const bands: Record<string, SQL<number>> = {};
  const bounds = [null, ...bandStarts, null];
  for (let i = 0; i < bounds.length - 1; i++) {
    const younger = bounds[i], older = bounds[i + 1];
    bands[`b${i}`] = sql<number>`sum(${
      and(
        younger === null ? undefined : sql`${patients.birthDate} <= ${younger}`,
        older === null
          ? sql`${patients.birthDate} IS NOT NULL`
          : sql`${patients.birthDate} > ${older}`,
      )
    })`;
  }
  return db.select({
    status: patients.status,
    sex: patients.sex,
    n: sql<number>`count(*)`,
    unknown: sql<number>`sum(${patients.birthDate} IS NULL)`,
    ...bands,
  }).from(patients).where(and(
    eq(patients.orgId, orgId),
    hidden
      ? sql`(${patients.deletedAt} IS NOT NULL OR ${patients.mergedInto} IS NOT NULL)`
      : undefined,
  )).groupBy(patients.status, patients.sex);
}

/** Listed patients registered on or after `since` (an ISO instant). */
export async function countRegisteredSince(db: Db, orgId: string, since: string) {
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(patients).where(and(
    eq(patients.orgId, orgId),
    sql`${patients.createdAt} >= ${since}`,
    isNull(patients.deletedAt),
    isNull(patients.mergedInto),
  ));
  return row.n;
}
