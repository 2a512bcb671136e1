import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv, requestMeta } from "../../lib/context.ts";
import { ifMatch, withEtag } from "../../lib/http.ts";
import * as routes from "./routes.ts";
import * as service from "./service.ts";

export function registerOrganizationHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.createOrganization, async (c) => {
    const created = await service.createOrganization(
      c.get("deps"),
      c.get("principal"),
      c.req.valid("json"),
      requestMeta(c),
    );
    return c.json(created, 201);
  });
  r.openapi(
    routes.listOrganizations,
    async (c) =>
      c.json(await service.listOrganizations(c.get("deps").db.db, c.req.valid("query")), 200),
  );
  r.openapi(routes.currentOrganization, async (c) => {
    const org = await service.currentOrganization(c.get("deps").db.db, actorOf(c).orgId);
    return withEtag(c, org);
  });
  r.openapi(routes.updateCurrentOrganization, async (c) => {
    const org = await service.updateCurrentOrganization(
      c.get("deps"),
      actorOf(c),
      c.req.valid("json"),
      ifMatch(c),
    );
    return withEtag(c, org);
  });
}
