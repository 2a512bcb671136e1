/**
 * Resolves a verified access token to the live principal: the session must not be revoked or
 * expired, the user and membership must be active, and the role is read from the membership, so
 * logout, deactivation and role changes take effect on the very next request.
 *
 * Resolved principals are kept for one second. In this process every change that ends or alters
 * a session drops the cached entry at once (`forgetSession`, `forgetUser`), so here the effect is
 * still immediate; another API process sharing the database sees it within that second.
 */
import { and, eq, sql } from "drizzle-orm";
import type { DatabaseHandle, Db } from "../../../db/client.ts";
import { memberships, sessions, users } from "../../../db/schema/mod.ts";
import type { Principal } from "../../lib/context.ts";
import { unauthorized } from "../../lib/errors.ts";
import type { Role } from "../../lib/permissions.ts";
import type { AccessClaims, PrincipalResolver } from "../../lib/services.ts";
import { idleEnded, type SessionActivity } from "./sessions-activity.ts";
import { loadApiKeyPrincipal } from "./api-key-principal.ts";

const cache = new WeakMap<Db, ReturnType<typeof prepare>>();

function prepare(db: Db) {
  return db.select({
    revokedAt: sessions.revokedAt,
    expiresAt: sessions.expiresAt,
    createdAt: sessions.createdAt,
    lastUsedAt: sessions.lastUsedAt,
    orgId: sessions.orgId,
    userActive: users.active,
    isSuperAdmin: users.isSuperAdmin,
    role: memberships.role,
    facilityId: memberships.facilityId,
    memberActive: memberships.active,
    memberStatus: memberships.status,
    temporaryUntil: memberships.temporaryUntil,
  }).from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .leftJoin(
      memberships,
      and(eq(memberships.userId, sessions.userId), eq(memberships.orgId, sessions.orgId)),
    )
    .where(
      and(eq(sessions.id, sql.placeholder("sid")), eq(sessions.userId, sql.placeholder("sub"))),
    )
    .prepare();
}

export async function loadPrincipal(
  db: Db,
  claims: Pick<AccessClaims, "sub" | "sid" | "org">,
  now: Date,
  /** The idle timeout, and when this process last saw the session (see sessions-activity.ts). */
  idle?: { ms: number; seenMs?: number },
): Promise<Principal> {
  let query = cache.get(db);
  if (!query) cache.set(db, query = prepare(db));
  const row = await query.get({ sid: claims.sid, sub: claims.sub });
  if (!row || row.revokedAt || row.expiresAt <= now.toISOString() || !row.userActive) {
    throw unauthorized("The session has ended; log in again.");
  }
  if (idle && idleEnded(row, now, idle.ms, idle.seenMs)) {
    throw unauthorized("The session was idle too long; log in again.");
  }
  if (row.orgId !== claims.org) throw unauthorized("The access token is invalid.");
  if (row.orgId === null) {
    if (!row.isSuperAdmin) throw unauthorized("The session has ended; log in again.");
    return {
      userId: claims.sub,
      sessionId: claims.sid,
      orgId: null,
      role: "SUPER_ADMIN",
      facilityId: null,
    };
  }
  if (!row.memberActive || !row.role || row.memberStatus === "rejected") {
    throw unauthorized("Your access to this organisation has ended.");
  }
  // A self-registered account works on its role only until its temporary access runs out,
  // checked on every request and not only at login.
  const temporary = row.memberStatus === "pending";
  if (temporary && !(row.temporaryUntil && row.temporaryUntil > now.toISOString())) {
    throw unauthorized(
      "Your temporary access has ended; an administrator has not yet approved it.",
    );
  }
  return {
    userId: claims.sub,
    sessionId: claims.sid,
    orgId: row.orgId,
    role: row.role as Role,
    facilityId: row.facilityId ?? null,
    ...(temporary ? { temporary: true } : {}),
  };
}

export function createPrincipalResolver(
  handle: DatabaseHandle,
  clock: { now(): Date },
  ttlMs = 1000,
  activity?: SessionActivity,
): PrincipalResolver {
  const db = handle.db;
  const cache = new Map<string, { principal: Principal; until: number }>();
  return {
    async resolve(claims) {
      const now = clock.now();
      const hit = cache.get(claims.sid);
      if (hit && hit.until > now.getTime() && hit.principal.userId === claims.sub) {
        await activity?.seen(claims.sid, now);
        return hit.principal;
      }
      const principal = await loadPrincipal(
        db,
        claims,
        now,
        activity && { ms: activity.idleMs, seenMs: activity.lastSeen(claims.sid) },
      );
      await activity?.seen(claims.sid, now);
      if (cache.size >= 50_000) cache.clear();
      cache.set(claims.sid, { principal, until: now.getTime() + ttlMs });
      return principal;
    },
    resolveApiKey: (key) => loadApiKeyPrincipal(handle, key, clock.now()),
    forgetSession(sessionId) {
      cache.delete(sessionId);
    },
    forgetUser(userId) {
      for (const [sid, entry] of cache) if (entry.principal.userId === userId) cache.delete(sid);
    },
  };
}
