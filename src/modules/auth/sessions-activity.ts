/**
 * Idle timeout: a session ends after SESSION_IDLE_TIMEOUT_MINUTES without a request or refresh.
 *
 * The last use is written to the session row at most once a minute per session (an in-memory
 * throttle), so a read request does not become a write: the row runs up to a minute behind, and
 * this process's own memory of the latest request covers that minute. Another process sharing
 * the database may therefore end a session up to a minute early, never late.
 */
import { eq } from "drizzle-orm";
import type { DatabaseHandle } from "../../../db/client.ts";
import { sessions } from "../../../db/schema/mod.ts";

export const TOUCH_EVERY_MS = 60_000;
const MAX_TRACKED = 50_000;

export interface SessionActivity {
  readonly idleMs: number;
  /** When this process last saw a request of the session (ms since the epoch). */
  lastSeen(sessionId: string): number | undefined;
  /** Notes a request; answers a promise only when the row is due to be written. */
  seen(sessionId: string, now: Date): Promise<void> | undefined;
}

/** Whether a session last used at `lastUsedAt` (or opened at `createdAt`) has been idle too long. */
export function idleEnded(
  row: { createdAt: string; lastUsedAt: string | null },
  now: Date,
  idleMs: number,
  seenMs = 0,
): boolean {
  const last = Math.max(Date.parse(row.lastUsedAt ?? row.createdAt), seenMs);
  return now.getTime() - last > idleMs;
}

export function createSessionActivity(
  db: DatabaseHandle,
  idleMinutes: number,
): SessionActivity {
  const seenAt = new Map<string, number>();
  const writtenAt = new Map<string, number>();
  return {
    idleMs: idleMinutes * 60_000,
    lastSeen: (sessionId) => seenAt.get(sessionId),
    seen(sessionId, now) {
      const t = now.getTime();
      // Losing these only costs a write per session: the rows stay the truth.
      if (seenAt.size >= MAX_TRACKED) {
        seenAt.clear();
        writtenAt.clear();
      }
      seenAt.set(sessionId, Math.max(t, seenAt.get(sessionId) ?? 0));
      const last = writtenAt.get(sessionId);
      if (last !== undefined && t - last < TOUCH_EVERY_MS) return undefined;
      writtenAt.set(sessionId, t);
      return db.transaction(async (tx) => {
        await tx.update(sessions).set({ lastUsedAt: now.toISOString() })
          .where(eq(sessions.id, sessionId));
      });
    },
  };
}
