import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import * as routes from "./routes.ts";
import * as service from "./service.ts";
import { patientStats } from "./stats.ts";

export function registerPatientSearchHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(
    routes.stats,
    async (c) => c.json(await patientStats(c.get("deps"), actorOf(c)), 200),
  );
  r.openapi(routes.list, async (c) => {
    const page = await service.listPatients(c.get("deps"), actorOf(c), c.req.valid("query"));
    // Already JSON text: the records come as SQLite built them (see shownOf).
    return c.body(page.body, 200, { "Content-Type": "application/json" }) as never;
  });
}
