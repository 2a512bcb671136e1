import type { Context } from "hono";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import * as routes from "./routes.ts";
import { type AuditQuery, listAuditEvents } from "./service.ts";

/** One trail's page, without the org column (the trail is the caller's, or the platform's). */
async function trailPage(c: Context<AppEnv>, orgId: string | null, q: AuditQuery) {
  const page = await listAuditEvents(c.get("deps").db.db, orgId, q);
  return { data: page.data.map(({ orgId: _o, ...e }) => e), nextCursor: page.nextCursor };
}

export function registerAuditHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(
    routes.list,
    async (c) => c.json(await trailPage(c, actorOf(c).orgId, c.req.valid("query")), 200),
  );
  r.openapi(
    routes.listPlatform,
    async (c) => c.json(await trailPage(c, null, c.req.valid("query")), 200),
  );
}
