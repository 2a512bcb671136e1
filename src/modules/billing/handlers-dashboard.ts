import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import * as dashboard from "./dashboard.ts";
import * as routes from "./routes-dashboard.ts";

export function registerDashboardHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(
    routes.stats,
    async (c) => c.json(await dashboard.stats(c.get("deps"), actorOf(c)), 200),
  );
  r.openapi(
    routes.revenue,
    async (c) =>
      c.json(
        await dashboard.revenueSeries(
          c.get("deps"),
          actorOf(c),
          c.req.valid("query").days,
          c.req.valid("query").from,
        ),
        200,
      ),
  );
  r.openapi(
    routes.appointmentsBreakdown,
    async (c) =>
      c.json(
        await dashboard.appointmentBreakdown(c.get("deps"), actorOf(c), c.req.valid("query")),
        200,
      ),
  );
  r.openapi(
    routes.activity,
    async (c) =>
      c.json(await dashboard.activity(c.get("deps"), actorOf(c), c.req.valid("query").limit), 200),
  );
}
