/**
 * Who must sign in with a second factor: an organisation's ADMINs when it says so
 * (`requireMfaForAdmins`), and platform super admins when MFA_REQUIRED_FOR_SUPER_ADMIN is set.
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { memberships, organizations, userMfa } from "../../../db/schema/mod.ts";
import type { Deps } from "../../lib/context.ts";
import { ProblemError } from "../../lib/errors.ts";

export const MFA_ENROLMENT_REQUIRED = "https://clinic-api.dev/problems/mfa-enrolment-required";

/** The user's confirmed second factor, if any. */
export async function activeMfa(db: Db, userId: string) {
  const [row] = await db.select().from(userMfa)
    .where(and(eq(userMfa.userId, userId), isNull(userMfa.deletedAt)));
  return row?.status === "active" ? row : undefined;
}

/** Whether signing in as `role` in `orgId` (null: the platform) needs a second factor. */
export async function mfaRequired(
  deps: Deps,
  db: Db,
  user: { isSuperAdmin: boolean },
  orgId: string | null,
  role: string,
): Promise<boolean> {
  if (user.isSuperAdmin && deps.config.mfa.requiredForSuperAdmin) return true;
  if (!orgId || role !== "ADMIN") return false;
  const [org] = await db.select({ required: organizations.requireMfaForAdmins })
    .from(organizations).where(eq(organizations.id, orgId));
  return org?.required ?? false;
}

/** Whether any of the user's roles needs a second factor (turning it off is then refused). */
export async function mfaRequiredAnywhere(
  deps: Deps,
  db: Db,
  user: { id: string; isSuperAdmin: boolean },
) {
  if (user.isSuperAdmin && deps.config.mfa.requiredForSuperAdmin) return true;
  const rows = await db.select({ id: memberships.id }).from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(and(
      eq(memberships.userId, user.id),
      eq(memberships.role, "ADMIN"),
      eq(memberships.active, true),
      isNull(memberships.deletedAt),
      eq(organizations.requireMfaForAdmins, true),
    )).limit(1);
  return rows.length > 0;
}

/**
 * The answer to a login whose password was right but who must first set up a second factor:
 * 403 with its own problem type and an `mfaToken` that lets them enrol (`/auth/2fa/setup`,
 * then `/auth/2fa/verify` with a code, which signs them in).
 */
export const enrolmentRequired = (mfaToken: string) =>
  new ProblemError(
    403,
    "Your role requires two-factor authentication. Set it up with this mfaToken: " +
      "POST /api/v1/auth/2fa/setup, then POST /api/v1/auth/2fa/verify with a code.",
    { type: MFA_ENROLMENT_REQUIRED, title: "Two-factor enrolment required", mfaToken },
  );

/**
 * Switching organisation opens a session too: into a role that requires a second factor the
 * user has not set up, it is refused (403 `mfa-enrolment-required`; enrol with
 * `/auth/2fa/enroll` from the current session, then switch).
 */
export async function assertSwitchAllowed(
  deps: Deps,
  user: { id: string; isSuperAdmin: boolean },
  orgId: string | null,
  role: string,
) {
  const db = deps.db.db;
  if (!await mfaRequired(deps, db, user, orgId, role) || await activeMfa(db, user.id)) return;
  throw new ProblemError(
    403,
    "That role requires two-factor authentication: turn it on (POST /api/v1/auth/2fa/enroll, " +
      "then /auth/2fa/confirm) and switch again.",
    { type: MFA_ENROLMENT_REQUIRED, title: "Two-factor enrolment required" },
  );
}
