import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, ifMatch, withEtag } from "../../lib/http.ts";
import { completeOrder } from "./preparation/complete.ts";
import * as formulas from "./preparation/formulas.ts";
import * as orders from "./preparation/orders.ts";
import * as reports from "./preparation/reports.ts";
import * as steps from "./preparation/steps.ts";
import * as centres from "./preparation/work-centres.ts";
import * as routes from "./routes-preparation.ts";

export function registerPreparationHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.createWorkCentre, async (c) => {
    const w = await centres.createWorkCentre(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, w, `/pharmacy/work-centres/${w.id}`);
  });
  r.openapi(
    routes.listWorkCentres,
    async (c) => c.json(await centres.listWorkCentres(c.get("deps"), actorOf(c)), 200),
  );
  r.openapi(
    routes.readWorkCentre,
    async (c) =>
      withEtag(c, await centres.readWorkCentre(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(routes.updateWorkCentre, async (c) => {
    const w = await centres.updateWorkCentre(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
      ifMatch(c),
    );
    return withEtag(c, w);
  });
  r.openapi(routes.createFormula, async (c) => {
    const f = await formulas.createFormula(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, f, `/pharmacy/formulas/${f.id}`);
  });
  r.openapi(
    routes.listFormulas,
    async (c) => c.json(await formulas.listFormulas(c.get("deps"), actorOf(c)), 200),
  );
  r.openapi(
    routes.readFormula,
    async (c) =>
      withEtag(c, await formulas.readFormula(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(routes.createOrder, async (c) => {
    const o = await orders.createOrder(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, o, `/pharmacy/preparation-orders/${o.id}`);
  });
  r.openapi(
    routes.listOrders,
    async (c) =>
      c.json(await orders.listOrders(c.get("deps"), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(
    routes.readOrder,
    async (c) =>
      withEtag(c, await orders.readOrder(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(
    routes.confirmOrder,
    async (c) =>
      withEtag(c, await orders.confirmOrder(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(routes.cancelOrder, async (c) => {
    const { reason } = c.req.valid("json");
    return withEtag(
      c,
      await orders.cancelOrder(c.get("deps"), actorOf(c), c.req.valid("param").id, reason),
    );
  });
  r.openapi(routes.startStep, async (c) => {
    const { id, position } = c.req.valid("param");
    return withEtag(c, await steps.startStep(c.get("deps"), actorOf(c), id, position));
  });
  r.openapi(routes.finishStep, async (c) => {
    const { id, position } = c.req.valid("param");
    const { minutes } = c.req.valid("json");
    return withEtag(c, await steps.finishStep(c.get("deps"), actorOf(c), id, position, minutes));
  });
  r.openapi(routes.completeOrder, async (c) => {
    const o = await completeOrder(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
    );
    return withEtag(c, o);
  });
  r.openapi(
    routes.listSteps,
    async (c) =>
      c.json(await steps.listSteps(c.get("deps"), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(
    routes.orderReport,
    async (c) =>
      c.json(await reports.orderReport(c.get("deps"), actorOf(c), c.req.valid("param").id), 200),
  );
  r.openapi(
    routes.periodReport,
    async (c) =>
      c.json(await reports.periodReport(c.get("deps"), actorOf(c), c.req.valid("query")), 200),
  );
}
