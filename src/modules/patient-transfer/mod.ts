import { createRouter } from "../../lib/router.ts";

/** Patient export and import. (Stub.) */
export function patientTransferModule() {
  return createRouter();
}
