/**
 * Two-factor authentication for a signed-in user: enrol (a new secret and its otpauth URI),
 * confirm with a first code (the factor becomes active and ten recovery codes are shown once),
 * disable with the password and a code, and the factor's state.
 *
 * An enrolment not yet confirmed stays on the node where it started, as the issue asks of
 * secrets in flight: it is a row of the local `mfa_challenges` table whose `token_hash` holds
 * `totp-enrolment:` and the secret (the server must read a TOTP secret to check codes, as it
 * does in `user_mfa.secret`; a login challenge's hash is hex, so the two never meet). Only a
 * confirmed factor is written to `user_mfa`, which syncs, so the user signs in at any clinic.
 */
import { and, desc, eq, gt, isNull, like } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { newId } from "../../../db/ids.ts";
import {
  memberships,
  mfaChallenges,
  organizations,
  userMfa,
  users,
} from "../../../db/schema/mod.ts";
import { insertTracked, stamp, updateInTenant } from "../../../db/tenant.ts";
import type { Deps, Principal } from "../../lib/context.ts";
import { conflict, type ProblemError, unauthorized, unprocessable } from "../../lib/errors.ts";
import { verifyPassword } from "../../lib/password.ts";
import type { AuditSubject } from "../../lib/services.ts";
import type { RequestMeta } from "./accounts.ts";
import { auditAttempt, trailsOf } from "./attempts.ts";
import { type Attempt, attemptFailed, attemptSucceeded, guardAttempt } from "./lockout.ts";
import { activeMfa, mfaRequiredAnywhere } from "./mfa-policy.ts";
import {
  hashRecoveryCode,
  matchStep,
  newRecoveryCodes,
  newTotpSecret,
  otpauthUri,
} from "./mfa-totp.ts";

const PENDING = "totp-enrolment:";
/** Time to add the account to an authenticator app and type the first code. */
const ENROLMENT_MINUTES = 15;
export const MAX_CODE_ATTEMPTS = 5;

export interface SecondFactor {
  code?: string;
  recoveryCode?: string;
}

type MfaRow = typeof userMfa.$inferSelect;

/** Starts (or restarts) an enrolment: voids an earlier pending one and keeps the new secret. */
export async function startEnrolment(deps: Deps, tx: Db, userId: string, orgId: string | null) {
  const at = deps.clock.now();
  await tx.update(mfaChallenges).set({ usedAt: at.toISOString() }).where(and(
    eq(mfaChallenges.userId, userId),
    like(mfaChallenges.tokenHash, `${PENDING}%`),
    isNull(mfaChallenges.usedAt),
  ));
  const secret = newTotpSecret();
  await tx.insert(mfaChallenges).values({
    id: newId(),
    userId,
    orgId,
    tokenHash: `${PENDING}${secret}`,
    createdAt: at.toISOString(),
    expiresAt: new Date(at.getTime() + ENROLMENT_MINUTES * 60_000).toISOString(),
  });
  const [u] = await tx.select({ email: users.email }).from(users).where(eq(users.id, userId));
  const [org] = orgId
    ? await tx.select({ name: organizations.name }).from(organizations)
      .where(eq(organizations.id, orgId))
    : [];
  return { secret, otpauthUri: otpauthUri(secret, u.email, org?.name ?? "Clinic API") };
}

/** The user's enrolment waiting for its first code on this node, if any. */
export async function pendingEnrolment(db: Db, userId: string, now: Date) {
  const [row] = await db.select().from(mfaChallenges).where(and(
    eq(mfaChallenges.userId, userId),
    like(mfaChallenges.tokenHash, `${PENDING}%`),
    isNull(mfaChallenges.usedAt),
    gt(mfaChallenges.expiresAt, now.toISOString()),
  )).orderBy(desc(mfaChallenges.createdAt)).limit(1);
  return row && row.attempts < MAX_CODE_ATTEMPTS
    ? { id: row.id, secret: row.tokenHash.slice(PENDING.length), attempts: row.attempts }
    : undefined;
}

/**
 * Confirms a pending enrolment with a code of its secret, in `tx`: the factor becomes active
 * (one `user_mfa` row per user, reused after a disable) and ten recovery codes are made.
 * Answers the codes, or null when the code is wrong (the enrolment's attempts are counted).
 */
export async function confirmEnrolment(
  deps: Deps,
  tx: Db,
  userId: string,
  pending: { id: string; secret: string; attempts: number },
  code: string,
): Promise<string[] | null> {
  const now = deps.clock.now();
  const step = matchStep(pending.secret, code, now);
  if (step === null) {
    await tx.update(mfaChallenges).set({ attempts: pending.attempts + 1 })
      .where(eq(mfaChallenges.id, pending.id));
    return null;
  }
  const codes = newRecoveryCodes();
  const values = {
    secret: pending.secret,
    status: "active",
    confirmedAt: now.toISOString(),
    lastStep: step,
    recoveryCodes: codes.map((c) => ({ hash: hashRecoveryCode(c), usedAt: null })),
  };
  const at = now.toISOString();
  const [account] = await tx.select({ orgId: users.orgId }).from(users).where(eq(users.id, userId));
  const [existing] = await tx.select().from(userMfa).where(eq(userMfa.userId, userId));
  if (existing?.status === "active") throw conflict("Two-factor authentication is already on.");
  if (existing) {
    await updateInTenant(tx, userMfa, {
      orgId: existing.orgId,
      id: existing.id,
      set: { ...values, deletedAt: null },
      actorId: userId,
      at,
    });
  } else {
    await insertTracked(tx, userMfa, { ...stamp(account.orgId, userId, at), userId, ...values });
  }
  await tx.update(mfaChallenges).set({ usedAt: at }).where(eq(mfaChallenges.id, pending.id));
  return codes;
}

/**
 * Checks a TOTP code or a recovery code against the active factor and, when it is good, uses it
 * up in `tx`: the code's time step becomes the last one accepted (a code is never accepted twice
 * in its step, nor an older one), or the recovery code is marked used. False when refused.
 */
export async function useFactor(deps: Deps, tx: Db, mfa: MfaRow, f: SecondFactor) {
  const now = deps.clock.now();
  const at = now.toISOString();
  if (f.code) {
    const step = matchStep(mfa.secret, f.code, now);
    if (step === null || (mfa.lastStep !== null && step <= mfa.lastStep)) return false;
    await updateInTenant(tx, userMfa, {
      orgId: mfa.orgId,
      id: mfa.id,
      expectedVersion: mfa.version,
      set: { lastStep: step },
      actorId: mfa.userId,
      at,
    });
    return true;
  }
  if (!f.recoveryCode) return false;
  const hash = hashRecoveryCode(f.recoveryCode);
  const i = mfa.recoveryCodes.findIndex((c) => c.hash === hash && c.usedAt === null);
  if (i < 0) return false;
  await updateInTenant(tx, userMfa, {
    orgId: mfa.orgId,
    id: mfa.id,
    expectedVersion: mfa.version,
    set: { recoveryCodes: mfa.recoveryCodes.map((c, j) => j === i ? { ...c, usedAt: at } : c) },
    actorId: mfa.userId,
    at,
  });
  return true;
}

const who = (p: Principal, meta: RequestMeta): AuditSubject => ({
  ...meta,
  userId: p.userId,
  orgId: p.orgId ?? undefined,
  role: p.role,
});

const attemptOf = (p: Principal, meta: RequestMeta): Attempt => ({
  scope: "2fa",
  ip: meta.ip,
  account: p.userId,
});

export async function mfaStatus(deps: Deps, p: Principal) {
  const mfa = await activeMfa(deps.db.db, p.userId);
  const [user] = await deps.db.db.select({ id: users.id, isSuperAdmin: users.isSuperAdmin })
    .from(users).where(eq(users.id, p.userId));
  return {
    enabled: !!mfa,
    confirmedAt: mfa?.confirmedAt ?? null,
    recoveryCodesLeft: mfa ? mfa.recoveryCodes.filter((c) => c.usedAt === null).length : 0,
    required: await mfaRequiredAnywhere(deps, deps.db.db, user),
  };
}

export async function enroll(deps: Deps, p: Principal, meta: RequestMeta) {
  return await deps.db.transaction(async (tx) => {
    if (await activeMfa(tx, p.userId)) {
      throw conflict("Two-factor authentication is already on; disable it first to change it.");
    }
    const started = await startEnrolment(deps, tx, p.userId, p.orgId);
    await deps.audit.record(tx, who(p, meta), {
      action: "auth.2fa.enroll",
      entityType: "user",
      entityId: p.userId,
    });
    return started;
  });
}

export async function confirm(deps: Deps, p: Principal, code: string, meta: RequestMeta) {
  const attempt = attemptOf(p, meta);
  await guardAttempt(deps, attempt, {
    who: who(p, meta),
    trails: () => trailsOf(deps.db.db, p.userId),
  });
  const pending = await pendingEnrolment(deps.db.db, p.userId, deps.clock.now());
  if (!pending) {
    throw conflict("No enrolment is waiting for a code here; start with POST /auth/2fa/enroll.");
  }
  const codes = await deps.db.transaction(async (tx) => {
    const result = await confirmEnrolment(deps, tx, p.userId, pending, code);
    if (result) {
      await deps.audit.record(tx, who(p, meta), {
        action: "auth.2fa.confirm",
        entityType: "user",
        entityId: p.userId,
      });
    }
    return result;
  });
  if (!codes) throw await refused(deps, attempt, who(p, meta), p.userId, undefined, "code");
  attemptSucceeded(deps, attempt);
  return { recoveryCodes: codes };
}

export async function disable(
  deps: Deps,
  p: Principal,
  input: SecondFactor & { password: string },
  meta: RequestMeta,
) {
  const attempt = attemptOf(p, meta);
  await guardAttempt(deps, attempt, {
    who: who(p, meta),
    trails: () => trailsOf(deps.db.db, p.userId),
  });
  const [user] = await deps.db.db.select().from(users).where(eq(users.id, p.userId));
  if (!await verifyPassword(input.password, user.passwordHash)) {
    throw await refused(
      deps,
      attempt,
      who(p, meta),
      p.userId,
      "The password is incorrect.",
      "password",
    );
  }
  const done = await deps.db.transaction(async (tx) => {
    const mfa = await activeMfa(tx, p.userId);
    if (!mfa) throw conflict("Two-factor authentication is not on.");
    if (await mfaRequiredAnywhere(deps, tx, user)) {
      throw conflict("Your role requires two-factor authentication; it cannot be turned off.");
    }
    if (!await useFactor(deps, tx, mfa, input)) return false;
    const [current] = await tx.select().from(userMfa).where(eq(userMfa.id, mfa.id));
    // The row stays (one per user, synced); its secret and codes go.
    await updateInTenant(tx, userMfa, {
      orgId: current.orgId,
      id: current.id,
      set: { status: "disabled", secret: "", recoveryCodes: [], lastStep: null },
      actorId: p.userId,
      at: deps.clock.now().toISOString(),
    });
    await deps.audit.record(tx, who(p, meta), {
      action: "auth.2fa.disable",
      entityType: "user",
      entityId: p.userId,
    });
    return true;
  });
  if (!done) {
    const field = input.code ? "code" : "recoveryCode";
    throw await refused(deps, attempt, who(p, meta), p.userId, undefined, field);
  }
  attemptSucceeded(deps, attempt);
}

/** Counts and audits a wrong code (or password), and answers the 401 to throw. */
export async function refused(
  deps: Deps,
  attempt: Attempt,
  subject: AuditSubject,
  userId: string,
  detail = "The code is not valid (wrong, expired, or already used).",
  /** A signed-in user's wrong code is bad input (422 naming the field), not a lost session. */
  field?: string,
): Promise<ProblemError> {
  attemptFailed(deps, attempt);
  auditAttempt(deps, subject, await trailsOf(deps.db.db, userId), {
    action: "auth.2fa.failed",
    outcome: "failure",
    entityType: "user",
    entityId: userId,
  });
  return field
    ? unprocessable(detail, [{ path: field, in: "body", message: detail }])
    : unauthorized(detail);
}

/**
 * A confirmed factor reaches the nodes of every organisation the person works for, as their
 * account does (users' `membershipOrgs`), so that they sign in with it at any of them.
 */
export async function mfaSharedWith(tx: Db, row: Record<string, unknown>): Promise<string[]> {
  const rows = await tx.select({ orgId: memberships.orgId }).from(memberships)
    .where(eq(memberships.userId, row.userId as string));
  return rows.map((r) => r.orgId).filter((o) => o !== row.orgId);
}
