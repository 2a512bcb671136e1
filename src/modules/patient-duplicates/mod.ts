/** GET /patients/{id}/duplicates, POST /patients/{id}/merge and /unmerge. */
import { patientMerges } from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { ADMIN_ONLY } from "../../lib/permissions.ts";
import { routesOf } from "../../lib/router.ts";
import { registerDuplicateHandlers } from "./handlers.ts";

const own = "a merge records its own two patients; unmerge reads them back";

export const patientDuplicatesModule = defineModule({
  name: "patient-duplicates",
  routes: routesOf(registerDuplicateHandlers),
  permissions: { "patients:merge": ADMIN_ONLY },
  tables: [{
    table: patientMerges,
    sync: "queue",
    notVersioned: "a merge is undone by unmerge, which marks the row; both are audited",
  }],
  keptOnMerge: [
    { column: patientMerges.survivorId, reason: own },
    { column: patientMerges.duplicateId, reason: own },
  ],
});
