import type { Context } from "hono";
import type { DatabaseHandle } from "../../db/client.ts";
import type { Config } from "./config.ts";
import type { Clock } from "./clock.ts";
import type { Logger } from "./logger.ts";
import type { Actor, Principal } from "./actor.ts";
import type { RateLimiter } from "./rate-limit.ts";
import type { AuditLog, DocumentStorage, PrincipalResolver, TokenService } from "./services.ts";

export type { Actor, Principal };

/** Everything the app is built from; passed in, never global, so tests build their own. */
export interface Deps {
  config: Config;
  db: DatabaseHandle;
  clock: Clock;
  logger: Logger;
  audit: AuditLog;
  loginLimiter: RateLimiter;
  tokens: TokenService;
  principals: PrincipalResolver;
  /** Patient document files (the data folder by default). */
  documents: DocumentStorage;
}

export type AppEnv = {
  Variables: {
    deps: Deps;
    requestId: string;
    principal: Principal;
  };
};

/**
 * The caller's address, for audit entries and login rate limits. With TRUST_PROXY (one reverse
 * proxy in front), it is the last X-Forwarded-For entry: the one the proxy itself appended, which
 * a client cannot forge. Otherwise the socket's peer, and the header is ignored.
 */
export function clientIp(c: Context): string | null {
  if ((c as Context<AppEnv>).get("deps")?.config.trustProxy) {
    const forwarded = c.req.header("x-forwarded-for");
    const last = forwarded?.split(",").pop()?.trim();
    if (last) return last;
  }
  const info = (c.env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr;
  return info?.hostname ?? null;
}

/** The tenant-scoped actor of this request. Only routes with a tenant permission call it. */
export function actorOf(c: Context<AppEnv>): Actor {
  const p = c.get("principal");
  if (!p.orgId) throw new Error("actorOf() called on a route without an organisation");
  return {
    userId: p.userId,
    orgId: p.orgId,
    role: p.role,
    facilityId: p.facilityId,
    requestId: c.get("requestId"),
    ip: clientIp(c),
    userAgent: c.req.header("user-agent") ?? null,
  };
}
