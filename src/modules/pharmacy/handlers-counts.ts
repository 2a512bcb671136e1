import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, withEtag } from "../../lib/http.ts";
import * as counts from "./counts.ts";
import * as posting from "./counts-posting.ts";
import * as routes from "./routes-counts.ts";

export function registerCountsHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.openCount, async (c) => {
    const count = await counts.openCount(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, count, `/stock/counts/${count.id}`);
  });
  r.openapi(
    routes.listCounts,
    async (c) =>
      c.json(await counts.listCounts(c.get("deps"), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(
    routes.readCount,
    async (c) =>
      withEtag(c, await counts.readCount(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(routes.countLines, async (c) =>
    withEtag(
      c,
      await counts.recordLines(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
    ));
  r.openapi(routes.submitCount, async (c) =>
    withEtag(
      c,
      await posting.submitCount(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
    ));
  r.openapi(routes.approveCount, async (c) =>
    withEtag(
      c,
      await posting.approveCount(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
    ));
  r.openapi(
    routes.postCount,
    async (c) =>
      withEtag(c, await posting.postCount(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(
    routes.cancelCount,
    async (c) =>
      withEtag(c, await posting.cancelCount(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
}
