/** An organisation's sign-in rules: whether its ADMINs must use two-factor authentication. */
import { eq } from "drizzle-orm";
import { organizations } from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { auditedUpdate } from "../../lib/writes.ts";

export async function orgSecurity(deps: Deps, orgId: string) {
  const [org] = await deps.db.db.select({ requireMfaForAdmins: organizations.requireMfaForAdmins })
    .from(organizations).where(eq(organizations.id, orgId));
  return { requireMfaForAdmins: org.requireMfaForAdmins };
}

/** Takes effect at each ADMIN's next login; sessions already open stay open. */
export async function setOrgSecurity(
  deps: Deps,
  a: Actor,
  input: { requireMfaForAdmins: boolean },
) {
  const row = await deps.db.transaction((tx) =>
    auditedUpdate(deps, tx, a, {
      table: organizations,
      label: "Organisation",
      id: a.orgId,
      expectedVersion: undefined,
      set: { requireMfaForAdmins: input.requireMfaForAdmins },
      action: "organization.update-security",
      entityType: "organization",
      fields: ["requireMfaForAdmins"],
    })
  );
  return { requireMfaForAdmins: row.requireMfaForAdmins };
}
