import { createRouter } from "../../lib/router.ts";
import { registerTransferHandlers } from "./handlers.ts";

/** Patient export (CSV) and import (CSV, XLSX). Mounted before /patients/{id}. */
export function patientTransferModule() {
  const r = createRouter();
  registerTransferHandlers(r);
  return r;
}
