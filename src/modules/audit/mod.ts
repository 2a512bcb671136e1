/** The audit trail: written by every module (Deps.audit), read here by admins. */
import { auditEvents, auditIndexState, auditPatientIndex } from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { ADMIN_ONLY, PLATFORM } from "../../lib/permissions.ts";
import { routesOf } from "../../lib/router.ts";
import { registerAuditHandlers } from "./handlers.ts";

export { createAuditLog } from "./service.ts";
export { appendShipped, entriesAfter, type ShippedEntry } from "./shipping.ts";

export const auditModule = defineModule({
  name: "audit",
  routes: routesOf(registerAuditHandlers),
  permissions: { "audit:read": ADMIN_ONLY, "platform:audit:read": PLATFORM },
  tables: [
    { table: auditEvents, sync: "append", notVersioned: "append-only" },
    {
      table: auditPatientIndex,
      sync: "local",
      notVersioned: "derived from this node's trail, rebuilt from it, never edited",
    },
    {
      table: auditIndexState,
      sync: "local",
      notVersioned: "how far this node's own index has read its own trail",
    },
  ],
  keptOnMerge: [{
    column: auditEvents.patientId,
    reason: "the trail records whom an event concerned at the time; history is not rewritten",
  }, {
    column: auditPatientIndex.patientId,
    reason: "indexes the trail as it was recorded; history is not rewritten",
  }],
});
