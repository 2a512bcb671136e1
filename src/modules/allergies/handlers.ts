import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, ifMatch, withEtag } from "../../lib/http.ts";
import * as routes from "./routes.ts";
import * as allergies from "./service.ts";

export function registerAllergyHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.list, async (c) =>
    c.json(
      await allergies.listAllergies(
        c.var.deps,
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("query"),
      ),
      200,
    ));
  r.openapi(routes.create, async (c) => {
    const { id } = c.req.valid("param");
    const a = await allergies.addAllergy(c.var.deps, actorOf(c), id, c.req.valid("json"));
    return created(c, a, `/patients/${id}/allergies/${a.id}`);
  });
  r.openapi(routes.update, async (c) => {
    const { id, allergyId } = c.req.valid("param");
    const target = { patientId: id, entryId: allergyId, expectedVersion: ifMatch(c) };
    return withEtag(
      c,
      await allergies.updateAllergy(c.var.deps, actorOf(c), target, c.req.valid("json")),
    );
  });
  r.openapi(routes.remove, async (c) => {
    const { id, allergyId } = c.req.valid("param");
    const target = { patientId: id, entryId: allergyId, expectedVersion: ifMatch(c) };
    await allergies.removeAllergy(c.var.deps, actorOf(c), target);
    return c.body(null, 204);
  });
  r.openapi(routes.versions, async (c) => {
    const { id, allergyId } = c.req.valid("param");
    return c.json(
      await allergies.allergyVersions(c.var.deps, actorOf(c), id, allergyId, c.req.valid("query")),
      200,
    );
  });
}
