import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { expectedVersion } from "../../lib/openapi.ts";
import * as routes from "./routes.ts";
import * as service from "./service.ts";

export function registerFacilityHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.create, async (c) => {
    const f = await service.createFacility(c.var.deps, actorOf(c), c.req.valid("json"));
    return c.json(f, 201, { Location: `/api/v1/facilities/${f.id}`, ETag: `"${f.version}"` });
  });
  r.openapi(
    routes.list,
    async (c) =>
      c.json(
        await service.listFacilities(c.var.deps.db.db, actorOf(c).orgId, c.req.valid("query")),
        200,
      ),
  );
  r.openapi(routes.read, async (c) => {
    const f = await service.readFacility(
      c.var.deps.db.db,
      actorOf(c).orgId,
      c.req.valid("param").id,
    );
    return c.json(f, 200, { ETag: `"${f.version}"` });
  });
  r.openapi(routes.update, async (c) => {
    const f = await service.updateFacility(
      c.var.deps,
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
      expectedVersion(c.req.valid("header")["if-match"]),
    );
    return c.json(f, 200, { ETag: `"${f.version}"` });
  });
  r.openapi(routes.deactivate, async (c) => {
    const f = await service.updateFacility(
      c.var.deps,
      actorOf(c),
      c.req.valid("param").id,
      { active: false },
      expectedVersion(c.req.valid("header")["if-match"]),
      "facility.deactivate",
    );
    return c.json(f, 200, { ETag: `"${f.version}"` });
  });
}
