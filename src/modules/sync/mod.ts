/**
 * Clinic replicas and the primary they sync with: the primary's registry of nodes (each with its
 * site code and credential), a replica's first contact, push and pull of the change log, and
 * the conflict queue. The README's "Run a clinic chain" explains the model.
 */
import { syncConflicts, syncNodes, syncState } from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { ADMIN_ONLY, PLATFORM } from "../../lib/permissions.ts";
import { routesOf } from "../../lib/router.ts";
import { registerSyncHandlers } from "./handlers.ts";
import { startReplica } from "./replica.ts";

export { hashNodeToken } from "../../middleware/node-auth.ts";

export const syncModule = defineModule({
  name: "sync",
  routes: routesOf(registerSyncHandlers),
  permissions: {
    "sync:nodes": ADMIN_ONLY,
    "platform:sync:nodes": PLATFORM,
    "sync:run": ADMIN_ONLY,
    "sync:conflicts": ADMIN_ONLY,
  },
  tables: [{
    table: syncNodes,
    // Credentials belong to the primary that issued them; they never travel.
    sync: "local",
    notVersioned: "credentials; every change is audited",
  }, {
    table: syncState,
    sync: "local",
    notVersioned: "what this node is; one row",
  }, {
    table: syncConflicts,
    // Recorded by the primary, decided on any node: every node shows the same queue.
    sync: "merge",
    notVersioned: "each decision is audited; the conflict keeps both values",
  }],
  keptOnMerge: [{
    column: syncConflicts.patientId,
    reason: "a conflict records the row it concerned when it was decided",
  }],
  onStart: (deps) => deps.config.sync.role === "replica" ? startReplica(deps) : Promise.resolve(),
});
