import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { API_PREFIX, created, etagOf, ifMatch, withEtag } from "../../lib/http.ts";
import * as routes from "./routes.ts";
import * as service from "./service.ts";

export function registerPatientHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.create, async (c) => {
    const p = await service.registerPatient(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, p, `/patients/${p.id}`);
  });
  r.openapi(routes.read, async (c) => {
    const p = await service.readPatient(c.get("deps"), actorOf(c), c.req.valid("param").id);
    // The body is the record's JSON text as built by the query (see findPatientJson).
    const type = { "Content-Type": "application/json" };
    if (p.mergedInto && c.req.valid("query").redirect === "true") {
      return c.body(p.json, 307, {
        ...type,
        Location: `${API_PREFIX}/patients/${p.mergedInto}`,
      }) as never;
    }
    return c.body(p.json, 200, { ...type, ETag: etagOf(p.version) }) as never;
  });
  r.openapi(routes.update, async (c) => {
    const p = await service.updatePatient(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
      ifMatch(c),
    );
    return withEtag(c, p);
  });
  r.openapi(routes.remove, async (c) => {
    await service.deletePatient(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      ifMatch(c),
    );
    return c.body(null, 204);
  });
}
