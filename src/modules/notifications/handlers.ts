import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import * as routes from "./routes.ts";
import * as service from "./service.ts";

export function registerNotificationHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(
    routes.list,
    async (c) =>
      c.json(await service.listNotifications(c.get("deps"), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(
    routes.read,
    async (c) =>
      c.json(
        await service.readNotification(c.get("deps"), actorOf(c), c.req.valid("param").id),
        200,
      ),
  );
  r.openapi(routes.retry, async (c) =>
    c.json(
      await service.retryNotification(c.get("deps"), actorOf(c), c.req.valid("param").id),
      200,
    ));
}
