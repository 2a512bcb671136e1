/** Facilities (branches) of an organisation. */
import { facilities } from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { ADMIN_ONLY, ALL_STAFF } from "../../lib/permissions.ts";
import { routesOf } from "../../lib/router.ts";
import { registerFacilityHandlers } from "./handlers.ts";

export const facilitiesModule = defineModule({
  name: "facilities",
  routes: routesOf(registerFacilityHandlers),
  permissions: { "facilities:read": ALL_STAFF, "facilities:write": ADMIN_ONLY },
  tables: [{
    table: facilities,
    sync: "merge",
    notVersioned: "reference data; each change is audited with the fields it changed",
  }],
});
