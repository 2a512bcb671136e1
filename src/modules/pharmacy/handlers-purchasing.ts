import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, withEtag } from "../../lib/http.ts";
import * as purchasing from "./purchasing.ts";
import * as routes from "./routes-purchasing.ts";

export function registerPurchasingHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.createSupplier, async (c) => {
    const s = await purchasing.createSupplier(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, s, `/suppliers/${s.id}`);
  });
  r.openapi(
    routes.listSuppliers,
    async (c) => c.json(await purchasing.listSuppliers(c.get("deps"), actorOf(c)), 200),
  );
  r.openapi(routes.createOrder, async (c) => {
    const o = await purchasing.createOrder(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, o, `/purchase-orders/${o.id}`);
  });
  r.openapi(
    routes.readOrder,
    async (c) =>
      withEtag(c, await purchasing.readOrder(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  for (
    const [route, name] of [
      [routes.sendOrder, "send"],
      [routes.closeOrder, "close"],
      [routes.cancelOrder, "cancel"],
    ] as const
  ) {
    r.openapi(
      route,
      async (c) =>
        withEtag(
          c,
          await purchasing.moveOrder(c.get("deps"), actorOf(c), c.req.valid("param").id, name),
        ),
    );
  }
}
