/**
 * The patient summary: the doctor's screen in one call. The record is built with `viewPatient`,
 * and every other section comes from the module that owns it (its manifest's `summarySections`),
 * loaded only for roles allowed to see it; what was left out is named in `omitted`, so a client
 * can tell "no allergies" from "not yours to see".
 */
import type { Actor, Deps, SummarySection } from "../../lib/context.ts";
import type { Role } from "../../lib/permissions.ts";
import { readablePatient, viewPatient } from "../patients/mod.ts";

export type SummaryResult =
  | { merged: true; mergedInto: string }
  | { merged: false; body: Record<string, unknown> };

/** Whether `role` may see `section`. */
const maySee = (deps: Deps, role: Role, section: SummarySection) =>
  (!section.permission || deps.registry.permissions.can(role, section.permission)) &&
  !section.hiddenFrom?.includes(role);

export async function patientSummary(
  deps: Deps,
  a: Actor,
  patientId: string,
): Promise<SummaryResult> {
  const row = await readablePatient(deps, a.orgId, patientId);
  // A merged record's details live on in the survivor: the caller is sent there (307).
  if (row.mergedInto) return { merged: true, mergedInto: row.mergedInto };

  const all = [...deps.registry.summarySections];
  const omitted = all.filter(([, s]) => !maySee(deps, a.role, s)).map(([name]) => name);
  const shown = all.filter(([name]) => !omitted.includes(name));
  const loaded = await Promise.all(
    shown.map(async ([name, s]) => [name, await s.load(deps, a, patientId)] as const),
  );
  const placed = (top: boolean) =>
    Object.fromEntries(loaded.filter((_, i) => (shown[i][1].placement === "top") === top));
  deps.audit.recordRead(a, {
    action: "patient.summary",
    entityType: "patient",
    entityId: patientId,
    patientId,
  });
  return {
    merged: false,
    body: {
      patient: viewPatient(row, a.role),
      ...placed(true),
      sections: placed(false),
      omitted,
    },
  };
}
