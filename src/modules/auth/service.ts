/**
 * Login, refresh-token rotation, logout and organisation switching. Every outcome is audited;
 * failures with the same generic message so that a caller cannot tell a missing account from a
 * wrong password.
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
import type { Deps, Principal } from "../../lib/context.ts";
import { forbidden, ProblemError, unauthorized } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { dummyHash, verifyPassword } from "../../lib/password.ts";
import type { Role } from "../../lib/permissions.ts";
import type { AuditSubject } from "../audit/service.ts";
import type { SessionUserT, TokenResponseT } from "./schemas.ts";
import { hashToken } from "./tokens.ts";

export interface RequestMeta {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

const BAD_LOGIN = "Email or password is incorrect.";
let dummy: Promise<string> | undefined;

async function membershipsOf(db: Db, userId: string) {
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

async function sessionUser(db: Db, userId: string, orgId: string | null): Promise<SessionUserT> {
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

/** Creates a session and its first refresh token, and signs an access token for it. */
async function startSession(
  deps: Deps,
  tx: Db,
  userId: string,
  orgId: string | null,
  role: Role,
  meta: RequestMeta,
) {
  const now = deps.clock.now();
  const sessionId = newId();
  const expiresAt = new Date(now.getTime() + deps.config.jwt.refreshTtlDays * 86_400_000);
  await tx.insert(sessions).values({
    id: sessionId,
    userId,
    orgId,
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 300),
  });
  const refresh = deps.tokens.newRefreshToken();
  await tx.insert(refreshTokens).values({
    id: newId(),
    tokenHash: refresh.hash,
    sessionId,
    createdAt: now.toISOString(),
  });
  const access = await deps.tokens.signAccess({ sub: userId, sid: sessionId, org: orgId, role });
  return {
    sessionId,
    accessToken: access.token,
    refreshToken: refresh.token,
    expiresIn: access.expiresIn,
  };
}

/** Failures allowed from one address across all accounts, as a multiple of the per-account limit. */
const PER_ADDRESS_FACTOR = 5;

function loginKeys(ip: string | null, email: string) {
  return { account: `login:${ip}:${email}`, address: `login-ip:${ip}` };
}

function checkRate(deps: Deps, keys: { account: string; address: string }, factor = 1) {
  const limit = deps.config.loginRateLimit.max * factor;
  for (
    const [key, max] of [[keys.account, limit], [keys.address, limit * PER_ADDRESS_FACTOR]] as const
  ) {
    const r = deps.loginLimiter.check(key, max);
    if (!r.allowed) {
      throw new ProblemError(429, "Too many failed attempts. Wait and try again.", {}, {
        "Retry-After": String(r.retryAfter),
      });
    }
  }
}

function countFailure(deps: Deps, keys: { account: string; address: string }) {
  deps.loginLimiter.fail(keys.account);
  deps.loginLimiter.fail(keys.address);
}

export async function login(
  deps: Deps,
  input: { email: string; password: string; organizationId?: string },
  meta: RequestMeta,
): Promise<TokenResponseT> {
  const who: AuditSubject = { ...meta };
  // Per address and account, so that a guesser is stopped without locking the real user out
  // from their own desk; and per address, so one machine cannot spray many accounts.
  const keys = loginKeys(meta.ip, input.email);
  checkRate(deps, keys);
  const [user] = await deps.db.db.select().from(users).where(eq(users.email, input.email));
  const ok = user
    ? await verifyPassword(input.password, user.passwordHash)
    : await verifyPassword(input.password, await (dummy ??= dummyHash(deps.config.passwordLogN)))
      .then(() => false);
  if (!user || !ok) {
    countFailure(deps, keys);
    deps.audit.recordRead({ ...who, userId: user?.id }, {
      action: "auth.login.failed",
      outcome: "failure",
      entityType: "user",
      entityId: user?.id ?? null,
    });
    throw unauthorized(BAD_LOGIN);
  }
  deps.loginLimiter.reset(keys.account);
  if (!user.active || user.deletedAt) {
    deps.audit.recordRead({ ...who, userId: user.id }, {
      action: "auth.login.failed",
      outcome: "denied",
      entityType: "user",
      entityId: user.id,
    });
    throw forbidden("This account is deactivated. Ask an administrator.");
  }
  const orgs = await membershipsOf(deps.db.db, user.id);
  const chosen = input.organizationId
    ? orgs.find((m) => m.organizationId === input.organizationId)
    : orgs[0];
  if (!chosen && (input.organizationId || !user.isSuperAdmin)) {
    throw forbidden(
      input.organizationId
        ? "You are not an active member of that organisation."
        : "You have no active organisation membership.",
    );
  }
  const orgId = chosen?.organizationId ?? null;
  const role = (chosen?.role ?? "SUPER_ADMIN") as Role;
  const tokens = await deps.db.transaction(async (tx) => {
    const t = await startSession(deps, tx, user.id, orgId, role, meta);
    await deps.audit.record(tx, { ...who, userId: user.id, orgId: orgId ?? undefined, role }, {
      action: "auth.login",
      entityType: "session",
      entityId: t.sessionId,
    });
    return t;
  });
  return {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresIn: tokens.expiresIn,
    tokenType: "Bearer",
    user: await sessionUser(deps.db.db, user.id, orgId),
  };
}

export async function refresh(
  deps: Deps,
  refreshToken: string,
  meta: RequestMeta,
): Promise<TokenResponseT> {
  // Refresh tokens are 256 random bits, so guessing is hopeless; the limit only stops a flood.
  const keys = { account: `refresh:${meta.ip}`, address: `refresh-ip:${meta.ip}` };
  checkRate(deps, keys, PER_ADDRESS_FACTOR);
  const now = deps.clock.now();
  const result = await deps.db.transaction(async (tx) => {
    const [row] = await tx.select({
      id: refreshTokens.id,
      rotatedAt: refreshTokens.rotatedAt,
      sessionId: sessions.id,
      userId: sessions.userId,
      orgId: sessions.orgId,
      revokedAt: sessions.revokedAt,
      expiresAt: sessions.expiresAt,
    }).from(refreshTokens).innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
      .where(eq(refreshTokens.tokenHash, hashToken(refreshToken)));
    if (!row) return { error: "The refresh token is not valid." } as const;
    const who = { ...meta, userId: row.userId, orgId: row.orgId ?? undefined };
    if (row.revokedAt || row.expiresAt <= now.toISOString()) {
      return { error: "The session has ended; log in again." } as const;
    }
    if (row.rotatedAt) {
      // A used token came back: someone holds a copy. End the session for everyone holding it.
      await tx.update(sessions).set({
        revokedAt: now.toISOString(),
        revokedReason: "refresh-token-reuse",
      })
        .where(eq(sessions.id, row.sessionId));
      await deps.audit.record(tx, who, {
        action: "auth.refresh.reuse",
        outcome: "denied",
        entityType: "session",
        entityId: row.sessionId,
      });
      return {
        error: "The refresh token was already used; the session has been ended.",
        endedSession: row.sessionId,
      } as const;
    }
    const principal = await liveRole(tx, row.userId, row.orgId);
    if (!principal) return { error: "Your access has ended; log in again." } as const;
    await tx.update(refreshTokens).set({ rotatedAt: now.toISOString() })
      .where(eq(refreshTokens.id, row.id));
    const next = deps.tokens.newRefreshToken();
    await tx.insert(refreshTokens).values({
      id: newId(),
      tokenHash: next.hash,
      sessionId: row.sessionId,
      createdAt: now.toISOString(),
    });
    const access = await deps.tokens.signAccess({
      sub: row.userId,
      sid: row.sessionId,
      org: row.orgId,
      role: principal,
    });
    return { userId: row.userId, orgId: row.orgId, access, refreshToken: next.token };
  });
  if ("error" in result) {
    if ("endedSession" in result && result.endedSession) {
      deps.principals.forgetSession(result.endedSession);
    }
    countFailure(deps, keys);
    throw unauthorized(result.error);
  }
  return {
    accessToken: result.access.token,
    refreshToken: result.refreshToken,
    expiresIn: result.access.expiresIn,
    tokenType: "Bearer",
    user: await sessionUser(deps.db.db, result.userId, result.orgId),
  };
}

/** The user's current role in the organisation, or null when the user or membership is inactive. */
async function liveRole(db: Db, userId: string, orgId: string | null): Promise<Role | null> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user?.active) return null;
  if (orgId === null) return user.isSuperAdmin ? "SUPER_ADMIN" : null;
  const [m] = await db.select().from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.orgId, orgId)));
  return m?.active ? (m.role as Role) : null;
}

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
  return {
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresIn: tokens.expiresIn,
    tokenType: "Bearer",
    user: await sessionUser(deps.db.db, p.userId, organizationId),
  };
}
