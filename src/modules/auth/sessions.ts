/** A user's own sessions: list them, end one (a lost phone, a shared desk computer). */
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import { sessions } from "../../../db/schema/mod.ts";
import type { Deps, Principal } from "../../lib/context.ts";
import { notFound } from "../../lib/errors.ts";
import type { RequestMeta } from "./service.ts";
import { deviceName } from "./devices.ts";
import { idleEnded } from "./sessions-activity.ts";

export async function listSessions(deps: Deps, p: Principal) {
  const rows = await deps.db.db.select().from(sessions).where(and(
    eq(sessions.userId, p.userId),
    isNull(sessions.revokedAt),
    gt(sessions.expiresAt, deps.clock.now().toISOString()),
  )).orderBy(desc(sessions.createdAt)).limit(100);
  const now = deps.clock.now();
  const idleMs = deps.config.sessions.idleTimeoutMinutes * 60_000;
  // A session idle past the timeout has ended, though its row does not say so yet.
  return rows.filter((s) => s.id === p.sessionId || !idleEnded(s, now, idleMs)).map((s) => ({
    id: s.id,
    organizationId: s.orgId,
    createdAt: s.createdAt,
    expiresAt: s.expiresAt,
    lastUsedAt: s.lastUsedAt ?? s.createdAt,
    ip: s.ip,
    userAgent: s.userAgent,
    device: s.device ?? deviceName(s.userAgent),
    current: s.id === p.sessionId,
  }));
}

/** Ends one of the caller's own sessions; another user's session id is simply not found. */
export async function revokeSession(deps: Deps, p: Principal, id: string, meta: RequestMeta) {
  const now = deps.clock.now().toISOString();
  const ended = await deps.db.transaction(async (tx) => {
    const rows = await tx.update(sessions).set({ revokedAt: now, revokedReason: "revoked" })
      .where(and(eq(sessions.id, id), eq(sessions.userId, p.userId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    if (rows.length === 0) return false;
    await deps.audit.record(tx, {
      ...meta,
      userId: p.userId,
      orgId: p.orgId ?? undefined,
      role: p.role,
    }, {
      action: "auth.session.revoke",
      entityType: "session",
      entityId: id,
    });
    return true;
  });
  if (!ended) throw notFound("Session");
  deps.principals.forgetSession(id);
}
