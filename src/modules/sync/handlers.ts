import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, ifMatch, withEtag } from "../../lib/http.ts";
import * as routes from "./routes.ts";
import * as service from "./service.ts";

export function registerSyncHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.register, async (c) => {
    const node = await service.registerNode(c.var.deps, actorOf(c), c.req.valid("json"));
    return created(c, node, `/sync/nodes/${node.id}`);
  });
  r.openapi(routes.list, async (c) =>
    c.json(
      await service.listNodes(c.var.deps.db.db, actorOf(c).orgId, c.req.valid("query")),
      200,
    ));
  r.openapi(
    routes.hello,
    async (c) => c.json(await service.hello(c.var.deps, c.var.node), 200),
  );
  r.openapi(routes.revoke, async (c) =>
    withEtag(
      c,
      await service.revokeNode(c.var.deps, actorOf(c), c.req.valid("param").id, ifMatch(c)),
    ));
}
