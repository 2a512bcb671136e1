/**
 * The two-step login. Once the password is right, a user with an active second factor gets an
 * `mfaToken` instead of tokens (an `mfa_challenges` row holding the token's hash, 5 minutes, at
 * most 5 codes), and `POST /auth/2fa/verify` with a code or a recovery code opens the session.
 * A user whose role requires a factor they have not set up gets 403 with an `mfaToken` that
 * lets them enrol (`/auth/2fa/setup`) and sign in with the first code (`/auth/2fa/verify`).
 * Codes are limited per challenge and, through the lockout, per address and per account.
 */
import { and, eq, isNull } from "drizzle-orm";
import { newId } from "../../../db/ids.ts";
import { mfaChallenges, users } from "../../../db/schema/mod.ts";
import type { Deps } from "../../lib/context.ts";
import { forbidden, unauthorized } from "../../lib/errors.ts";
import type { Role } from "../../lib/permissions.ts";
import { newSecret } from "../../lib/secrets.ts";
import type { AuditSubject } from "../../lib/services.ts";
import { type RequestMeta, startSession, tokenResponse } from "./accounts.ts";
import { allMemberships, usable } from "./account-state.ts";
import { auditAttempt, trailsOf } from "./attempts.ts";
import { type Attempt, attemptSucceeded, guardAttempt } from "./lockout.ts";
import {
  confirmEnrolment,
  MAX_CODE_ATTEMPTS,
  pendingEnrolment,
  refused,
  type SecondFactor,
  startEnrolment,
  useFactor,
} from "./mfa.ts";
import { activeMfa, enrolmentRequired, mfaRequired } from "./mfa-policy.ts";
import { hashToken } from "./tokens.ts";
import type { MfaRequiredT, VerifyResponseT } from "./schemas-mfa.ts";

const CHALLENGE_MINUTES = 5;
const ENDED = "This sign-in step has ended (expired, used or too many codes); log in again.";

/**
 * Called by login once the password is verified and the account may sign in as `role` in
 * `orgId`: answers the second step to take, or undefined when the session may open now.
 */
export async function secondFactorStep(
  deps: Deps,
  user: { id: string; isSuperAdmin: boolean },
  orgId: string | null,
  role: Role,
  meta: RequestMeta,
): Promise<MfaRequiredT | undefined> {
  const db = deps.db.db;
  const active = await activeMfa(db, user.id);
  if (!active && !await mfaRequired(deps, db, user, orgId, role)) return undefined;
  const token = newSecret("mfa_");
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx.insert(mfaChallenges).values({
      id: newId(),
      userId: user.id,
      orgId,
      tokenHash: hashToken(token),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + CHALLENGE_MINUTES * 60_000).toISOString(),
      ip: meta.ip,
      userAgent: meta.userAgent?.slice(0, 300),
    });
    await deps.audit.record(tx, { ...meta, userId: user.id, orgId: orgId ?? undefined, role }, {
      action: active ? "auth.login.mfa-challenge" : "auth.login.mfa-enrolment-required",
      entityType: "user",
      entityId: user.id,
    });
  });
  if (!active) throw enrolmentRequired(token);
  return { mfaRequired: true, mfaToken: token };
}

async function liveChallenge(deps: Deps, token: string) {
  const [c] = await deps.db.db.select().from(mfaChallenges)
    .where(eq(mfaChallenges.tokenHash, hashToken(token)));
  const now = deps.clock.now().toISOString();
  if (!c || c.usedAt || c.expiresAt <= now || c.attempts >= MAX_CODE_ATTEMPTS) return undefined;
  return c;
}

/** A new secret for a user who must enrol before signing in (the 403's mfaToken). */
export async function setupAtLogin(deps: Deps, mfaToken: string, meta: RequestMeta) {
  const c = await liveChallenge(deps, mfaToken);
  if (!c) throw unauthorized(ENDED);
  if (await activeMfa(deps.db.db, c.userId)) {
    throw forbidden("Two-factor authentication is already on: send a code to /auth/2fa/verify.");
  }
  return await deps.db.transaction(async (tx) => {
    const started = await startEnrolment(deps, tx, c.userId, c.orgId);
    await deps.audit.record(tx, { ...meta, userId: c.userId, orgId: c.orgId ?? undefined }, {
      action: "auth.2fa.enroll",
      entityType: "user",
      entityId: c.userId,
    });
    return started;
  });
}

/** The role the challenge's organisation gives the user now (it may have changed meanwhile). */
async function roleNow(deps: Deps, userId: string, orgId: string | null): Promise<Role> {
  const [user] = await deps.db.db.select().from(users).where(eq(users.id, userId));
  if (!user?.active || user.deletedAt) throw unauthorized(ENDED);
  if (orgId === null) {
    if (!user.isSuperAdmin) throw unauthorized(ENDED);
    return "SUPER_ADMIN";
  }
  const now = deps.clock.now().toISOString();
  const m = (await allMemberships(deps.db.db, userId)).find((x) => x.orgId === orgId);
  if (!m || !usable(m, now)) throw unauthorized(ENDED);
  return m.role as Role;
}

export async function verify(
  deps: Deps,
  input: SecondFactor & { mfaToken: string },
  meta: RequestMeta,
): Promise<VerifyResponseT> {
  const found = await liveChallenge(deps, input.mfaToken);
  const attempt: Attempt = { scope: "2fa", ip: meta.ip, account: found?.userId };
  const subject: AuditSubject = { ...meta, userId: found?.userId };
  await guardAttempt(deps, attempt, {
    who: subject,
    trails: () => trailsOf(deps.db.db, found?.userId),
  });
  if (!found) {
    auditAttempt(deps, subject, [null], {
      action: "auth.2fa.failed",
      outcome: "failure",
      entityType: "mfa-challenge",
    });
    throw unauthorized(ENDED);
  }
  const role = await roleNow(deps, found.userId, found.orgId);
  const pending = await pendingEnrolment(deps.db.db, found.userId, deps.clock.now());
  const result = await deps.db.transaction(async (tx) => {
    // Read again in the write transaction: two requests with one challenge or one code race.
    const [c] = await tx.select().from(mfaChallenges).where(and(
      eq(mfaChallenges.id, found.id),
      isNull(mfaChallenges.usedAt),
    ));
    if (!c || c.attempts >= MAX_CODE_ATTEMPTS) return { ok: false } as const;
    const mfa = await activeMfa(tx, c.userId);
    let recoveryCodes: string[] | undefined;
    let ok = false;
    if (mfa) ok = await useFactor(deps, tx, mfa, input);
    else if (pending && input.code) {
      recoveryCodes = await confirmEnrolment(deps, tx, c.userId, pending, input.code) ??
        undefined;
      ok = !!recoveryCodes;
    }
    if (!ok) {
      await tx.update(mfaChallenges).set({ attempts: c.attempts + 1 })
        .where(eq(mfaChallenges.id, c.id));
      return { ok: false } as const;
    }
    await tx.update(mfaChallenges).set({ usedAt: deps.clock.now().toISOString() })
      .where(eq(mfaChallenges.id, c.id));
    const t = await startSession(deps, tx, c.userId, c.orgId, role, meta);
    const actor = { ...meta, userId: c.userId, orgId: c.orgId ?? undefined, role };
    await deps.audit.record(tx, actor, {
      action: recoveryCodes ? "auth.2fa.confirm" : "auth.2fa.verify",
      entityType: "user",
      entityId: c.userId,
      ...(input.recoveryCode ? { changedFields: ["recoveryCodes"] } : {}),
    });
    await deps.audit.record(tx, actor, {
      action: "auth.login",
      entityType: "session",
      entityId: t.sessionId,
    });
    return { ok: true, tokens: t, recoveryCodes } as const;
  });
  if (!result.ok) throw await refused(deps, attempt, subject, found.userId);
  attemptSucceeded(deps, attempt);
  const body = await tokenResponse(deps, result.tokens, found.userId, found.orgId);
  return result.recoveryCodes ? { ...body, recoveryCodes: result.recoveryCodes } : body;
}
