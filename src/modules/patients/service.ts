/**
 * Patient record rules: registration (MRN, duplicate check), versioned updates and soft deletes,
 * each write with its change log, version and audit entry in one transaction, and every read of a
 * record audited (batched). The search index follows every write through its row hook.
 */
import type { Db } from "../../../db/client.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import { type PatientRow, patients } from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { numberingSite } from "../../lib/site.ts";
import { conflict, notFound, unprocessable } from "../../lib/errors.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { findDuplicateCandidates } from "./duplicate-check.ts";
import { refuseMerged } from "./owned.ts";
import { todayIn } from "../../lib/time.ts";
import { type OrgSettings, orgSettings } from "../organizations/mod.ts";
import { allocateMrn } from "./mrn.ts";
import { findPatientJson, RECORD_FIELDS } from "./repository.ts";
import type { PatientInputT, PatientPatchT, PatientT } from "./schemas.ts";
import { viewPatient, visibleJson } from "./visibility.ts";

/** Fields compared for an update's audit entry: those of the record a client can change. */
const READ_ONLY = new Set([
  "id",
  "mrn",
  "lastVisitAt",
  "mergedInto",
  "version",
  "createdAt",
  "updatedAt",
]);
export const DEMOGRAPHIC_FIELDS = RECORD_FIELDS.filter((f) => !READ_ONLY.has(f));

/** Rules across fields that a schema of single fields cannot state; 422 naming the field. */
function checkRecordRules(p: Partial<PatientRow>, today: string) {
  if (p.birthDate && p.birthDate > today) {
    throw unprocessable("The date of birth is in the future.", [
      { path: "birthDate", in: "body", message: "must not be in the future" },
    ]);
  }
  if (p.deceasedDate && p.status !== "deceased") {
    throw unprocessable("A date of death needs status deceased.", [
      { path: "deceasedDate", in: "body", message: "only allowed when status is deceased" },
    ]);
  }
  if (p.deceasedDate && p.birthDate && p.deceasedDate < p.birthDate) {
    throw unprocessable("The date of death is before the date of birth.", [
      { path: "deceasedDate", in: "body", message: "must not be before birthDate" },
    ]);
  }
}

/** The row values of a registration, with defaults for what was not sent. */
function rowValues(input: PatientInputT) {
  return {
    givenName: input.givenName,
    middleName: input.middleName ?? null,
    familyName: input.familyName,
    birthDate: input.birthDate ?? null,
    birthDateEstimated: input.birthDateEstimated ?? false,
    sex: input.sex,
    phone: input.phone ?? null,
    otherPhones: (input.otherPhones ?? []).map((p) => ({ ...p, note: p.note ?? null })),
    email: input.email ?? null,
    nationalId: input.nationalId ?? null,
    identifiers: input.identifiers ?? [],
    address: input.address ?? null,
    emergencyContacts: input.emergencyContacts ?? [],
    insurance: input.insurance ?? [],
    tags: [...new Set(input.tags ?? [])],
    preferences: input.preferences ?? null,
    status: input.status ?? "active",
    deceasedDate: input.deceasedDate ?? null,
  };
}

/**
 * What a registration checks before it writes, on `db`: the record rules (422) and likely
 * duplicates among registered patients (409 with the candidates). Answers the row values.
 * registerInTx runs it in its write transaction; an import also runs it for every row on the
 * reader connection before its first write, so a file with a bad row is refused unwritten.
 */
export async function checkRegistration(
  deps: Deps,
  db: Db,
  a: Actor,
  input: PatientInputT,
  settings: OrgSettings,
) {
  const values = rowValues(input);
  checkRecordRules(values, todayIn(settings.timezone, deps.clock.now()));
  if (!input.allowDuplicate) {
    const candidates = await findDuplicateCandidates(db, a.orgId, values);
    if (candidates.length > 0) {
      throw conflict(
        "This patient may already be registered. Check the candidates; to register anyway, " +
          "send the request again with allowDuplicate: true.",
        {
          type: "https://clinic-api.dev/problems/duplicate-patient",
          candidates: candidates.map((c) => ({
            patient: viewPatient(c.patient, a.role),
            score: c.score,
            reasons: c.reasons,
          })),
        },
      );
    }
  }
  return values;
}

/**
 * Registers one patient inside `tx`: rules, duplicate check, MRN, insert (change log, version,
 * search index) and audit. The duplicate check runs in the write transaction, so two desks
 * registering the same person at once cannot both pass it. Used by POST /patients and imports.
 */
export async function registerInTx(
  deps: Deps,
  tx: Db,
  a: Actor,
  input: PatientInputT,
  /** The organisation's settings, when the caller registers many patients (imports). */
  org?: OrgSettings,
): Promise<PatientRow> {
  const at = deps.clock.now().toISOString();
  const settings = org ?? await orgSettings(tx, a.orgId);
  const values = await checkRegistration(deps, tx, a, input, settings);
  const row = await insertTracked(tx, patients, {
    ...stamp(a.orgId, a.userId, at),
    mrn: await allocateMrn(tx, a.orgId, settings, numberingSite(deps)),
    ...values,
  });
  await deps.audit.record(tx, a, {
    action: "patient.create",
    entityType: "patient",
    entityId: row.id,
    patientId: row.id,
  });
  return row;
}

export async function registerPatient(
  deps: Deps,
  a: Actor,
  input: PatientInputT,
): Promise<PatientT> {
  const row = await deps.db.transaction((tx) => registerInTx(deps, tx, a, input));
  return viewPatient(row, a.role);
}

/**
 * Reads one record as the JSON the API answers, audited as patient.read. A merged record is still
 * readable: the caller decides whether to redirect to the survivor (`mergedInto`).
 */
export async function readPatient(deps: Deps, a: Actor, id: string) {
  const found = await findPatientJson(deps.db, a.orgId, id);
  if (!found) throw notFound("Patient");
  deps.audit.recordRead(a, {
    action: "patient.read",
    entityType: "patient",
    entityId: id,
    patientId: id,
  });
  return { ...found, json: visibleJson(a.role, found.json) };
}

/** What every versioned write of a patient row shares. */
const PATIENT_ROW = { table: patients, label: "Patient", entityType: "patient" } as const;

export async function updatePatient(
  deps: Deps,
  a: Actor,
  id: string,
  patch: PatientPatchT,
  expectedVersion: number | undefined,
): Promise<PatientT> {
  const set: Partial<PatientRow> = { ...patch } as Partial<PatientRow>;
  if (patch.tags) set.tags = [...new Set(patch.tags)];
  // Leaving "deceased" clears the date of death rather than failing on it.
  if (patch.status && patch.status !== "deceased" && patch.deceasedDate === undefined) {
    set.deceasedDate = null;
  }
  const row = await deps.db.transaction(async (tx) =>
    await auditedUpdate(deps, tx, a, {
      ...PATIENT_ROW,
      id,
      expectedVersion,
      set,
      action: "patient.update",
      patientId: id,
      fields: DEMOGRAPHIC_FIELDS,
      check: async (current) => {
        refuseMerged(current);
        const { timezone } = await orgSettings(tx, a.orgId);
        checkRecordRules({ ...current, ...set }, todayIn(timezone, deps.clock.now()));
      },
    })
  );
  return viewPatient(row, a.role);
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
      check: refuseMerged,
    })
  );
}
