/**
 * Exchanging credentials for tokens: password login and refresh-token rotation. Failures share
 * one generic message, so a caller cannot tell a missing account from a wrong password, and are
 * rate limited per address and account.
 */
import { eq } from "drizzle-orm";
import { refreshTokens, sessions, users } from "../../../db/schema/mod.ts";
import type { Deps } from "../../lib/context.ts";
import { forbidden, unauthorized } from "../../lib/errors.ts";
import { dummyHash, verifyPassword } from "../../lib/password.ts";
import type { Role } from "../../lib/permissions.ts";
import type { AuditSubject } from "../../lib/services.ts";
import type { TokenResponseT } from "./schemas.ts";
import { hashToken } from "./tokens.ts";
import {
  type AttemptKeys,
  auditAttempt,
  checkRate,
  countFailure,
  PER_ADDRESS_FACTOR,
  trailsOf,
} from "./attempts.ts";
import {
  issueRefreshToken,
  membershipsOf,
  type RequestMeta,
  startSession,
  tokenResponse,
} from "./accounts.ts";
import { loadPrincipal } from "./principal.ts";

const BAD_LOGIN = "Email or password is incorrect.";
let dummy: Promise<string> | undefined;

function loginKeys(ip: string | null, email: string): AttemptKeys {
  return { account: `login:${ip}:${email}`, address: `login-ip:${ip}` };
}

/** The account an address names, for auditing refusals; one indexed read. */
async function accountOf(deps: Deps, email: string) {
  const [user] = await deps.db.db.select({ id: users.id }).from(users)
    .where(eq(users.email, email));
  return user?.id;
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
  await checkRate(deps, keys, {
    who,
    action: "auth.login.rate-limited",
    trails: async () =>
      trailsOf(deps.db.db, await accountOf(deps, input.email), input.organizationId),
  });
  const [user] = await deps.db.db.select().from(users).where(eq(users.email, input.email));
  const ok = user
    ? await verifyPassword(input.password, user.passwordHash)
    : await verifyPassword(input.password, await (dummy ??= dummyHash(deps.config.passwordLogN)))
      .then(() => false);
  if (!user || !ok) {
    countFailure(deps, keys);
    auditAttempt(
      deps,
      { ...who, userId: user?.id },
      await trailsOf(deps.db.db, user?.id, input.organizationId),
      { action: "auth.login.failed", outcome: "failure", entityType: "user", entityId: user?.id },
    );
    throw unauthorized(BAD_LOGIN);
  }
  deps.loginLimiter.reset(keys.account);
  if (!user.active || user.deletedAt) {
    auditAttempt(deps, { ...who, userId: user.id }, await trailsOf(deps.db.db, user.id), {
      action: "auth.login.failed",
      outcome: "denied",
      entityType: "user",
      entityId: user.id,
    });
    throw forbidden("This account is deactivated. Ask an administrator.");
  }
  const orgs = await membershipsOf(deps.db.db, user.id);
  // A super admin lands in the platform unless they name an organisation: membership of one
  // (accepted by them) must never take away their way to a platform session.
  const chosen = input.organizationId
    ? orgs.find((m) => m.organizationId === input.organizationId)
    : user.isSuperAdmin
    ? undefined
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
  return await tokenResponse(deps, tokens, user.id, orgId);
}

export async function refresh(
  deps: Deps,
  refreshToken: string,
  meta: RequestMeta,
): Promise<TokenResponseT> {
  // Refresh tokens are 256 random bits, so guessing is hopeless; the limit only stops a flood.
  const keys = { account: `refresh:${meta.ip}`, address: `refresh-ip:${meta.ip}` };
  await checkRate(deps, keys, {
    who: meta,
    action: "auth.refresh.rate-limited",
    trails: () => Promise.resolve([null]),
  }, PER_ADDRESS_FACTOR);
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
    // The same live check every request makes: active user and membership, current role.
    const principal = await loadPrincipal(
      tx,
      { sub: row.userId, sid: row.sessionId, org: row.orgId },
      now,
    );
    await tx.update(refreshTokens).set({ rotatedAt: now.toISOString() })
      .where(eq(refreshTokens.id, row.id));
    const next = await issueRefreshToken(deps, tx, row.sessionId, now.toISOString());
    const access = await deps.tokens.signAccess({
      sub: row.userId,
      sid: row.sessionId,
      org: row.orgId,
      role: principal.role,
    });
    await deps.audit.record(tx, { ...who, role: principal.role }, {
      action: "auth.refresh",
      entityType: "session",
      entityId: row.sessionId,
    });
    return { userId: row.userId, orgId: row.orgId, access, refreshToken: next };
  });
  if ("error" in result) {
    if ("endedSession" in result && result.endedSession) {
      deps.principals.forgetSession(result.endedSession);
    }
    countFailure(deps, keys);
    throw unauthorized(result.error);
  }
  return await tokenResponse(
    deps,
    {
      accessToken: result.access.token,
      refreshToken: result.refreshToken,
      expiresIn: result.access.expiresIn,
    },
    result.userId,
    result.orgId,
  );
}
