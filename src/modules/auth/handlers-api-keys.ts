import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, ifMatch, withEtag } from "../../lib/http.ts";
import * as keys from "./api-keys.ts";
import * as routes from "./routes-api-keys.ts";

export function registerApiKeyHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.create, async (c) => {
    const key = await keys.createApiKey(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, key, `/api-keys/${key.id}`);
  });
  r.openapi(
    routes.list,
    async (c) =>
      c.json(await keys.listApiKeys(c.get("deps"), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(routes.revoke, async (c) =>
    withEtag(
      c,
      await keys.revokeApiKey(c.get("deps"), actorOf(c), c.req.valid("param").id, ifMatch(c)),
    ));
}
