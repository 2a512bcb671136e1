import { createRouter } from "../../lib/router.ts";

/** GET /patients (search and list) and GET /patients/stats. (Stub: search work fills it.) */
export function patientSearchModule() {
  return createRouter();
}
