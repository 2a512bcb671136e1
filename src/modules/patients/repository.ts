/**
 * Patient record queries. The read by id is built once and run as a raw prepared statement
 * (`hotRead`): it is the hottest query of a clinic system.
 */
import { and, eq, getTableColumns, isNull, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type DatabaseHandle, type Db, hotRead } from "../../../db/client.ts";
import { organizations, type PatientRow, patients } from "../../../db/schema/mod.ts";

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

/** The same inside a write transaction, where the reader connection would not see its writes. */
export async function findPatientInTx(tx: Db, orgId: string, id: string) {
  const rows = await tx.select().from(patients).where(
    and(eq(patients.id, id), eq(patients.orgId, orgId), isNull(patients.deletedAt)),
  );
  return rows[0];
}

/** The organisation's MRN format. */
export async function mrnFormatOf(tx: Db, orgId: string) {
  const [row] = await tx.select({
    prefix: organizations.mrnPrefix,
    digits: organizations.mrnDigits,
  })
    .from(organizations).where(eq(organizations.id, orgId));
  return row ?? { prefix: "MRN", digits: 6 };
}
