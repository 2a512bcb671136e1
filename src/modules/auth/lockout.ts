/**
 * Limits on guessable steps (login, registration, password reset, two-factor codes), in three
 * layers, all in memory like the login limiter (README, "Rate limits"):
 * - per address and account: a fixed window (`checkRate`), so one machine guessing one account
 *   is stopped, and the real user at another desk is not;
 * - per address: five times that, so one machine cannot spray many accounts;
 * - per account, from every address together: after five times LOGIN_RATE_LIMIT failures (more
 *   than one address alone may make, so a single guesser never delays the owner), each further
 *   try waits twice as long as the one before, up to a minute (`MAX_DELAY_SECONDS`). Failures
 *   from many machines therefore slow the account's guessing to one a minute (ASVS 2.2.1: under
 *   100 an hour), yet nobody can lock the owner out: the wait never grows past a minute, a
 *   correct password clears it, and a quiet window forgets it.
 * Refusals answer 429 with Retry-After and are audited once a window.
 */
import type { Deps } from "../../lib/context.ts";
import { ProblemError } from "../../lib/errors.ts";
import type { AuditSubject } from "../../lib/services.ts";
import { auditAttempt, checkRate, countFailure, PER_ADDRESS_FACTOR } from "./attempts.ts";

/** The longest a person ever waits between two tries of their own account. */
export const MAX_DELAY_SECONDS = 60;

interface Trail {
  failures: number;
  last: number;
  refused: boolean;
}

const trails = new WeakMap<Deps, Map<string, Trail>>();

function accountTrails(deps: Deps) {
  let map = trails.get(deps);
  if (!map) trails.set(deps, map = new Map());
  return map;
}

/** Failures on one account, from all addresses, before its tries are spaced out. */
export const accountLimit = (deps: Deps) => deps.config.loginRateLimit.max * PER_ADDRESS_FACTOR;

/** The wait, in seconds, after `failures` failures; none until the limit is reached. */
export function delayAfter(failures: number, limit: number) {
  if (failures < limit) return 0;
  return Math.min(MAX_DELAY_SECONDS, 2 ** (failures - limit));
}

/** What an attempt is: its kind (`login`, `reset-confirm`, …), where from, and on what account. */
export interface Attempt {
  scope: string;
  ip: string | null;
  /** The account named (a user id, or the identifier typed when no account matches). */
  account?: string;
}

const keysOf = (a: Attempt) => ({
  account: `${a.scope}:${a.ip}:${a.account ?? ""}`,
  address: `${a.scope}-ip:${a.ip}`,
});

function current(deps: Deps, key: string) {
  const map = accountTrails(deps);
  const t = map.get(key);
  // A window without failures forgets them all.
  if (t && deps.clock.now().getTime() - t.last >= deps.config.loginRateLimit.windowSeconds * 1000) {
    map.delete(key);
    return undefined;
  }
  return t;
}

/**
 * Throws 429 (with Retry-After) when the attempt must wait; audits the first refusal of each
 * window as `auth.<scope>.rate-limited` on the trails `trailsOf` names.
 */
export async function guardAttempt(
  deps: Deps,
  attempt: Attempt,
  audit: { who: AuditSubject; trails: () => Promise<(string | null)[]> },
) {
  const action = `auth.${attempt.scope}.rate-limited`;
  await checkRate(deps, keysOf(attempt), { ...audit, action });
  if (!attempt.account) return;
  const t = current(deps, `${attempt.scope}:${attempt.account}`);
  if (!t) return;
  const wait = t.last + delayAfter(t.failures, accountLimit(deps)) * 1000 -
    deps.clock.now().getTime();
  if (wait <= 0) return;
  if (!t.refused) {
    t.refused = true;
    auditAttempt(deps, audit.who, await audit.trails(), {
      action,
      outcome: "denied",
      entityType: "rate-limit",
      entityId: "account",
    });
  }
  throw new ProblemError(429, "Too many failed attempts on this account. Wait and try again.", {}, {
    "Retry-After": String(Math.ceil(wait / 1000)),
  });
}

/** Counts a failed attempt against its address, its address and account, and its account. */
export function attemptFailed(deps: Deps, attempt: Attempt) {
  countFailure(deps, keysOf(attempt));
  if (!attempt.account) return;
  const key = `${attempt.scope}:${attempt.account}`;
  const t = current(deps, key);
  const now = deps.clock.now().getTime();
  if (t) Object.assign(t, { failures: t.failures + 1, last: now, refused: false });
  else {
    const map = accountTrails(deps);
    if (map.size > 100_000) map.clear();
    map.set(key, { failures: 1, last: now, refused: false });
  }
}

/** A success clears the account's counters (the address's stay: it may be spraying others). */
export function attemptSucceeded(deps: Deps, attempt: Attempt) {
  deps.loginLimiter.reset(keysOf(attempt).account);
  if (attempt.account) accountTrails(deps).delete(`${attempt.scope}:${attempt.account}`);
}
