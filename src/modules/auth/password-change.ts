/**
 * Changing a password, by the person (current password required) or through a reset code. Either
 * way `password_changed_at` moves, which reaches every replica with the users row, and sessions
 * end: all of them after a reset, all but the caller's own after a change.
 */
import { and, eq, isNull, ne } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { sessions, users } from "../../../db/schema/mod.ts";
import { updateInTenant } from "../../../db/tenant.ts";
import type { Deps, Principal } from "../../lib/context.ts";
import { notFound, unprocessable } from "../../lib/errors.ts";
import { hashPassword, verifyPassword } from "../../lib/password.ts";
import type { AuditSubject } from "../../lib/services.ts";
import type { RequestMeta } from "./accounts.ts";
import { auditAttempt, trailsOf } from "./attempts.ts";
import { attemptFailed, attemptSucceeded, guardAttempt } from "./lockout.ts";
import { assertPasswordPolicy } from "./passwords.ts";

/**
 * Writes the new hash and its time on the users row and ends the user's sessions on this node
 * (but `keepSession`), in `tx`. Answers the sessions ended.
 */
export async function storePassword(
  deps: Deps,
  tx: Db,
  user: { id: string; orgId: string },
  password: string,
  opts: { at: string; actorId: string; reason: string; keepSession?: string },
) {
  const passwordHash = await hashPassword(password, deps.config.passwordLogN);
  await updateInTenant(tx, users, {
    orgId: user.orgId,
    id: user.id,
    set: { passwordHash, passwordChangedAt: opts.at },
    actorId: opts.actorId,
    at: opts.at,
  });
  return await endSessions(tx, user.id, opts.at, opts.reason, opts.keepSession);
}

/** Ends every live session of the user on this node but `keep`; answers their ids. */
export async function endSessions(
  tx: Db,
  userId: string,
  at: string,
  reason: string,
  keep?: string,
) {
  const rows = await tx.update(sessions).set({ revokedAt: at, revokedReason: reason })
    .where(and(
      eq(sessions.userId, userId),
      isNull(sessions.revokedAt),
      keep ? ne(sessions.id, keep) : undefined,
    ))
    .returning({ id: sessions.id });
  return rows.map((r) => r.id);
}

export async function changePassword(
  deps: Deps,
  p: Principal,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
) {
  const who: AuditSubject = {
    ...meta,
    userId: p.userId,
    orgId: p.orgId ?? undefined,
    role: p.role,
  };
  // The current password is guessable by whoever holds a stolen session: limited like a login.
  const attempt = { scope: "password-change", ip: meta.ip, account: p.userId };
  await guardAttempt(deps, attempt, { who, trails: () => trailsOf(deps.db.db, p.userId) });
  const [user] = await deps.db.db.select().from(users).where(eq(users.id, p.userId));
  if (!user) throw notFound("User");
  if (!await verifyPassword(input.currentPassword, user.passwordHash)) {
    attemptFailed(deps, attempt);
    auditAttempt(deps, who, await trailsOf(deps.db.db, p.userId, p.orgId), {
      action: "auth.password.change-failed",
      outcome: "failure",
      entityType: "user",
      entityId: p.userId,
    });
    throw unprocessable("The current password is not right.", [
      { path: "currentPassword", in: "body", message: "is not your current password" },
    ]);
  }
  attemptSucceeded(deps, attempt);
  assertPasswordPolicy(deps.config, input.newPassword, "newPassword");
  const at = deps.clock.now().toISOString();
  await deps.db.transaction(async (tx) => {
    await storePassword(deps, tx, user, input.newPassword, {
      at,
      actorId: p.userId,
      reason: "password-change",
      keepSession: p.sessionId,
    });
    for (const orgId of await trailsOf(tx, p.userId)) {
      await deps.audit.record(tx, { ...who, orgId: orgId ?? undefined }, {
        action: "auth.password.change",
        entityType: "user",
        entityId: p.userId,
        changedFields: ["password"],
      });
    }
  });
  deps.principals.forgetUser(p.userId);
}
