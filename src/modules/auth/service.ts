/**
 * Ending sessions, the signed-in user, and switching organisation.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { recordChange } from "../../../db/changes.ts";
import { memberships, sessions, users } from "../../../db/schema/mod.ts";
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
    const [before] = await tx.select({ orgId: users.orgId, fullName: users.fullName })
      .from(users).where(eq(users.id, p.userId));
    if (before.fullName === input.fullName) return;
    const [u] = await tx.update(users).set({
      fullName: input.fullName,
      updatedAt: at,
      updatedBy: p.userId,
      version: sql`${users.version} + 1`,
    }).where(eq(users.id, p.userId)).returning({ version: users.version });
    await recordChange(tx, {
      orgId: before.orgId,
      table: "users",
      rowId: p.userId,
      operation: "update",
      version: u.version,
      at,
    });
    // Each organisation that shows this name sees in its own trail that it changed.
    const orgs = await tx.selectDistinct({ orgId: memberships.orgId }).from(memberships)
      .where(and(eq(memberships.userId, p.userId), isNull(memberships.deletedAt)));
    for (const orgId of orgs.length ? orgs.map((o) => o.orgId) : [null]) {
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
