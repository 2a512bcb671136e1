/**
 * Search, list and stats SQL. Candidate queries walk `patient_search_terms` (the index) joined to
 * `patients` for the filters, always with a LIMIT: a common term is never ranked unbounded.
 */
import { and, asc, desc, eq, gt, inArray, isNull, lt, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../../../db/client.ts";
import {
  organizations,
  patientNameTerms,
  type PatientRow,
  patients,
  patientSearchTerms,
} from "../../../db/schema/mod.ts";
import type { PatientFilters } from "./filters.ts";

/** Upper bound for "starts with" ranges: the highest code point sorts after every suffix. */
export const rangeEnd = (prefix: string) => `${prefix}\u{10FFFF}`;

/** The organisation's timezone and MRN format. */
export async function orgSettings(db: Db, orgId: string) {
  const [row] = await db.select({
    timezone: organizations.timezone,
    mrnPrefix: organizations.mrnPrefix,
    mrnDigits: organizations.mrnDigits,
  }).from(organizations).where(eq(organizations.id, orgId));
  return row ?? { timezone: "UTC", mrnPrefix: "MRN", mrnDigits: 6 };
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** Today's date (YYYY-MM-DD) in `timezone` (formatters are cached: building one costs ~0.5 ms). */
export function todayIn(timezone: string, now: Date): string {
  try {
    let f = dayFormats.get(timezone);
    if (!f) {
      f = new Intl.DateTimeFormat("en-CA", { timeZone: timezone });
      if (dayFormats.size > 500) dayFormats.clear();
      dayFormats.set(timezone, f);
    }
    return f.format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

/** `date` moved back by `years` whole years (29 February falls back to the 28th). */
export function yearsBefore(date: string, years: number): string {
  const [y, m, d] = date.split("-").map(Number);
  const yy = y - years;
  const leap = (yy % 4 === 0 && yy % 100 !== 0) || yy % 400 === 0;
  const day = m === 2 && d === 29 && !leap ? 28 : d;
  return `${String(yy).padStart(4, "0")}-${String(m).padStart(2, "0")}-${
    String(day).padStart(2, "0")
  }`;
}

/**
 * The filters as SQL conditions on `patients`; listed records only (not merged, not deleted).
 * `termsDrive`: the query walks the search index and joins patients by id, so every column is
 * wrapped in a unary + that keeps SQLite from driving it from a patients index instead (with a
 * date or status filter it otherwise may, and then scans a large part of the organisation).
 */
export function filterConditions(
  orgId: string,
  f: PatientFilters,
  today: string | null,
  termsDrive = false,
): SQL {
  const col = (c: SQLiteColumn) => (termsDrive ? sql`+${c}` : sql`${c}`);
  const c: (SQL | undefined)[] = [
    sql`${col(patients.orgId)} = ${orgId}`,
    isNull(patients.deletedAt),
    isNull(patients.mergedInto),
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
  if (f.lastVisitFrom) c.push(sql`${patients.lastVisitAt} >= ${f.lastVisitFrom}`);
  if (f.lastVisitTo) c.push(sql`${patients.lastVisitAt} < ${f.lastVisitTo + "T99"}`);
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
  givenName: string;
  middleName: string | null;
  familyName: string;
}

const candidateColumns = {
  id: patients.id,
  givenName: patients.givenName,
  middleName: patients.middleName,
  familyName: patients.familyName,
};

/** How a candidate query selects index terms. */
export type TermMatch =
  | { exact: string[] }
  | { prefix: string; exclude?: string };

/**
 * Up to `limit` listed patients carrying a matching term, filtered. Index order (term, then
 * patient id) is the scan order, so the LIMIT stops the walk early.
 */
export async function candidates(
  db: Db,
  orgId: string,
  match: TermMatch,
  where: SQL,
  limit: number,
  alsoHas?: string[][],
): Promise<Candidate[]> {
  const termCond = "exact" in match
    ? (match.exact.length === 1
      ? eq(patientSearchTerms.term, match.exact[0])
      : inArray(patientSearchTerms.term, match.exact))
    : and(
      sql`${patientSearchTerms.term} >= ${match.prefix}`,
      lt(patientSearchTerms.term, rangeEnd(match.prefix)),
      match.exclude ? sql`${patientSearchTerms.term} <> ${match.exclude}` : undefined,
    );
  // One exact term holds each patient once; ranges and term lists may hold one several times.
  const single = "exact" in match && match.exact.length === 1;
  const select = single ? db.select(candidateColumns) : db.selectDistinct(candidateColumns);
  // Other words must match too: checked in the index by point lookups on the scanned row's
  // patient id (before the join), so the walk stops once `limit` patients have every word.
  const exists = (alsoHas ?? []).map((terms) =>
    sql`EXISTS (SELECT 1 FROM patient_search_terms t2 WHERE t2.org_id = ${orgId}
      AND t2.term IN ${terms} AND t2.patient_id = ${patientSearchTerms.patientId})`
  );
  return await select.from(patientSearchTerms)
    .innerJoin(patients, eq(patients.id, patientSearchTerms.patientId))
    .where(and(eq(patientSearchTerms.orgId, orgId), termCond, ...exists, where))
    .limit(limit);
}

/** A vocabulary entry: a distinct name part and how many patients carry it. */
export interface VocabularyTerm {
  term: string;
  patients: number;
}

/**
 * The vocabulary reads, prepared once per connection: they run several times per search, and
 * building their SQL with drizzle cost more than SQLite answering them.
 */
function vocabularyStatements(db: Db) {
  const org = eq(patientNameTerms.orgId, sql.placeholder("org"));
  const len = sql`length(${patientNameTerms.term}) BETWEEN ${sql.placeholder("min")} AND ${
    sql.placeholder("max")
  }`;
  const term = { term: patientNameTerms.term };
  return {
    exact: db.select({ n: patientNameTerms.patients }).from(patientNameTerms)
      .where(and(org, eq(patientNameTerms.term, sql.placeholder("term")))).prepare(),
    prefix: db.select({ term: patientNameTerms.term, patients: patientNameTerms.patients })
      .from(patientNameTerms).where(and(
        org,
        sql`${patientNameTerms.term} > ${sql.placeholder("from")}`,
        sql`${patientNameTerms.term} < ${sql.placeholder("to")}`,
        gt(patientNameTerms.patients, 0),
      )).limit(500).prepare(),
    head: db.select(term).from(patientNameTerms).where(and(
      org,
      sql`${patientNameTerms.term} >= ${sql.placeholder("from")}`,
      sql`${patientNameTerms.term} < ${sql.placeholder("to")}`,
      len,
    )).limit(5000).prepare(),
    tail: db.select(term).from(patientNameTerms).where(and(
      org,
      sql`${patientNameTerms.reversed} >= ${sql.placeholder("from")}`,
      sql`${patientNameTerms.reversed} < ${sql.placeholder("to")}`,
      len,
    )).limit(5000).prepare(),
  };
}
const prepared = new WeakMap<Db, ReturnType<typeof vocabularyStatements>>();
const statementsOf = (db: Db) => {
  let s = prepared.get(db);
  if (!s) prepared.set(db, s = vocabularyStatements(db));
  return s;
};

export async function vocabularyExact(db: Db, orgId: string, term: string) {
  const [row] = await statementsOf(db).exact.all({ org: orgId, term });
  return row?.n ?? 0;
}

/** Name parts starting with `prefix` (not `prefix` itself), at most 500 of them. */
export function vocabularyPrefix(db: Db, orgId: string, prefix: string) {
  return statementsOf(db).prefix.all({ org: orgId, from: prefix, to: rangeEnd(prefix) });
}

/**
 * Typo candidates of `token`: vocabulary terms of length ±1 sharing its first letters (range on
 * term) or its last letters (range on reversed); the caller keeps those within one edit and
 * then asks their counts (`vocabularyCounts`). Only terms are read, so the reversed range is
 * answered from its index alone (it holds the primary key), without a row lookup per term.
 */
export async function vocabularyNear(db: Db, orgId: string, token: string, anchor: number) {
  const head = token.slice(0, anchor);
  const tail = [...token.slice(-anchor)].reverse().join("");
  const st = statementsOf(db);
  const len = { org: orgId, min: token.length - 1, max: token.length + 1 };
  // Two range scans, one per index: an OR of both makes SQLite walk the whole vocabulary.
  const [byHead, byTail] = await Promise.all([
    st.head.all({ ...len, from: head, to: rangeEnd(head) }),
    st.tail.all({ ...len, from: tail, to: rangeEnd(tail) }),
  ]);
  return [...new Set([...byHead, ...byTail].map((r) => r.term))];
}

/** Patient counts of `terms` (those some patient carries). */
export function vocabularyCounts(db: Db, orgId: string, terms: string[]) {
  if (!terms.length) return Promise.resolve([] as VocabularyTerm[]);
  return db.select({ term: patientNameTerms.term, patients: patientNameTerms.patients })
    .from(patientNameTerms).where(and(
      eq(patientNameTerms.orgId, orgId),
      inArray(patientNameTerms.term, terms),
      gt(patientNameTerms.patients, 0),
    ));
}

/** Full records of `ids` (the shown page), in no particular order. */
export function patientsByIds(db: Db, orgId: string, ids: string[]): Promise<PatientRow[]> {
  if (!ids.length) return Promise.resolve([]);
  // The unary + keeps SQLite from walking an (org_id, …) index instead of the id lookups.
  return db.select().from(patients).where(and(
    sql`+${patients.orgId} = ${orgId}`,
    inArray(patients.id, ids),
    isNull(patients.deletedAt),
  ));
}

export type ListSort = "createdAt" | "-createdAt" | "familyName" | "-familyName";

/** One keyset page of listed patients in `sort` order (`limit + 1` rows to learn if more exist). */
export function listPage(
  db: Db,
  where: SQL,
  sort: ListSort,
  after: { v: string; id: string } | undefined,
  limit: number,
): Promise<PatientRow[]> {
  const col = sort.endsWith("familyName") ? patients.familyName : patients.createdAt;
  const descending = sort.startsWith("-");
  const dir = descending ? desc : asc;
  const seek = after
    ? (descending
      ? sql`(${col}, ${patients.id}) < (${after.v}, ${after.id})`
      : sql`(${col}, ${patients.id}) > (${after.v}, ${after.id})`)
    : undefined;
  return db.select().from(patients).where(and(where, seek))
    .orderBy(dir(col), dir(patients.id)).limit(limit + 1);
}

/**
 * Counts by status × sex, with one count per age band, grouped in the order of the
 * (org_id, status, sex, birth_date) index so SQLite streams the groups instead of sorting rows.
 * `bandStarts`: birth-date bounds, youngest band first (born after bandStarts[0] is band 0, …).
 * Excluding merged and deleted records costs a row lookup each (neither column is indexed).
 */
export function statsGroups(db: Db, orgId: string, bandStarts: string[]) {
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
    isNull(patients.deletedAt),
    isNull(patients.mergedInto),
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
