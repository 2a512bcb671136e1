/** GET /patients (search and list) and GET /patients/stats, over the patients module's index. */
import { defineModule } from "../../lib/module.ts";
import { routesOf } from "../../lib/router.ts";
import { registerPatientSearchHandlers } from "./handlers.ts";

export { PatientFilterQuery } from "./filters.ts";
export { iteratePatients, type SearchFilters } from "./service.ts";

export const patientSearchModule = defineModule({
  name: "patient-search",
  routes: routesOf(registerPatientSearchHandlers),
});
