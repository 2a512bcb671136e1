import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, withEtag } from "../../lib/http.ts";
import { adjust, returnItems } from "./adjustments.ts";
import { dispense, readDispensation } from "./dispense.ts";
import * as routes from "./routes.ts";
import { scanCode } from "./scan.ts";
import * as service from "./service.ts";

export function registerStockHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.createMedication, async (c) => {
    const m = await service.createMedication(c.var.deps, actorOf(c), c.req.valid("json"));
    return created(c, m, `/medications/${m.id}`);
  });
  r.openapi(
    routes.listMedications,
    async (c) =>
      c.json(await service.listMedications(c.var.deps, actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(
    routes.readMedication,
    async (c) =>
      withEtag(c, await service.readMedication(c.var.deps, actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(
    routes.scan,
    async (c) => c.json(await scanCode(c.var.deps, actorOf(c), c.req.valid("json").code), 200),
  );
  r.openapi(routes.receive, async (c) => {
    const receipt = await service.receive(c.var.deps, actorOf(c), c.req.valid("json"));
    return c.json(receipt, 201);
  });
  r.openapi(routes.stock, async (c) => {
    const data = await service.stockOnHand(c.var.deps, actorOf(c), c.req.valid("query"));
    return c.json({ data }, 200);
  });
  r.openapi(
    routes.movements,
    async (c) => c.json(await service.movements(c.var.deps, actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(
    routes.adjust,
    async (c) => c.json(await adjust(c.var.deps, actorOf(c), c.req.valid("json")), 201),
  );
  r.openapi(routes.returns, async (c) =>
    c.json(
      await returnItems(c.var.deps, actorOf(c), c.req.valid("param").id, c.req.valid("json")),
      201,
    ));
  r.openapi(
    routes.readDispensation,
    async (c) =>
      withEtag(c, await readDispensation(c.var.deps, actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(routes.dispense, async (c) => {
    const d = await dispense(c.var.deps, actorOf(c), c.req.valid("json"));
    return c.json(d, 201);
  });
}
