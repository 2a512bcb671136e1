/**
 * What every way of starting or renewing a session shares: the user's memberships, the signed-in
 * user's view, the live role, and creating the session with its tokens.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import {
  memberships,
  organizations,
  refreshTokens,
  sessions,
  users,
} from "../../../db/schema/mod.ts";
import type { Deps } from "../../lib/context.ts";
import type { RequestMeta } from "../../lib/context.ts";
import { newId } from "../../../db/ids.ts";
import type { Role } from "../../lib/permissions.ts";
import type { SessionUserT, TokenResponseT } from "./schemas.ts";
import { deviceName } from "./devices.ts";

export type { RequestMeta } from "../../lib/context.ts";

export async function membershipsOf(db: Db, userId: string) {
  return await db.select({
    organizationId: memberships.orgId,
    organizationName: organizations.name,
    organizationCode: organizations.code,
    role: memberships.role,
    employeeId: memberships.employeeId,
    facilityId: memberships.facilityId,
  }).from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(and(
      eq(memberships.userId, userId),
      eq(memberships.active, true),
      isNull(memberships.deletedAt),
      eq(organizations.active, true),
    ))
    .orderBy(asc(memberships.createdAt));
}

export async function sessionUser(
  db: Db,
  userId: string,
  orgId: string | null,
): Promise<SessionUserT> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  const orgs = await membershipsOf(db, userId);
  const current = orgs.find((m) => m.organizationId === orgId);
  return {
    id: user.id,
    email: user.email,
    fullName: user.fullName,
    role: current?.role ?? (user.isSuperAdmin ? "SUPER_ADMIN" : "NONE"),
    organizationId: orgId,
    facilityId: current?.facilityId ?? null,
    isSuperAdmin: user.isSuperAdmin,
    organizations: orgs.map(({ facilityId: _f, ...m }) => ({ ...m, role: m.role as never })),
  };
}

/** A new refresh token for the session, stored as its hash; the token itself goes to the client. */
export async function issueRefreshToken(deps: Deps, tx: Db, sessionId: string, at: string) {
  const refresh = deps.tokens.newRefreshToken();
  await tx.insert(refreshTokens).values({
    id: newId(),
    tokenHash: refresh.hash,
    sessionId,
    createdAt: at,
  });
  return refresh.token;
}

/** Creates a session and its first refresh token, and signs an access token for it. */
export async function startSession(
  deps: Deps,
  tx: Db,
  userId: string,
  orgId: string | null,
  role: Role,
  meta: RequestMeta,
) {
  const now = deps.clock.now();
  const sessionId = newId();
  const expiresAt = new Date(now.getTime() + deps.config.sessions.maxHours * 3_600_000);
  await tx.insert(sessions).values({
    id: sessionId,
    userId,
    orgId,
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 300),
    device: deviceName(meta.userAgent),
    lastUsedAt: now.toISOString(),
  });
  const refreshToken = await issueRefreshToken(deps, tx, sessionId, now.toISOString());
  const access = await deps.tokens.signAccess({ sub: userId, sid: sessionId, org: orgId, role });
  return { sessionId, accessToken: access.token, refreshToken, expiresIn: access.expiresIn };
}

/** The body every token-issuing operation answers: the pair and the signed-in user. */
export async function tokenResponse(
  deps: Deps,
  tokens: { accessToken: string; refreshToken: string; expiresIn: number },
  userId: string,
  orgId: string | null,
): Promise<TokenResponseT> {
  return {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresIn: tokens.expiresIn,
    tokenType: "Bearer",
    user: await sessionUser(deps.db.db, userId, orgId),
  };
}
