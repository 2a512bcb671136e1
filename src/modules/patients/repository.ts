/**
 * Patient queries. The read by id is built once and run as a raw prepared statement (`hotRead`);
 * list queries are built with drizzle per request.
 */
import { and, asc, desc, eq, gt, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import { type DatabaseHandle, type Db, hotRead } from "../../../db/client.ts";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { patients } from "../../../db/schema/mod.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";

export type PatientRow = typeof patients.$inferSelect;

/** The columns a response shows: each column read costs a native-to-JS conversion. */
const shown = {
  id: patients.id,
  mrn: patients.mrn,
  givenName: patients.givenName,
  familyName: patients.familyName,
  birthDate: patients.birthDate,
  sex: patients.sex,
  phone: patients.phone,
  email: patients.email,
  nationalId: patients.nationalId,
  version: patients.version,
  createdAt: patients.createdAt,
  updatedAt: patients.updatedAt,
};
export type ShownPatient = { [K in keyof typeof shown]: PatientRow[K] };

// Built with drizzle once; only text and integer columns, so no value decoding is needed.
const byId = hotRead<ShownPatient>(
  new QueryBuilder().select(shown).from(patients).where(and(
    eq(patients.id, sql.placeholder("id")),
    eq(patients.orgId, sql.placeholder("orgId")),
    isNull(patients.deletedAt),
  )),
  Object.keys(shown) as (keyof ShownPatient)[],
);

/** The hottest query of a clinic system: one patient by id, within the organisation. */
export function findPatient(
  handle: DatabaseHandle,
  orgId: string,
  id: string,
): Promise<ShownPatient | undefined> {
  return byId(handle, { id, orgId });
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => "\\" + m);

export async function listPatients(
  db: Db,
  orgId: string,
  q: { limit: number; cursor?: string; q?: string; sex?: string; sort: string },
) {
  const where: (SQL | undefined)[] = [eq(patients.orgId, orgId), isNull(patients.deletedAt)];
  if (q.sex) where.push(eq(patients.sex, q.sex));
  if (q.q) {
    const prefix = `${escapeLike(q.q)}%`;
    where.push(or(
      sql`${patients.familyName} LIKE ${prefix} ESCAPE '\\'`,
      sql`${patients.givenName} LIKE ${prefix} ESCAPE '\\'`,
      eq(patients.mrn, q.q.toUpperCase()),
    ));
  }
  const descending = q.sort.startsWith("-");
  const field = q.sort.replace("-", "") === "familyName" ? patients.familyName : patients.createdAt;
  const cursor = decodeCursor(q.cursor);
  if (cursor) {
    const v = String(cursor.v);
    const cmp = descending ? lt : gt;
    where.push(or(cmp(field, v), and(eq(field, v), cmp(patients.id, cursor.id))));
  }
  const order = descending ? [desc(field), desc(patients.id)] : [asc(field), asc(patients.id)];
  const rows = await db.select().from(patients).where(and(...where)).orderBy(...order)
    .limit(q.limit + 1);
  const key = q.sort.replace("-", "") as "familyName" | "createdAt";
  return pageOf(rows, q.limit, (r) => r[key]);
}
