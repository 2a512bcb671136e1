/** Sessions: login, refresh, logout, switching organisation, invitations accepted. */
import { refreshTokens, sessions } from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { routesOf } from "../../lib/router.ts";
import { registerAuthHandlers } from "./handlers.ts";

export { acceptInvitation } from "./invitations.ts";
export { createPrincipalResolver } from "./principal.ts";
export { createTokenService } from "./tokens.ts";

export const authModule = defineModule({
  name: "auth",
  routes: routesOf(registerAuthHandlers),
  tables: [
    // A session lives where it was opened; revocations reach replicas through the users tables.
    { table: sessions, sync: "local", notVersioned: "per node" },
    { table: refreshTokens, sync: "local", notVersioned: "per node; hashes only" },
  ],
});
