/**
 * One keyset page of the filtered list (no `q`), without scanning the organisation for a rare
 * filter. Two plans:
 *
 * - walk: the sort's index ((org_id, created_at, id) or (org_id, family_name, id)) in order, a
 *   step of rows at a time, testing each row against the filters, until the page is full. Cheap
 *   while matches are common (a filter matching 1 % reads ~2,500 rows for a page of 25), a scan
 *   of the organisation when nothing matches;
 * - driven: start from the patients a filter's own index names (a birth-date range, a status,
 *   a registration or last-visit window, a tag, an active allergy), test the other filters and
 *   sort those. Cheap while they are few.
 *
 * Each indexed filter present is probed by counting its index range up to DRIVE_MAX entries;
 * the smallest under the bound drives, otherwise the page walks, and switches to driving when
 * the walk finds matches too rare in its order (see below). Both plans test every filter,
 * so they return the same rows. Columns a plan must not be driven by are wrapped in a unary +,
 * which keeps SQLite's planner from choosing their indexes (with an age filter it otherwise
 * took the birth-date index and sorted every match, 0.5 s at a million patients).
 */
import { and, asc, desc, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { type Db, executorOf } from "../../../db/client.ts";
import { type PatientRow, patients } from "../../../db/schema/mod.ts";
import { yearsBefore } from "../../lib/time.ts";
import { tagTerm } from "../patients/mod.ts";
import { hasFilters, type PatientFilters } from "./filters.ts";
import { filterConditions, type ListSort } from "./repository.ts";

/** Most index entries the first probe counts; a filter matching fewer drives the page. */
export const DRIVE_MAX = 2_000;
/** Sort-index entries one walk step reads (a covering scan, then a row read each). */
export const WALK_STEP = 1_000;
/** After an unproductive walk step, a filter matching fewer than this drives instead. */
export const DRIVE_BIG = 12_000;

/**
 * The patients a filter's index yields, a superset of the page's rows: by rowid for the indexes
 * of `patients` (a covering scan, then one B-tree lookup per row instead of two by id).
 */
interface Driver {
  rowid: boolean;
  ids: SQL;
}

function driversOf(orgId: string, f: PatientFilters, today: string | null): Driver[] {
  const out: Driver[] = [];
  const own = (ids: SQL) => out.push({ rowid: true, ids });
  const range = (index: string, column: string, from?: string, before?: string) =>
    own(
      sql`SELECT rowid FROM patients INDEXED BY ${sql.raw(index)} WHERE org_id = ${orgId}${
        from === undefined ? sql`` : sql` AND ${sql.raw(column)} >= ${from}`
      }${before === undefined ? sql`` : sql` AND ${sql.raw(column)} < ${before}`}`,
    );
  if (today && (f.ageMin !== undefined || f.ageMax !== undefined)) {
    // The bounds of filterConditions: born on or before `ageMin` years ago, after `ageMax + 1`.
    const latest = f.ageMin === undefined ? undefined : yearsBefore(today, f.ageMin);
    const earliest = f.ageMax === undefined ? undefined : yearsBefore(today, f.ageMax + 1);
    own(
      sql`SELECT rowid FROM patients INDEXED BY patients_org_birth_idx WHERE org_id = ${orgId}${
        latest === undefined ? sql`` : sql` AND birth_date <= ${latest}`
      }${earliest === undefined ? sql`` : sql` AND birth_date > ${earliest}`}`,
    );
  }
  if (f.status) {
    own(
      sql`SELECT rowid FROM patients INDEXED BY patients_org_status_sex_idx WHERE org_id = ${orgId}
        AND status = ${f.status}${f.sex ? sql` AND sex = ${f.sex}` : sql``}`,
    );
  }
  if (f.registeredFrom || f.registeredTo) {
    range(
      "patients_org_created_idx",
      "created_at",
      f.registeredFrom,
      f.registeredTo && f.registeredTo + "T99",
    );
  }
  if (f.lastVisitFrom || f.lastVisitTo) {
    range(
      "patients_org_last_visit_idx",
      "last_visit_at",
      f.lastVisitFrom,
      f.lastVisitTo && f.lastVisitTo + "T99",
    );
  }
  for (const tag of f.tags ?? []) {
    out.push({
      rowid: false,
      ids: sql`SELECT patient_id FROM patient_search_terms WHERE org_id = ${orgId}
        AND term = ${tagTerm(tag)}`,
    });
  }
  if (f.hasAllergy === true) {
    out.push({
      rowid: false,
      ids: sql`SELECT patient_id FROM patient_allergies INDEXED BY
        patient_allergies_org_active_idx
        WHERE org_id = ${orgId} AND status = 'active' AND deleted_at IS NULL`,
    });
  }
  return out;
}

/** The driver with the fewest entries (and how many), if it has fewer than `max`. */
async function smallestDriver(db: Db, drivers: Driver[], max: number) {
  let best: { n: number; driver: Driver } | undefined;
  for (const driver of drivers) {
    const [row] = await db.all<[number]>(
      sql`SELECT count(*) FROM (${driver.ids} LIMIT ${max})`,
    );
    if (row[0] < max && (!best || row[0] < best.n)) best = { n: row[0], driver };
    if (best?.n === 0) break;
  }
  return best;
}

/**
 * The SQL of the list without filters (the front desk's default), built once per sort and
 * cursor: drizzle building the general query cost more than running it. The sort's index is
 * walked in order; deleted and merged records are passed over on the way.
 */
const plainSql = (sort: ListSort, seek: boolean) => {
  const family = sort.endsWith("familyName");
  const col = family ? "family_name" : "created_at";
  const dir = sort.startsWith("-") ? "DESC" : "ASC";
  return `SELECT json_group_array(json_array(r, v, id)) FROM (
    SELECT rowid AS r, "${col}" AS v, "id" FROM "patients"
      INDEXED BY ${family ? "patients_org_family_idx" : "patients_org_created_idx"}
    WHERE "org_id" = ?1 AND "deleted_at" IS NULL AND "merged_into" IS NULL${
    seek ? ` AND ("${col}", "id") ${dir === "DESC" ? "<" : ">"} (?2, ?3)` : ""
  }
    ORDER BY "${col}" ${dir}, "id" ${dir} LIMIT ?4)`;
};
const SORTS: ListSort[] = ["createdAt", "-createdAt", "familyName", "-familyName"];
const PLAIN = new Map(
  SORTS.flatMap((s) => [[`${s}+`, plainSql(s, true)], [s, plainSql(s, false)]]),
);

async function plainKeys(
  db: Db,
  orgId: string,
  sort: ListSort,
  after: { v: string; id: string } | undefined,
  n: number,
): Promise<ListKey[]> {
  const query = PLAIN.get(after ? `${sort}+` : sort)!;
  const { rows } = await executorOf(db)(
    query,
    [orgId, after?.v ?? null, after?.id ?? null, n],
    "get",
  );
  return (JSON.parse(rows[0]) as [number, string, string][]).map(([r, v, id]) => ({ r, v, id }));
}

/** A listed patient's place in the list: its rowid, and its sort value and id for the cursor. */
export interface ListKey {
  r: number;
  v: string;
  id: string;
}

type Bounds = { driveMax: number; walkStep: number; driveBig: number };
const BOUNDS: Bounds = { driveMax: DRIVE_MAX, walkStep: WALK_STEP, driveBig: DRIVE_BIG };

/**
 * One keyset page of listed patients in `sort` order (`limit + 1` rows to learn if more exist),
 * as whole rows; it takes what `listKeys` takes.
 */
export async function listPage(
  db: Db,
  ...args: Parameters<typeof listKeys> extends [Db, ...infer Rest] ? Rest : never
): Promise<PatientRow[]> {
  const keys = await listKeys(db, ...args);
  if (keys.length === 0) return [];
  const rows = await db.select({ r: sql<number>`${patients}.rowid`, p: patients }).from(patients)
    .where(sql`${patients}.rowid IN (${sql.join(keys.map((k) => sql`${k.r}`), sql`, `)})`);
  const byRowid = new Map(rows.map((x) => [x.r, x.p]));
  return keys.map((k) => byRowid.get(k.r)!);
}

/** The keys of one page of listed patients, for a caller that reads the records its own way. */
export async function listKeys(
  db: Db,
  orgId: string,
  f: PatientFilters,
  today: string | null,
  sort: ListSort,
  after: { v: string; id: string } | undefined,
  limit: number,
  bounds = BOUNDS,
): Promise<ListKey[]> {
  if (!hasFilters(f)) return plainKeys(db, orgId, sort, after, limit + 1);
  const family = sort.endsWith("familyName");
  const col = family ? patients.familyName : patients.createdAt;
  const index = sql.raw(family ? "patients_org_family_idx" : "patients_org_created_idx");
  const descending = sort.startsWith("-");
  const dir = descending ? desc : asc;
  const order = sql.raw(descending ? "DESC" : "ASC");
  const seekOf = (from: { v: string; id: string } | undefined, ref: (c: SQLiteColumn) => SQL) =>
    from
      ? sql`(${ref(col)}, ${ref(patients.id)}) ${
        sql.raw(descending ? "<" : ">")
      } (${from.v}, ${from.id})`
      : undefined;
  // Only the id list may pick an index, the sort included (done in memory over the few rows
  // the list names): every column in a unary +.
  const plus = (c: SQLiteColumn) => sql`+${c}`;
  // Sorting only the row ids and keys, then reading the page's rows: sorting thousands of whole
  // records (their JSON columns included) cost twice the rest of the query.
  const rowid = sql<number>`${patients}.rowid`;
  // The keys come back as one JSON text: the driver fetches rows one native call at a time,
  // which cost more than the query for a page's 26.
  const pageWithin = async (ids: SQL, from: typeof after, n: number): Promise<ListKey[]> => {
    const keys = db.select({ r: sql`${rowid}`.as("r"), v: sql`${col}`.as("v"), id: patients.id })
      .from(patients)
      .where(and(filterConditions(orgId, f, today, () => false), ids, seekOf(from, plus)))
      .orderBy(dir(plus(col)), dir(plus(patients.id))).limit(n);
    const [row] = await db.all<[string]>(
      sql`SELECT json_group_array(json_array(r, v, id)) FROM (${keys})`,
    );
    return (JSON.parse(row[0]) as [number, string, string][]).map(([r, v, id]) => ({ r, v, id }));
  };
  const driven = (d: Driver) =>
    pageWithin(
      d.rowid ? sql`${patients}.rowid IN (${d.ids})` : sql`${patients.id} IN (${d.ids})`,
      after,
      limit + 1,
    );

  const drivers = driversOf(orgId, f, today);
  const small = await smallestDriver(db, drivers, bounds.driveMax);
  if (small) return await driven(small.driver);

  // Walk the sort's index a step at a time: the step's rows that pass the filters, in order.
  // The first step is a few pages long (enough when matches are common). After a longer one,
  // the matches found so far tell how far the walk still has to go: when that is more than
  // twice what a filter's index names (matches rare in this order, as with a filter correlated
  // with it: visits long ago, walked from the newest registrations), that filter drives
  // instead. Walking costs less per row (the sort's order is mostly the table's), driving reads
  // rows scattered across the table.
  const out: ListKey[] = [];
  let from = after;
  let walkedRows = 0;
  // Walking the registration order, a registration window bounds the walk itself.
  const registered = family
    ? sql``
    : sql`${f.registeredFrom ? sql` AND created_at >= ${f.registeredFrom}` : sql``}${
      f.registeredTo ? sql` AND created_at < ${f.registeredTo + "T99"}` : sql``
    }`;
  const raw = (c: SQLiteColumn) => sql.raw(`"${c.name}"`);
  for (let i = 0;; i++) {
    const size = i === 0 ? Math.min(4 * (limit + 1), bounds.walkStep) : bounds.walkStep;
    const walked = (fields: SQL, limitSql: SQL) =>
      sql`SELECT ${fields} FROM patients INDEXED BY ${index} WHERE org_id = ${orgId}${
        from ? sql` AND ${seekOf(from, raw)}` : sql``
      }${registered} ORDER BY ${raw(col)} ${order}, id ${order} ${limitSql}`;
    const step = walked(sql`rowid`, sql`LIMIT ${size}`);
    out.push(
      ...await pageWithin(sql`${patients}.rowid IN (${step})`, undefined, limit + 1 - out.length),
    );
    if (out.length > limit) return out;
    const [last] = await db.all<[string, string]>(
      walked(sql`${raw(col)}, id`, sql`LIMIT 1 OFFSET ${size - 1}`),
    );
    if (!last) return out;
    walkedRows += size;
    if (i === 1) {
      const ahead = (limit + 1 - out.length) * walkedRows / Math.max(out.length, 0.5);
      const big = await smallestDriver(
        db,
        drivers,
        Math.floor(Math.min(bounds.driveBig, ahead / 2)),
      );
      if (big) return await driven(big.driver);
    }
    from = { v: last[0], id: last[1] };
  }
}
