/**
 * Clinic replicas and the primary they sync with. So far: the primary's registry of nodes, each
 * with its site code and credential, and a replica's first contact with its primary. Push, pull
 * and the conflict queue follow (issue 8).
 */
import { syncNodes, syncState } from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { ADMIN_ONLY } from "../../lib/permissions.ts";
import { routesOf } from "../../lib/router.ts";
import { registerSyncHandlers } from "./handlers.ts";
import { startReplica } from "./replica.ts";

export { hashNodeToken } from "../../middleware/node-auth.ts";

export const syncModule = defineModule({
  name: "sync",
  routes: routesOf(registerSyncHandlers),
  permissions: { "sync:nodes": ADMIN_ONLY },
  tables: [{
    table: syncNodes,
    // Credentials belong to the primary that issued them; they never travel.
    sync: "local",
    notVersioned: "credentials; every change is audited",
  }, {
    table: syncState,
    sync: "local",
    notVersioned: "what this node is; one row",
  }],
  onStart: (deps) => deps.config.sync.role === "replica" ? startReplica(deps) : Promise.resolve(),
});
