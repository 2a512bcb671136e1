/** Patient export (CSV) and import (CSV, XLSX). Mounted before /patients/{id}. */
import { patientImportRows, patientImports } from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { ADMIN_ONLY } from "../../lib/permissions.ts";
import { routesOf } from "../../lib/router.ts";
import { registerTransferHandlers } from "./handlers.ts";
import { recoverImports } from "./import-recovery.ts";

const bookkeeping = "this node's record of its own imports, so an interrupted one is undone at " +
  "start; the import and its undo are audited";

export const patientTransferModule = defineModule({
  name: "patient-transfer",
  routes: routesOf(registerTransferHandlers),
  permissions: { "patients:export": ADMIN_ONLY, "patients:import": ADMIN_ONLY },
  tables: [
    { table: patientImports, sync: "local", notVersioned: bookkeeping },
    { table: patientImportRows, sync: "local", notVersioned: bookkeeping },
  ],
  keptOnMerge: [{
    column: patientImportRows.patientId,
    reason: "names the record an import registered, which is what undoing the import deletes",
  }],
  onStart: recoverImports,
});
