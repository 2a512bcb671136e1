import type { MiddlewareHandler } from "hono";
import type { AppEnv, Deps } from "../lib/context.ts";

const SAFE_ID = /^[\w.:-]{1,128}$/;

/**
 * First middleware of every request: makes the dependencies available, assigns the request id
 * (a caller's own X-Request-Id is kept when it is safe to log), and writes one JSON access-log
 * line. The line names the route pattern, never the concrete path or query, which can carry
 * patient names or ids.
 */
export function requestContext(deps: Deps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && SAFE_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("deps", deps);
    c.set("requestId", requestId);
    await next();
    c.res.headers.set("X-Request-Id", requestId);
    deps.logger.info("request", {
      requestId,
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 100) / 100,
      userId: c.get("principal")?.userId,
    });
  };
}
