/** A patient's medical history: chronic conditions, surgeries, medications, family history. */
import { eq } from "drizzle-orm";
import { patientHistoryEntries as h } from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { routesOf } from "../../lib/router.ts";
import { summaryEntries } from "../patients/mod.ts";
import { registerMedicalHistoryHandlers } from "./handlers.ts";
import { HISTORY_ENTRY } from "./service.ts";

export { HistoryEntry } from "./schemas.ts";
export { recordProblem } from "./problems.ts";

const active = (kind: string) => [eq(h.kind, kind), eq(h.status, "active")];

export const medicalHistoryModule = defineModule({
  name: "medical-history",
  routes: routesOf(registerMedicalHistoryHandlers),
  tables: [{ table: h, sync: "merge", versioned: true }],
  patientReferences: [h.patientId],
  summarySections: {
    activeProblems: {
      permission: "patients:clinical:read",
      placement: "top",
      load: (deps, a, patientId) =>
        summaryEntries(deps, a, HISTORY_ENTRY, patientId, active("condition")),
    },
    currentMedications: {
      permission: "patients:clinical:read",
      placement: "top",
      load: (deps, a, patientId) =>
        summaryEntries(deps, a, HISTORY_ENTRY, patientId, active("medication")),
    },
  },
});
