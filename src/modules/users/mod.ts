/** Staff: memberships of an organisation, and the invitations that make them. */
import { invitations, memberships, users } from "../../../db/schema/mod.ts";
import { membershipOrgs, shareJoiningUser } from "./sharing.ts";
import { defineModule } from "../../lib/module.ts";
import { ADMIN_ONLY } from "../../lib/permissions.ts";
import { routesOf } from "../../lib/router.ts";
import { registerApprovalHandlers } from "./handlers-approval.ts";
import { registerUserHandlers } from "./handlers.ts";
import { endSessionsOnRemoteMembership, endSessionsOnRemoteUser } from "./remote-sessions.ts";

export { hashInvitationCode } from "./invitation-code.ts";
export { inviteUser } from "./invitations.ts";
export { allocateEmployeeId } from "./service.ts";
export { ensureSuperAdmin } from "./bootstrap.ts";

const audited = "each change is audited with the fields it changed";

export const usersModule = defineModule({
  name: "users",
  routes: routesOf(registerApprovalHandlers, registerUserHandlers),
  permissions: { "users:read": ADMIN_ONLY, "users:write": ADMIN_ONLY },
  tables: [
    {
      table: users,
      sync: "merge",
      notVersioned: `identity; ${audited}, and password hashes must not be kept in history`,
      // So a replica of each organisation the person works for can let them log in.
      sharedWith: membershipOrgs,
      secretFields: ["passwordHash"],
      notFromNodes: ["isSuperAdmin"],
      // A password change or deactivation made elsewhere ends the user's sessions here.
      onRemoteApply: endSessionsOnRemoteUser,
    },
    {
      table: memberships,
      sync: "merge",
      notVersioned: audited,
      onRemoteApply: endSessionsOnRemoteMembership,
    },
    { table: invitations, sync: "merge", notVersioned: audited, secretFields: ["codeHash"] },
  ],
  rowHooks: [{ table: memberships, hook: shareJoiningUser }],
});
