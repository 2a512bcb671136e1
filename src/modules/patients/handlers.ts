import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { expectedVersion } from "../../lib/openapi.ts";
import * as routes from "./routes.ts";
import * as service from "./service.ts";

export function registerPatientHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.create, async (c) => {
    const p = await service.registerPatient(c.var.deps, actorOf(c), c.req.valid("json"));
    return c.json(p, 201, { Location: `/api/v1/patients/${p.id}`, ETag: `"${p.version}"` });
  });
  r.openapi(routes.read, async (c) => {
    const p = await service.readPatient(c.var.deps, actorOf(c), c.req.valid("param").id);
    if (p.mergedInto && c.req.valid("query").redirect === "true") {
      return c.json(p, 307, { Location: `/api/v1/patients/${p.mergedInto}` });
    }
    return c.json(p, 200, { ETag: `"${p.version}"` });
  });
  r.openapi(routes.update, async (c) => {
    const p = await service.updatePatient(
      c.var.deps,
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
      expectedVersion(c.req.valid("header")["if-match"]),
    );
    return c.json(p, 200, { ETag: `"${p.version}"` });
  });
  r.openapi(routes.remove, async (c) => {
    await service.deletePatient(
      c.var.deps,
      actorOf(c),
      c.req.valid("param").id,
      expectedVersion(c.req.valid("header")["if-match"]),
    );
    return c.body(null, 204);
  });
}
