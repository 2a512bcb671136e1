/**
 * Sessions follow account changes made on other nodes. Sessions are local to the node that
 * opened them, so when a replica (or the primary) applies a users row whose password changed or
 * that was deactivated, or a membership that ended (deactivated, rejected), it ends that user's
 * sessions here. Revocations are stored, so a replica that later loses its primary keeps
 * refusing them.
 */
import { and, eq, isNull, lt } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { sessions } from "../../../db/schema/mod.ts";
import type { RemoteApplied } from "../../lib/context.ts";

export async function endSessionsOnRemoteUser(tx: Db, applied: RemoteApplied) {
  const { before, after } = applied;
  const changedAt = after.passwordChangedAt as string | null;
  const passwordMoved = changedAt && changedAt !== before?.passwordChangedAt;
  const deactivated = after.active === false && before?.active !== false;
  if (!passwordMoved && !deactivated) return;
  const reason = deactivated ? "deactivated" : "password-change";
  applied.forgetUser(after.id as string);
  await tx.update(sessions).set({ revokedAt: new Date().toISOString(), revokedReason: reason })
    .where(and(
      eq(sessions.userId, after.id as string),
      isNull(sessions.revokedAt),
      // A password change ends the sessions opened before it, not one opened here after.
      deactivated ? undefined : lt(sessions.createdAt, changedAt as string),
    ));
}

export async function endSessionsOnRemoteMembership(tx: Db, applied: RemoteApplied) {
  const { before, after } = applied;
  const ended = after.active === false || after.status === "rejected";
  const wasLive = before === undefined || (before.active !== false && before.status !== "rejected");
  if (!ended || !wasLive) return;
  applied.forgetUser(after.userId as string);
  await tx.update(sessions).set({
    revokedAt: new Date().toISOString(),
    revokedReason: after.status === "rejected" ? "registration-rejected" : "deactivated",
  }).where(and(
    eq(sessions.userId, after.userId as string),
    eq(sessions.orgId, after.orgId as string),
    isNull(sessions.revokedAt),
  ));
}
