import { createRouter } from "../../lib/router.ts";
import { registerPatientSearchHandlers } from "./handlers.ts";
import "./indexer.ts"; // the index's row hook, for writes made outside the patients module

/** GET /patients (search and list) and GET /patients/stats. */
export function patientSearchModule() {
  const r = createRouter();
  registerPatientSearchHandlers(r);
  return r;
}
