/**
 * Ending sessions, the signed-in user, and switching organisation.
 */
import { and, eq, isNull } from "drizzle-orm";
import { sessions } from "../../../db/schema/mod.ts";
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

export async function switchOrganization(
  deps: Deps,
  p: Principal,
  organizationId: string,
  meta: RequestMeta,
): Promise<TokenResponseT> {
  const orgs = await membershipsOf(deps.db.db, p.userId);
  const target = orgs.find((m) => m.organizationId === organizationId);
  if (!target) throw forbidden("You are not an active member of that organisation.");
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
      orgId: organizationId,
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
