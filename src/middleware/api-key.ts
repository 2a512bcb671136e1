/**
 * The API-key half of authentication (auth.ts): a key (`ck_…`, in `Authorization: Bearer` or
 * `X-API-Key`) becomes its service identity, or the request is refused like a bad token (401).
 * Each refusal is audited, in the key's organisation's trail when the key exists (revoked or
 * expired) and in the platform's otherwise.
 *
 * Limits, in memory like the login limits (per process): each key makes at most
 * API_KEY_RATE_LIMIT requests a minute, and one address presenting keys that do not work is
 * held back like failed logins, so refused attempts cannot flood the audit trail.
 */
import type { Context } from "hono";
import { type AppEnv, type Deps, type Principal, requestMeta } from "../lib/context.ts";
import { ProblemError, unauthorized } from "../lib/errors.ts";
import { createRateLimiter, type RateLimiter } from "../lib/rate-limit.ts";

/** How a key is told from a JWT in the Authorization header. */
export const API_KEY_PREFIX = "ck_";
const PER_ADDRESS_FACTOR = 5;
const limiters = new WeakMap<Deps, RateLimiter>();

function keyLimiter(deps: Deps) {
  let limiter = limiters.get(deps);
  if (!limiter) {
    limiters.set(deps, limiter = createRateLimiter(deps.config.apiKeyRateLimit, 60, deps.clock));
  }
  return limiter;
}

const tooMany = (retryAfter: number) =>
  new ProblemError(429, "Too many requests with this API key. Wait and try again.", {}, {
    "Retry-After": String(retryAfter),
  });

export async function apiKeyPrincipal(c: Context<AppEnv>, key: string): Promise<Principal> {
  const deps = c.get("deps");
  const meta = requestMeta(c);
  const address = `api-key-address:${meta.ip ?? "unknown"}`;
  const held = deps.loginLimiter.check(
    address,
    deps.config.loginRateLimit.max * PER_ADDRESS_FACTOR,
  );
  if (!held.allowed) {
    if (held.firstRefusal) {
      deps.audit.recordRead({ ...meta, role: "API_KEY" }, {
        action: "auth.api-key.failed",
        outcome: "denied",
        entityType: "rate-limit",
        entityId: "address",
      });
    }
    throw tooMany(held.retryAfter);
  }
  const found = await deps.principals.resolveApiKey(key);
  if (!found.ok) {
    deps.loginLimiter.fail(address);
    deps.audit.recordRead({
      ...meta,
      userId: found.key?.id,
      orgId: found.key?.orgId,
      role: "API_KEY",
    }, {
      action: `auth.api-key.${found.reason}`,
      outcome: "failure",
      entityType: "api-key",
      entityId: found.key?.id ?? null,
    });
    throw unauthorized("The API key is not valid: unknown, revoked or expired.");
  }
  const p = found.principal;
  const limiter = keyLimiter(deps);
  const r = limiter.check(p.userId);
  if (!r.allowed) {
    if (r.firstRefusal) {
      deps.audit.recordRead({
        ...meta,
        userId: p.userId,
        orgId: p.orgId ?? undefined,
        role: p.role,
      }, {
        action: "auth.api-key.rate-limited",
        outcome: "denied",
        entityType: "api-key",
        entityId: p.userId,
      });
    }
    throw tooMany(r.retryAfter);
  }
  // The limiter counts what it is told are failures; here every request spends one.
  limiter.fail(p.userId);
  return p;
}
