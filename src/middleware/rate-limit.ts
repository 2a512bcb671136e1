/**
 * Fixed-window attempt counters, in memory. Per CONVENTIONS.md this is an optimisation: several
 * processes each count on their own, so the effective limit is per process (documented in the
 * README). Keys combine address and account so that one attacker cannot lock a user out from
 * everywhere: the victim's own address keeps its own budget, and every window ends by itself.
 */
import type { Clock } from "../lib/clock.ts";

export interface RateLimiter {
  /** Counts one attempt; answers how many seconds to wait when the key is over its limit. */
  hit(key: string): { allowed: boolean; retryAfter: number };
  reset(key: string): void;
}

export function createRateLimiter(max: number, windowSeconds: number, clock: Clock): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  const windowMs = windowSeconds * 1000;
  return {
    hit(key) {
      const now = clock.now().getTime();
      let w = windows.get(key);
      if (!w || now - w.start >= windowMs) {
        if (windows.size > 100_000) windows.clear();
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      w.count++;
      const retryAfter = Math.ceil((w.start + windowMs - now) / 1000);
      return { allowed: w.count <= max, retryAfter };
    },
    reset(key) {
      windows.delete(key);
    },
  };
}
