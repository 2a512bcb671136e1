/**
 * Fixed-window failure counters, in memory. Like everything kept in memory (CONTRIBUTING.md,
 * "Conventions"), this is an optimisation: several processes each count on their own, so the
 * effective limit is per process (documented in the README). Only failures count, so staff who type their password right are never slowed, and
 * every window ends by itself, so nobody can lock an account for longer than one window.
 */
import type { Clock } from "./clock.ts";

export interface RateLimiter {
  /**
   * Whether `key` may try now; when not, how many seconds until its window ends, and whether this
   * is the window's first refusal (so that refusals are audited once a window, not per attempt).
   */
  check(key: string, max?: number): { allowed: boolean; retryAfter: number; firstRefusal: boolean };
  /** Counts one failed attempt against `key`. */
  fail(key: string): void;
  /** Forgets `key` (after a success). */
  reset(key: string): void;
}

export function createRateLimiter(max: number, windowSeconds: number, clock: Clock): RateLimiter {
  const windows = new Map<string, { start: number; count: number; refused: boolean }>();
  const windowMs = windowSeconds * 1000;
  const current = (key: string) => {
    const w = windows.get(key);
    if (w && clock.now().getTime() - w.start >= windowMs) {
      windows.delete(key);
      return undefined;
    }
    return w;
  };
  return {
    check(key, limit = max) {
      const w = current(key);
      if (!w || w.count < limit) return { allowed: true, retryAfter: 0, firstRefusal: false };
      const firstRefusal = !w.refused;
      w.refused = true;
      return {
        allowed: false,
        retryAfter: Math.ceil((w.start + windowMs - clock.now().getTime()) / 1000),
        firstRefusal,
      };
    },
    fail(key) {
      const w = current(key);
      if (w) w.count++;
      else {
        if (windows.size > 100_000) windows.clear();
        windows.set(key, { start: clock.now().getTime(), count: 1, refused: false });
      }
    },
    reset(key) {
      windows.delete(key);
    },
  };
}
