/**
 * Field-level visibility of a patient record, by role. Every path that shows patient data (read,
 * list, search, history, duplicates, export, summary) builds its output through `viewPatient`,
 * so a rule changes in one place.
 *
 * FINANCE sees demographics and insurance only: identity, contact, address, identifiers and
 * insurance, not emergency contacts, tags or preferences. Clinical data (allergies, medical
 * history) is never part of the record; it has its own routes under `patients:clinical:read`.
 */
import type { PatientRow } from "../../../db/schema/mod.ts";
import type { Role } from "../../lib/permissions.ts";
import type { PatientT } from "./schemas.ts";

const HIDDEN: Partial<Record<Role, ReadonlySet<string>>> = {
  FINANCE: new Set(["emergencyContacts", "tags", "preferences"]),
};

/** Whether `role` may see `field` of a patient record. */
export const canSeeField = (role: Role, field: string) => !HIDDEN[role]?.has(field);

/** The record as `role` may see it. */
export function viewPatient(p: PatientRow, role: Role): PatientT {
  const out: PatientT = {
    id: p.id,
    mrn: p.mrn,
    givenName: p.givenName,
    middleName: p.middleName,
    familyName: p.familyName,
    birthDate: p.birthDate,
    birthDateEstimated: p.birthDateEstimated,
    sex: p.sex as PatientT["sex"],
    phone: p.phone,
    otherPhones: p.otherPhones,
    email: p.email,
    nationalId: p.nationalId,
    identifiers: p.identifiers,
    address: p.address,
    emergencyContacts: p.emergencyContacts,
    insurance: p.insurance,
    tags: p.tags,
    preferences: p.preferences,
    status: p.status as PatientT["status"],
    deceasedDate: p.deceasedDate,
    lastVisitAt: p.lastVisitAt,
    mergedInto: p.mergedInto,
    version: p.version,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
  const hidden = HIDDEN[role];
  if (hidden) { for (const f of hidden) delete (out as Record<string, unknown>)[f]; }
  return out;
}

/**
 * The record's JSON text (from `findPatientJson`, every field) as `role` may see it: unchanged
 * for most roles, so the hot read never parses it.
 */
export function visibleJson(role: Role, json: string): string {
  const hidden = HIDDEN[role];
  if (!hidden) return json;
  const out = JSON.parse(json);
  for (const f of hidden) delete out[f];
  return JSON.stringify(out);
}

/** A JSON array of records (from `pageJson`) as `role` may see them. */
export function visibleJsonArray(role: Role, json: string): string {
  const hidden = HIDDEN[role];
  if (!hidden) return json;
  const out = JSON.parse(json) as Record<string, unknown>[];
  for (const p of out) for (const f of hidden) delete p[f];
  return JSON.stringify(out);
}

/** Names of changed fields `role` may know about (history entries, audit detail). */
export const visibleFields = (role: Role, fields: string[]) =>
  fields.filter((f) => canSeeField(role, f));
