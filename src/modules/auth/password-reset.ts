/**
 * Password reset with a 6-digit code: valid 30 minutes, at most 5 tries, stored only as a keyed
 * hash, and a new code voids the earlier ones. The code reaches the person by email through the
 * notification outbox when an email channel is configured, or from an ADMIN who hands it over
 * (as clinics without email do). Codes live in a local table: one works only on the node that
 * issued it. Asking for a code answers the same whether or not the account exists.
 */
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { randomInt } from "node:crypto";
import type { Db } from "../../../db/client.ts";
import { memberships, passwordResetCodes, users } from "../../../db/schema/mod.ts";
import { newId } from "../../../db/ids.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { notFound, unauthorized, unprocessable } from "../../lib/errors.ts";
import { hashSecret } from "../../lib/secrets.ts";
import { enqueueNotification } from "../notifications/mod.ts";
import type { RequestMeta } from "./accounts.ts";
import { auditAttempt, trailsOf } from "./attempts.ts";
import { findAccount, identifierOf } from "./account-state.ts";
import { attemptFailed, attemptSucceeded, guardAttempt } from "./lockout.ts";
import { storePassword } from "./password-change.ts";
import { assertPasswordPolicy } from "./passwords.ts";

export const RESET_CODE_TTL_MS = 30 * 60_000;
export const RESET_MAX_ATTEMPTS = 5;
const BAD_CODE = "The code is wrong or no longer valid.";

export const RESET_REQUESTED = {
  status: "requested" as const,
  detail: "If an account matches, a code has been sent to its email address (where this " +
    "clinic sends email). It is valid for 30 minutes; otherwise ask an administrator for one.",
};

type Who = { email?: string; organizationCode?: string; employeeId?: string };

/**
 * The hash is keyed with the server's secret: a million codes are quick to try against a bare
 * SHA-256, not against one whose key is not in the database.
 */
const hashCode = (deps: Deps, userId: string, code: string) =>
  hashSecret(`${deps.config.jwt.secret}:${userId}:${code}`, "password-reset");

/** Voids the user's live codes and stores a new one; answers the code and when it expires. */
async function issueCode(deps: Deps, tx: Db, userId: string, orgId: string | null, by: string) {
  const now = deps.clock.now();
  const at = now.toISOString();
  await tx.update(passwordResetCodes).set({ endedAt: at, endedReason: "voided" })
    .where(and(eq(passwordResetCodes.userId, userId), isNull(passwordResetCodes.endedAt)));
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const expiresAt = new Date(now.getTime() + RESET_CODE_TTL_MS).toISOString();
  await tx.insert(passwordResetCodes).values({
    id: newId(),
    userId,
    orgId,
    codeHash: hashCode(deps, userId, code),
    createdAt: at,
    expiresAt,
    issuedBy: by,
  });
  return { code, expiresAt };
}

/** The organisation whose outbox and trail a user's reset belongs to. */
async function homeOrg(db: Db, user: { id: string; orgId: string }, named?: string) {
  if (named) return named;
  const [m] = await db.select({ orgId: memberships.orgId }).from(memberships)
    .where(and(eq(memberships.userId, user.id), isNull(memberships.deletedAt)))
    .orderBy(memberships.createdAt).limit(1);
  return m?.orgId ?? null;
}

export async function requestReset(deps: Deps, input: Who, meta: RequestMeta) {
  const found = await findAccount(deps.db.db, input);
  const user = found.user?.active && !found.user.deletedAt ? found.user : undefined;
  const attempt = { scope: "reset-request", ip: meta.ip, account: user?.id ?? identifierOf(input) };
  await guardAttempt(deps, attempt, {
    who: meta,
    trails: () => trailsOf(deps.db.db, user?.id, found.orgId),
  });
  // Each request counts: the limit is on how many codes one may make another receive.
  attemptFailed(deps, attempt);
  if (!user) {
    auditAttempt(deps, meta, [null], {
      action: "auth.password-reset.request",
      outcome: "failure",
      entityType: "user",
    });
    return RESET_REQUESTED;
  }
  const orgId = await homeOrg(deps.db.db, user, found.orgId);
  const email = deps.config.notifications.smtp && orgId ? user.email : null;
  await deps.db.transaction(async (tx) => {
    const { code } = await issueCode(deps, tx, user.id, orgId, "self");
    const who = { ...meta, userId: user.id, orgId: orgId ?? undefined };
    if (email && orgId) {
      await enqueueNotification(deps, tx, { orgId, userId: user.id, requestId: meta.requestId }, {
        channel: "email",
        recipient: email,
        kind: "account.password-reset",
        subject: "Your password reset code",
        // The code stays on this node (the only one that can check it); the outbox row that
        // syncs to every node and shows in the admins' list carries only a placeholder.
        body: "A password reset code was sent to this address (held on the issuing server).",
        secretBody: `Your code to reset your password is ${code}. It is valid for 30 ` +
          "minutes. If you did not ask for it, ignore this message: your password stays as it is.",
        relatedType: "user",
        relatedId: user.id,
        dueAt: deps.clock.now().toISOString(),
      });
    }
    await deps.audit.record(tx, who, {
      action: "auth.password-reset.request",
      entityType: "user",
      entityId: user.id,
    });
  });
  return RESET_REQUESTED;
}

/**
 * An ADMIN's code for a member who cannot receive email. Only for an account that works for this
 * organisation alone: a code for a shared account would let one organisation's admin take over
 * the person's access to another.
 */
export async function adminIssueReset(deps: Deps, a: Actor, userId: string) {
  return await deps.db.transaction(async (tx) => {
    const [member] = await tx.select({ id: memberships.id }).from(memberships)
      .where(and(
        eq(memberships.orgId, a.orgId),
        eq(memberships.userId, userId),
        isNull(memberships.deletedAt),
      ));
    if (!member) throw notFound("User");
    const [user] = await tx.select({ isSuperAdmin: users.isSuperAdmin, active: users.active })
      .from(users).where(eq(users.id, userId));
    const [other] = await tx.select({ id: memberships.id }).from(memberships)
      .where(and(eq(memberships.userId, userId), sql`${memberships.orgId} <> ${a.orgId}`));
    if (other || user.isSuperAdmin) {
      throw unprocessable(
        "This account also works for another organisation; its owner resets the password " +
          "with POST /auth/password-reset/request.",
      );
    }
    if (!user.active) throw unprocessable("The account is deactivated.");
    const issued = await issueCode(deps, tx, userId, a.orgId, a.userId);
    await deps.audit.record(tx, a, {
      action: "user.password-reset.issue",
      entityType: "user",
      entityId: userId,
    });
    return issued;
  });
}

export async function confirmReset(
  deps: Deps,
  input: Who & { code: string; newPassword: string },
  meta: RequestMeta,
) {
  const found = await findAccount(deps.db.db, input);
  const user = found.user;
  const attempt = { scope: "reset-confirm", ip: meta.ip, account: user?.id ?? identifierOf(input) };
  await guardAttempt(deps, attempt, {
    who: meta,
    trails: () => trailsOf(deps.db.db, user?.id, found.orgId),
  });
  assertPasswordPolicy(deps.config, input.newPassword, "newPassword");
  const now = deps.clock.now().toISOString();
  const who = { ...meta, userId: user?.id };
  const outcome = await deps.db.transaction(async (tx) => {
    if (!user || !user.active || user.deletedAt) return "no-code" as const;
    // Read and counted inside the write, so racing guesses all count against the five.
    const [live] = await tx.select().from(passwordResetCodes).where(and(
      eq(passwordResetCodes.userId, user.id),
      isNull(passwordResetCodes.endedAt),
      gt(passwordResetCodes.expiresAt, now),
    ));
    if (!live) return "no-code" as const;
    if (live.codeHash !== hashCode(deps, user.id, input.code.trim())) {
      const attempts = live.attempts + 1;
      await tx.update(passwordResetCodes).set({
        attempts,
        ...(attempts >= RESET_MAX_ATTEMPTS ? { endedAt: now, endedReason: "exhausted" } : {}),
      }).where(eq(passwordResetCodes.id, live.id));
      return "wrong" as const;
    }
    await tx.update(passwordResetCodes).set({ endedAt: now, endedReason: "used" })
      .where(eq(passwordResetCodes.id, live.id));
    await storePassword(deps, tx, user, input.newPassword, {
      at: now,
      actorId: user.id,
      reason: "password-reset",
    });
    for (const orgId of await trailsOf(tx, user.id)) {
      await deps.audit.record(tx, { ...who, orgId: orgId ?? undefined }, {
        action: "auth.password-reset.confirm",
        entityType: "user",
        entityId: user.id,
        changedFields: ["password"],
      });
    }
    return "done" as const;
  });
  if (outcome !== "done") {
    attemptFailed(deps, attempt);
    auditAttempt(deps, who, await trailsOf(deps.db.db, user?.id, found.orgId), {
      action: "auth.password-reset.failed",
      outcome: "failure",
      entityType: "user",
      entityId: user?.id,
    });
    throw unauthorized(BAD_CODE);
  }
  attemptSucceeded(deps, attempt);
  deps.principals.forgetUser(user!.id);
  return { status: "changed" as const };
}
