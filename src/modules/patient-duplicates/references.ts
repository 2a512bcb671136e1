/**
 * Every column that points at a patient, so that a merge can move all of them to the survivor
 * and an unmerge can move back exactly what was moved. A module whose rows reference patients
 * (appointments, prescriptions, invoices…) adds its column with `registerPatientReference` when
 * its module loads; a column missing here would stay with the merged record.
 */
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { getTableColumns } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import {
  patientAllergies,
  patientDocuments,
  patientHistoryEntries,
} from "../../../db/schema/mod.ts";
import type { BusinessTable } from "../../../db/tenant.ts";

export interface PatientReference {
  table: BusinessTable;
  column: SQLiteColumn;
}

/** The registry; read it through `patientReferences()` and `referenceByTable()`. */
export const PATIENT_REFERENCES: PatientReference[] = [
  { table: patientAllergies, column: patientAllergies.patientId },
  { table: patientHistoryEntries, column: patientHistoryEntries.patientId },
  { table: patientDocuments, column: patientDocuments.patientId },
];

/** Adds a column holding a patient id (idempotent: registering the same column twice is a no-op). */
export function registerPatientReference(table: BusinessTable, column: SQLiteColumn) {
  if (!PATIENT_REFERENCES.some((r) => r.table === table && r.column === column)) {
    PATIENT_REFERENCES.push({ table, column });
  }
}

export const tableName = (ref: PatientReference) => getTableConfig(ref.table).name;

/** The property name drizzle uses for `ref.column` in `set` objects ("patientId"). */
export function columnKey(ref: PatientReference): string {
  const entry = Object.entries(getTableColumns(ref.table)).find(([, c]) => c === ref.column);
  if (!entry) throw new Error(`${ref.column.name} is not a column of ${tableName(ref)}`);
  return entry[0];
}

/** The registered reference of a stored merge's `{table}` entry. */
export const referenceByTable = (name: string) =>
  PATIENT_REFERENCES.find((r) => tableName(r) === name);
