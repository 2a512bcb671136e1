import type { Context } from "hono";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { createRouter } from "../../lib/router.ts";
import * as routes from "./routes.ts";
import { type AuditQuery, listAuditEvents } from "./service.ts";

/** One trail's page, without the org column (the trail is the caller's, or the platform's). */
async function trailPage(c: Context<AppEnv>, orgId: string | null, q: AuditQuery) {
  const page = await listAuditEvents(c.var.deps.db.db, orgId, q);
  return { data: page.data.map(({ orgId: _o, ...e }) => e), nextCursor: page.nextCursor };
}

export function auditModule() {
  const r = createRouter();
  r.openapi(
    routes.list,
    async (c) => c.json(await trailPage(c, actorOf(c).orgId, c.req.valid("query")), 200),
  );
  r.openapi(
    routes.listPlatform,
    async (c) => c.json(await trailPage(c, null, c.req.valid("query")), 200),
  );
  return r;
}
