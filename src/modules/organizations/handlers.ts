import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv, clientIp } from "../../lib/context.ts";
import { expectedVersion } from "../../lib/openapi.ts";
import * as routes from "./routes.ts";
import * as service from "./service.ts";

export function registerOrganizationHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.createOrganization, async (c) => {
    const meta = {
      requestId: c.var.requestId,
      ip: clientIp(c),
      userAgent: c.req.header("user-agent") ?? null,
    };
    const created = await service.createOrganization(
      c.var.deps,
      c.var.principal,
      c.req.valid("json"),
      meta,
    );
    return c.json(created, 201);
  });
  r.openapi(
    routes.listOrganizations,
    async (c) =>
      c.json(await service.listOrganizations(c.var.deps.db.db, c.req.valid("query")), 200),
  );
  r.openapi(routes.currentOrganization, async (c) => {
    const org = await service.currentOrganization(c.var.deps.db.db, actorOf(c).orgId);
    return c.json(org, 200, { ETag: `"${org.version}"` });
  });
  r.openapi(routes.updateCurrentOrganization, async (c) => {
    const org = await service.updateCurrentOrganization(
      c.var.deps,
      actorOf(c),
      c.req.valid("json"),
      expectedVersion(c.req.valid("header")["if-match"]),
    );
    return c.json(org, 200, { ETag: `"${org.version}"` });
  });
}
