/** Sessions: login, refresh, logout, switching organisation, invitations accepted. */
import {
  apiKeys,
  mfaChallenges,
  passwordResetCodes,
  refreshTokens,
  sessions,
  userMfa,
} from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { ADMIN_ONLY } from "../../lib/permissions.ts";
import { routesOf } from "../../lib/router.ts";
import { registerApiKeyHandlers } from "./handlers-api-keys.ts";
import { registerAccountHandlers } from "./handlers-accounts.ts";
import { registerAuthHandlers } from "./handlers.ts";
import { registerMfaHandlers } from "./handlers-mfa.ts";
import { mfaSharedWith } from "./mfa.ts";

export { assertPasswordPolicy } from "./passwords.ts";
export { acceptInvitation } from "./invitations.ts";
export { createPrincipalResolver } from "./principal.ts";
export { createSessionActivity } from "./sessions-activity.ts";
export { createTokenService } from "./tokens.ts";

export const authModule = defineModule({
  name: "auth",
  routes: routesOf(
    registerMfaHandlers,
    registerAuthHandlers,
    registerAccountHandlers,
    registerApiKeyHandlers,
  ),
  // Keys are the organisation's, not a person's: only its ADMIN makes and revokes them.
  permissions: { "api-keys:manage": ADMIN_ONLY },
  tables: [
    // A session lives where it was opened; revocations reach replicas through the users tables.
    { table: sessions, sync: "local", notVersioned: "per node" },
    { table: refreshTokens, sync: "local", notVersioned: "per node; hashes only" },
    // Codes in flight stay on the node that issued them (the rule for reset and 2FA).
    { table: passwordResetCodes, sync: "local", notVersioned: "per node; hashes only" },
    { table: mfaChallenges, sync: "local", notVersioned: "per node; minutes long" },
    // A confirmed second factor travels with the account, so the user logs in at any clinic.
    {
      table: userMfa,
      sync: "merge",
      versioned: true,
      secretFields: ["secret", "recoveryCodes"],
      sharedWith: mfaSharedWith,
    },
    { table: apiKeys, sync: "merge", versioned: true, secretFields: ["keyHash"] },
  ],
});
