/**
 * Health and readiness, and the tables of the platform itself: the change log sync reads, row
 * versions, idempotency keys and per-organisation counters.
 */
import { changeLog, idempotencyKeys, rowVersions, sequences } from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { routesOf } from "../../lib/router.ts";
import { registerSystemHandlers } from "./handlers.ts";

export { docsRoutes } from "./docs.ts";

export const systemModule = defineModule({
  name: "system",
  routes: routesOf(registerSystemHandlers),
  tables: [
    // Each node keeps its own log of what it wrote; sync reads it, it is not itself synced.
    { table: changeLog, sync: "local", notVersioned: "the log of changes itself" },
    // Each node records the versions its own writes and the changes it applies made.
    { table: rowVersions, sync: "local", notVersioned: "it is the versions" },
    { table: idempotencyKeys, sync: "local", notVersioned: "per node, kept 24 hours" },
    // Counters are per node: sites allocate numbers with their own site code (SITE_CODE).
    { table: sequences, sync: "local", notVersioned: "per node" },
  ],
});
