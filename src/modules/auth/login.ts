/**
 * Exchanging credentials for tokens: password login and refresh-token rotation. Failures share
 * one generic message, so a caller cannot tell a missing account from a wrong password, and are
 * rate limited per address and account.
 */
import { eq } from "drizzle-orm";
import { refreshTokens, sessions } from "../../../db/schema/mod.ts";
import type { Deps } from "../../lib/context.ts";
import { forbidden, unauthorized } from "../../lib/errors.ts";
import { dummyHash, verifyPassword } from "../../lib/password.ts";
import type { Role } from "../../lib/permissions.ts";
import type { AuditSubject } from "../../lib/services.ts";
import type { TokenResponseT } from "./schemas.ts";
import { hashToken } from "./tokens.ts";
import { auditAttempt, checkRate, countFailure, PER_ADDRESS_FACTOR, trailsOf } from "./attempts.ts";
import { attemptFailed, attemptSucceeded, guardAttempt } from "./lockout.ts";
import {
  accountDeactivated,
  allMemberships,
  findAccount,
  identifierOf,
  refusalOf,
  usable,
} from "./account-state.ts";
import { issueRefreshToken, type RequestMeta, startSession, tokenResponse } from "./accounts.ts";
import { loadPrincipal } from "./principal.ts";
import { secondFactorStep } from "./mfa-login.ts";
import type { MfaRequiredT } from "./schemas-mfa.ts";

const BAD_LOGIN = "The sign-in details or the password are incorrect.";
let dummy: Promise<string> | undefined;

export interface LoginInput {
  email?: string;
  organizationCode?: string;
  employeeId?: string;
  password: string;
  organizationId?: string;
}

export async function login(
  deps: Deps,
  input: LoginInput,
  meta: RequestMeta,
): Promise<TokenResponseT | MfaRequiredT> {
  const who: AuditSubject = { ...meta };
  // One indexed read before the limits, so that an account is counted as one whichever name
  // (email or employee id) it is tried under.
  const found = await findAccount(deps.db.db, input);
  const user = found.user;
  // Signing in by employee id names the organisation; an explicit organizationId still wins.
  const orgWanted = input.organizationId ?? found.orgId;
  const attempt = { scope: "login", ip: meta.ip, account: user?.id ?? identifierOf(input) };
  await guardAttempt(deps, attempt, {
    who,
    trails: () => trailsOf(deps.db.db, user?.id, orgWanted),
  });
  const ok = user
    ? await verifyPassword(input.password, user.passwordHash)
    : await verifyPassword(input.password, await (dummy ??= dummyHash(deps.config.passwordLogN)))
      .then(() => false);
  if (!user || !ok) {
    attemptFailed(deps, attempt);
    auditAttempt(
      deps,
      { ...who, userId: user?.id },
      await trailsOf(deps.db.db, user?.id, orgWanted),
      { action: "auth.login.failed", outcome: "failure", entityType: "user", entityId: user?.id },
    );
    throw unauthorized(BAD_LOGIN);
  }
  attemptSucceeded(deps, attempt);
  // From here on the password is right, so the answer may say why the account cannot sign in.
  const denied = async (problem: Error, orgId?: string) => {
    auditAttempt(deps, { ...who, userId: user.id }, await trailsOf(deps.db.db, user.id, orgId), {
      action: "auth.login.failed",
      outcome: "denied",
      entityType: "user",
      entityId: user.id,
    });
    return problem;
  };
  if (!user.active || user.deletedAt) throw await denied(accountDeactivated());
  const now = deps.clock.now().toISOString();
  const all = await allMemberships(deps.db.db, user.id);
  // A super admin lands in the platform unless they name an organisation: membership of one
  // (accepted by them) must never take away their way to a platform session.
  const named = orgWanted ? all.find((m) => m.orgId === orgWanted) : undefined;
  if (named && !usable(named, now)) throw await denied(refusalOf(named), named.orgId);
  const first = all.find((m) => usable(m, now));
  const chosen = orgWanted ? named : user.isSuperAdmin ? undefined : first;
  if (!chosen && (orgWanted || !user.isSuperAdmin)) {
    // Not one organisation to sign in to: say why, from the most recent membership.
    const last = all.at(-1);
    if (!orgWanted && last) throw await denied(refusalOf(last), last.orgId);
    throw await denied(forbidden(
      orgWanted
        ? "You are not an active member of that organisation."
        : "You have no active organisation membership.",
    ));
  }
  const orgId = chosen?.orgId ?? null;
  const role = (chosen?.role ?? "SUPER_ADMIN") as Role;
  const temporary = chosen?.status === "pending";
  // With two-factor authentication on (or required), the session opens at /auth/2fa/verify.
  const secondStep = await secondFactorStep(deps, user, orgId, role, meta);
  if (secondStep) return secondStep;
  const tokens = await deps.db.transaction(async (tx) => {
    const t = await startSession(deps, tx, user.id, orgId, role, meta);
    await deps.audit.record(tx, {
      ...who,
      userId: user.id,
      orgId: orgId ?? undefined,
      role,
      temporary,
    }, {
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
      { ms: deps.config.sessions.idleTimeoutMinutes * 60_000 },
    );
    // A refresh is a use: the idle timeout counts from here.
    await tx.update(sessions).set({ lastUsedAt: now.toISOString() })
      .where(eq(sessions.id, row.sessionId));
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
