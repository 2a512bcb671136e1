import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, ifMatch, withEtag } from "../../lib/http.ts";
import * as routes from "./routes.ts";
import * as service from "./service.ts";

export function registerFacilityHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.create, async (c) => {
    const f = await service.createFacility(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, f, `/facilities/${f.id}`);
  });
  r.openapi(
    routes.list,
    async (c) =>
      c.json(
        await service.listFacilities(c.get("deps").db.db, actorOf(c).orgId, c.req.valid("query")),
        200,
      ),
  );
  r.openapi(routes.read, async (c) => {
    const f = await service.readFacility(
      c.get("deps").db.db,
      actorOf(c).orgId,
      c.req.valid("param").id,
    );
    return withEtag(c, f);
  });
  r.openapi(routes.update, async (c) => {
    const f = await service.updateFacility(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
      ifMatch(c),
    );
    return withEtag(c, f);
  });
  r.openapi(routes.deactivate, async (c) => {
    const f = await service.updateFacility(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      { active: false },
      ifMatch(c),
      "facility.deactivate",
    );
    return withEtag(c, f);
  });
}
