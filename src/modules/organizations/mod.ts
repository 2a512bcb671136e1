/** Organisations (tenants): creation by the platform, settings by their admins. */
import { organizations } from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { ADMIN_ONLY, ALL_STAFF, PLATFORM } from "../../lib/permissions.ts";
import { routesOf } from "../../lib/router.ts";
import { registerOrganizationHandlers } from "./handlers.ts";

export { orgCurrency, type OrgSettings, orgSettings } from "./service.ts";

export const organizationsModule = defineModule({
  name: "organizations",
  routes: routesOf(registerOrganizationHandlers),
  permissions: {
    "organizations:create": PLATFORM,
    "organizations:list": PLATFORM,
    "organization:read": ALL_STAFF,
    "organization:write": ADMIN_ONLY,
  },
  tables: [{
    table: organizations,
    sync: "merge",
    notVersioned: "settings; each change is audited with the fields it changed",
  }],
});
