import { createRouter } from "../../lib/router.ts";

/** Patient documents. (Stub.) */
export function patientDocumentsModule() {
  return createRouter();
}
