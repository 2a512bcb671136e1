/** Duplicate candidates of an existing record, as the caller's role may see them. */
import type { Actor, Deps } from "../../lib/context.ts";
import { notFound } from "../../lib/errors.ts";
import { findPatient } from "../patients/mod.ts";
import { viewPatient } from "../patients/mod.ts";
import { findDuplicateCandidates } from "../patients/mod.ts";

export async function listDuplicates(deps: Deps, a: Actor, id: string) {
  const row = await findPatient(deps.db, a.orgId, id);
  if (!row) throw notFound("Patient");
  const candidates = await findDuplicateCandidates(deps.db.db, a.orgId, row, { excludeId: id });
  // The answer shows other people's records: audited like a read of each of them.
  deps.audit.recordRead(a, {
    action: "patient.duplicates",
    entityType: "patient",
    entityId: id,
    patientId: id,
  });
  for (const c of candidates) {
    deps.audit.recordRead(a, {
      action: "patient.read",
      entityType: "patient",
      entityId: c.patient.id,
      patientId: c.patient.id,
    });
  }
  return candidates.map((c) => ({
    patient: viewPatient(c.patient, a.role),
    score: c.score,
    reasons: c.reasons,
  }));
}
