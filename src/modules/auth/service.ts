/**
 * Ending sessions, the signed-in user, and switching organisation.
 */
import { and, eq, isNull } from "drizzle-orm";
import { sessions, users } from "../../../db/schema/mod.ts";
import { updateInTenant } from "../../../db/tenant.ts";
import type { Deps, Principal } from "../../lib/context.ts";
import { forbidden } from "../../lib/errors.ts";
import type { Role } from "../../lib/permissions.ts";
import type { TokenResponseT } from "./schemas.ts";
import {
  membershipsOf,
  type RequestMeta,
  sessionUser,
  startSession,
  tokenResponse,
} from "./accounts.ts";
import { trailsOf } from "./attempts.ts";
import { assertSwitchAllowed } from "./mfa-policy.ts";

export type { RequestMeta } from "./accounts.ts";
export { login, refresh } from "./login.ts";

export async function logout(deps: Deps, p: Principal, meta: RequestMeta, everywhere: boolean) {
  const now = deps.clock.now().toISOString();
  await deps.db.transaction(async (tx) => {
    await tx.update(sessions).set({
      revokedAt: now,
      revokedReason: everywhere ? "logout-all" : "logout",
    })
      .where(and(
        everywhere ? eq(sessions.userId, p.userId) : eq(sessions.id, p.sessionId),
        isNull(sessions.revokedAt),
      ));
    await deps.audit.record(tx, {
      ...meta,
      userId: p.userId,
      orgId: p.orgId ?? undefined,
      role: p.role,
    }, {
      action: everywhere ? "auth.logout-all" : "auth.logout",
      entityType: "session",
      entityId: everywhere ? null : p.sessionId,
    });
  });
  if (everywhere) deps.principals.forgetUser(p.userId);
  else deps.principals.forgetSession(p.sessionId);
}

export const me = (deps: Deps, p: Principal) => sessionUser(deps.db.db, p.userId, p.orgId);

/** Your own name: a global identity field, so only you change it, in every organisation. */
export async function updateMe(
  deps: Deps,
  p: Principal,
  input: { fullName: string },
  meta: RequestMeta,
) {
  const at = deps.clock.now().toISOString();
  await deps.db.transaction(async (tx) => {
    const [account] = await tx.select({ orgId: users.orgId, fullName: users.fullName })
      .from(users).where(eq(users.id, p.userId));
    if (account.fullName === input.fullName) return;
    // An account's row belongs to the organisation that first made it (its org_id).
    await updateInTenant(tx, users, {
      orgId: account.orgId,
      id: p.userId,
      set: { fullName: input.fullName },
      actorId: p.userId,
      at,
    });
    // Each organisation that shows this name sees in its own trail that it changed.
    for (const orgId of await trailsOf(tx, p.userId)) {
      await deps.audit.record(tx, { ...meta, userId: p.userId, orgId: orgId ?? undefined }, {
        action: "user.update-self",
        entityType: "user",
        entityId: p.userId,
        changedFields: ["fullName"],
      });
    }
  });
  return await me(deps, p);
}

export async function switchOrganization(
  deps: Deps,
  p: Principal,
  organizationId: string | null,
  meta: RequestMeta,
): Promise<TokenResponseT> {
  const orgs = await membershipsOf(deps.db.db, p.userId);
  const target = organizationId === null
    ? await platformTarget(deps, p.userId)
    : orgs.find((m) => m.organizationId === organizationId);
  if (!target) {
    throw forbidden(
      organizationId === null
        ? "Only a platform super admin has a platform session."
        : "You are not an active member of that organisation.",
    );
  }
  const [account] = await deps.db.db.select({ isSuperAdmin: users.isSuperAdmin }).from(users)
    .where(eq(users.id, p.userId));
  await assertSwitchAllowed(deps, { id: p.userId, ...account }, organizationId, target.role);
  const tokens = await deps.db.transaction(async (tx) => {
    await tx.update(sessions).set({
      revokedAt: deps.clock.now().toISOString(),
      revokedReason: "switch",
    })
      .where(eq(sessions.id, p.sessionId));
    const t = await startSession(deps, tx, p.userId, organizationId, target.role as Role, meta);
    await deps.audit.record(tx, {
      ...meta,
      userId: p.userId,
      orgId: organizationId ?? undefined,
      role: target.role as Role,
    }, {
      action: "auth.switch-organization",
      entityType: "session",
      entityId: t.sessionId,
    });
    return t;
  });
  deps.principals.forgetSession(p.sessionId);
  return await tokenResponse(deps, tokens, p.userId, organizationId);
}

/** A super admin's way back to the platform, whatever organisations they belong to. */
async function platformTarget(deps: Deps, userId: string) {
  const [u] = await deps.db.db.select({ isSuperAdmin: users.isSuperAdmin }).from(users)
    .where(eq(users.id, userId));
  return u?.isSuperAdmin ? { role: "SUPER_ADMIN" as const } : undefined;
}
