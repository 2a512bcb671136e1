/** A patient's allergies: reaction, severity, status; one active allergy per substance. */
import { eq } from "drizzle-orm";
import { patientAllergies } from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { routesOf } from "../../lib/router.ts";
import { summaryEntries } from "../patients/mod.ts";
import { registerAllergyHandlers } from "./handlers.ts";
import { ALLERGY } from "./service.ts";

export { Allergy } from "./schemas.ts";

export const allergiesModule = defineModule({
  name: "allergies",
  routes: routesOf(registerAllergyHandlers),
  tables: [{ table: patientAllergies, sync: "merge", versioned: true }],
  patientReferences: [patientAllergies.patientId],
  summarySections: {
    allergies: {
      permission: "patients:clinical:read",
      placement: "top",
      load: (deps, a, patientId) =>
        summaryEntries(deps, a, ALLERGY, patientId, [eq(patientAllergies.status, "active")]),
    },
  },
});
