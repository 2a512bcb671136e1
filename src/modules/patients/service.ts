/**
 * Patient rules: MRN allocation, versioned updates and soft deletes, each write with its change
 * log and audit entry in one transaction, and every read of a record audited (batched).
 */
import { nextSequence } from "../../../db/changes.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import { patients } from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { notFound } from "../../lib/errors.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { findPatient, listPatients, type ShownPatient } from "./repository.ts";
import type { PatientInputT, PatientPatchT, PatientT } from "./schemas.ts";

const FIELDS = ["givenName", "familyName", "birthDate", "sex", "phone", "email", "nationalId"];

export const formatMrn = (n: number) => `MRN${String(n).padStart(6, "0")}`;

export const toPatient = (p: ShownPatient): PatientT => ({
  id: p.id,
  mrn: p.mrn,
  givenName: p.givenName,
  familyName: p.familyName,
  birthDate: p.birthDate,
  sex: p.sex as PatientT["sex"],
  phone: p.phone,
  email: p.email,
  nationalId: p.nationalId,
  version: p.version,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

export async function registerPatient(
  deps: Deps,
  a: Actor,
  input: PatientInputT,
): Promise<PatientT> {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const mrn = formatMrn(await nextSequence(tx, a.orgId, "mrn"));
    const row = await insertTracked(tx, patients, {
      ...stamp(a.orgId, a.userId, at),
      mrn,
      givenName: input.givenName,
      familyName: input.familyName,
      birthDate: input.birthDate ?? null,
      sex: input.sex,
      phone: input.phone ?? null,
      email: input.email ?? null,
      nationalId: input.nationalId ?? null,
    });
    await deps.audit.record(tx, a, {
      action: "patient.create",
      entityType: "patient",
      entityId: row.id,
      patientId: row.id,
    });
    return toPatient(row);
  });
}

export async function readPatient(deps: Deps, a: Actor, id: string): Promise<PatientT> {
  const row = await findPatient(deps.db, a.orgId, id);
  if (!row) throw notFound("Patient");
  deps.audit.recordRead(a, {
    action: "patient.read",
    entityType: "patient",
    entityId: id,
    patientId: id,
  });
  return toPatient(row);
}

export async function searchPatients(
  deps: Deps,
  a: Actor,
  q: Parameters<typeof listPatients>[2],
) {
  const page = await listPatients(deps.db.db, a.orgId, q);
  // Each record shown is a read of that patient's data: one entry per patient, so that a
  // patient's "who saw my record" lists searches that showed them too.
  for (const p of page.data) {
    deps.audit.recordRead(a, {
      action: "patient.list",
      entityType: "patient",
      entityId: p.id,
      patientId: p.id,
    });
  }
  return { data: page.data.map(toPatient), nextCursor: page.nextCursor };
}

/** What every versioned write of a patient row shares. */
const PATIENT_ROW = {
  table: patients,
  label: "Patient",
  entityType: "patient",
} as const;

export async function updatePatient(
  deps: Deps,
  a: Actor,
  id: string,
  patch: PatientPatchT,
  expectedVersion: number | undefined,
): Promise<PatientT> {
  const row = await deps.db.transaction((tx) =>
    auditedUpdate(deps, tx, a, {
      ...PATIENT_ROW,
      id,
      expectedVersion,
      set: patch,
      action: "patient.update",
      patientId: id,
      fields: FIELDS,
    })
  );
  return toPatient(row);
}

export async function deletePatient(
  deps: Deps,
  a: Actor,
  id: string,
  expectedVersion: number | undefined,
): Promise<void> {
  await deps.db.transaction((tx) =>
    auditedUpdate(deps, tx, a, {
      ...PATIENT_ROW,
      id,
      expectedVersion,
      set: { deletedAt: deps.clock.now().toISOString() },
      operation: "delete",
      action: "patient.delete",
      patientId: id,
    })
  );
}
