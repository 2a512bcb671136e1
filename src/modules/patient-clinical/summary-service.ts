/**
 * The patient summary: the doctor's screen in one call. The record is built with `viewPatient`,
 * and every other section is loaded only for roles allowed to see it (summary-sections.ts); what
 * was left out is named in `omitted`, so a client can tell "no allergies" from "not yours to see".
 */
import type { Actor, Deps } from "../../lib/context.ts";
import { viewPatient } from "../patients/visibility.ts";
import { readablePatient } from "../patients/service.ts";
import {
  BUILT_IN_SECTIONS,
  maySee,
  registeredSections,
  type SummarySection,
} from "./summary-sections.ts";

export type SummaryResult =
  | { merged: true; mergedInto: string }
  | { merged: false; body: Record<string, unknown> };

export async function patientSummary(
  deps: Deps,
  a: Actor,
  patientId: string,
): Promise<SummaryResult> {
  const row = await readablePatient(deps, a.orgId, patientId);
  // A merged record's details live on in the survivor: the caller is sent there (307).
  if (row.mergedInto) return { merged: true, mergedInto: row.mergedInto };

  const omitted: string[] = [];
  const load = (sections: [string, SummarySection][]) =>
    Promise.all(
      sections.filter(([name, s]) => maySee(a.role, s) || !omitted.push(name))
        .map(async ([name, s]) => [name, await s.load(deps, a, patientId)] as const),
    );
  const [builtIn, contributed] = await Promise.all([
    load(Object.entries(BUILT_IN_SECTIONS)),
    load([...registeredSections()]),
  ]);
  deps.audit.recordRead(a, {
    action: "patient.summary.read",
    entityType: "patient",
    entityId: patientId,
    patientId,
  });
  return {
    merged: false,
    body: {
      patient: viewPatient(row, a.role),
      ...Object.fromEntries(builtIn),
      sections: Object.fromEntries(contributed),
      omitted,
    },
  };
}
