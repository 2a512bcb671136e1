import { createRouter } from "../../lib/router.ts";

/** Allergies, medical history, record history and the summary. (Stub.) */
export function patientClinicalModule() {
  return createRouter();
}
