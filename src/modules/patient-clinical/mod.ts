/**
 * Allergies, medical history, the record's history and the patient summary. Other modules add
 * summary sections with `registerSummarySection`.
 */
import { createRouter } from "../../lib/router.ts";
import {
  registerAllergyHandlers,
  registerMedicalHistoryHandlers,
  registerRecordHandlers,
} from "./handlers.ts";

export { registerSummarySection, type SummarySection } from "./summary-sections.ts";

export function patientClinicalModule() {
  const r = createRouter();
  registerAllergyHandlers(r);
  registerMedicalHistoryHandlers(r);
  registerRecordHandlers(r);
  return r;
}
