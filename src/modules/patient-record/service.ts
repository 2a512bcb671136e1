/**
 * The history of a patient record: every version written by the generic writers (db/versions.ts),
 * shown through the same field-level rules as the record itself. A role that may not see a field
 * (FINANCE: emergency contacts, tags, preferences) neither sees its value in an old version
 * (`viewPatient`) nor learns from `fields` that it changed (`visibleFields`); such a version is
 * still listed, with the fields it may know about, so version numbers stay contiguous.
 */
import type { PatientRow } from "../../../db/schema/mod.ts";
import { readVersion } from "../../../db/versions.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { notFound } from "../../lib/errors.ts";
import { viewPatient, visibleFields } from "../patients/mod.ts";
import { readablePatient } from "../patients/mod.ts";
import { headsOf, type PageRequest, versionPage } from "../patients/mod.ts";

const TABLE = "patients";

function audit(deps: Deps, a: Actor, patientId: string) {
  deps.audit.recordRead(a, {
    action: "patient.history",
    entityType: "patient",
    entityId: patientId,
    patientId,
  });
}

export async function listRecordVersions(
  deps: Deps,
  a: Actor,
  patientId: string,
  page: PageRequest,
) {
  // A deleted record has no history to show, exactly as it has no record: 404.
  await readablePatient(deps, a.orgId, patientId);
  const { heads, nextCursor } = await versionPage(deps, a.orgId, TABLE, patientId, page);
  audit(deps, a, patientId);
  return {
    data: heads.map((h) => ({ ...h, fields: visibleFields(a.role, h.fields) })),
    nextCursor,
  };
}

export async function readRecordVersion(deps: Deps, a: Actor, patientId: string, version: number) {
  await readablePatient(deps, a.orgId, patientId);
  const row = await readVersion(deps.db.db, a.orgId, TABLE, patientId, version);
  if (!row) throw notFound("Version");
  const [head] = await headsOf(deps, [row]);
  audit(deps, a, patientId);
  return {
    ...head,
    fields: visibleFields(a.role, head.fields),
    // The snapshot is the row as drizzle returned it (camelCase keys, JSON columns decoded).
    patient: viewPatient(row.data as unknown as PatientRow, a.role),
  };
}
