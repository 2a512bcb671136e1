import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, ifMatch, withEtag } from "../../lib/http.ts";
import * as routes from "./routes-templates.ts";
import * as templates from "./templates.ts";

export function registerTemplateHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.create, async (c) => {
    const t = await templates.createTemplate(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, t, `/clinical-templates/${t.id}`);
  });
  r.openapi(routes.list, async (c) =>
    c.json(
      await templates.listTemplates(c.get("deps").db.db, actorOf(c), c.req.valid("query")),
      200,
    ));
  r.openapi(routes.read, async (c) =>
    withEtag(
      c,
      await templates.readTemplate(c.get("deps").db.db, actorOf(c), c.req.valid("param").id),
    ));
  r.openapi(routes.update, async (c) =>
    withEtag(
      c,
      await templates.updateTemplate(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json"),
        ifMatch(c),
      ),
    ));
  r.openapi(routes.deactivate, async (c) =>
    withEtag(
      c,
      await templates.deactivateTemplate(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        ifMatch(c),
      ),
    ));
  r.openapi(routes.apply, async (c) =>
    withEtag(
      c,
      await templates.applyTemplate(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
    ));
}
