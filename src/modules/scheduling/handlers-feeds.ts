import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv, requestMeta } from "../../lib/context.ts";
import { created, ifMatch, withEtag } from "../../lib/http.ts";
import * as feeds from "./feeds.ts";
import * as routes from "./routes-feeds.ts";

export function registerFeedHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.create, async (c) => {
    const feed = await feeds.createFeed(c.get("deps"), actorOf(c));
    return created(c, feed, `/calendar-feeds/${feed.id}`);
  });
  r.openapi(
    routes.list,
    async (c) =>
      c.json(await feeds.listFeeds(c.get("deps"), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(routes.revoke, async (c) =>
    withEtag(
      c,
      await feeds.revokeFeed(c.get("deps"), actorOf(c), c.req.valid("param").id, ifMatch(c)),
    ));
  r.openapi(routes.calendar, async (c) => {
    const ics = await feeds.feedCalendar(c.get("deps"), c.req.param("token") ?? "", requestMeta(c));
    return c.body(ics, 200, {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": 'inline; filename="calendar.ics"',
    }) as never;
  });
}
