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
    // The body is the record's JSON text as built by the query (see findPatientJson).
    const type = { "Content-Type": "application/json" };
    if (p.mergedInto && c.req.valid("query").redirect === "true") {
      return c.body(p.json, 307, {
        ...type,
        Location: `/api/v1/patients/${p.mergedInto}`,
      }) as never;
    }
    return c.body(p.json, 200, { ...type, ETag: `"${p.version}"` }) as never;
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
