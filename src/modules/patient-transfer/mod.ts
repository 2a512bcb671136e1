/** Patient export (CSV) and import (CSV, XLSX). Mounted before /patients/{id}. */
import { defineModule } from "../../lib/module.ts";
import { ADMIN_ONLY } from "../../lib/permissions.ts";
import { routesOf } from "../../lib/router.ts";
import { registerTransferHandlers } from "./handlers.ts";

export const patientTransferModule = defineModule({
  name: "patient-transfer",
  routes: routesOf(registerTransferHandlers),
  permissions: { "patients:export": ADMIN_ONLY, "patients:import": ADMIN_ONLY },
});
