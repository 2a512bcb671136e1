import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/context.ts";
import { problemResponse } from "../../lib/problem-handler.ts";
import * as routes from "./routes.ts";
import { isReady } from "./service.ts";

export function registerSystemHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.health, (c) => c.json({ status: "ok" as const }, 200));
  r.openapi(routes.ready, async (c) => {
    if (!await isReady(c.get("deps"))) {
      return problemResponse(c, 503, "The database is unreachable or not migrated.") as never;
    }
    return c.json({
      status: "ready" as const,
      database: "ok" as const,
      migrations: "applied" as const,
    }, 200);
  });
}
