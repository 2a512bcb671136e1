import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, ifMatch, withEtag } from "../../lib/http.ts";
import { alerts } from "./alerts.ts";
import { addCode, updateMedication } from "./catalogue.ts";
import * as routes from "./routes-catalogue.ts";
import * as stores from "./stores.ts";

export function registerCatalogueHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.alerts, async (c) => {
    const data = await alerts(c.get("deps"), actorOf(c), c.req.valid("query"));
    return c.json({ data }, 200);
  });
  r.openapi(routes.createStore, async (c) => {
    const s = await stores.createStore(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, s, `/stores/${s.id}`);
  });
  r.openapi(
    routes.listStores,
    async (c) =>
      c.json(await stores.listStores(c.get("deps"), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(
    routes.readStore,
    async (c) =>
      withEtag(c, await stores.readStore(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(routes.updateStore, async (c) => {
    const s = await stores.updateStore(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
      ifMatch(c),
    );
    return withEtag(c, s);
  });
  r.openapi(routes.updateMedication, async (c) => {
    const m = await updateMedication(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
      ifMatch(c),
    );
    return withEtag(c, m);
  });
  r.openapi(routes.addCode, async (c) => {
    const m = await addCode(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
    );
    return c.json(m, 201);
  });
}
