import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, withEtag } from "../../lib/http.ts";
import { adjust, returnItems } from "./adjustments.ts";
import { dispense, readDispensation } from "./dispense.ts";
import { asCsv, asXlsx, type ReportRow, XLSX_TYPE } from "../../lib/report-files.ts";
import { consumption, expiryLosses, movementReport, valuation } from "./reports.ts";
import * as routes from "./routes.ts";
import { scanCode } from "./scan.ts";
import * as service from "./service.ts";

export function registerStockHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.createMedication, async (c) => {
    const m = await service.createMedication(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, m, `/medications/${m.id}`);
  });
  r.openapi(
    routes.listMedications,
    async (c) =>
      c.json(await service.listMedications(c.get("deps"), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(
    routes.readMedication,
    async (c) =>
      withEtag(c, await service.readMedication(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(
    routes.scan,
    async (c) => c.json(await scanCode(c.get("deps"), actorOf(c), c.req.valid("json").code), 200),
  );
  r.openapi(routes.receive, async (c) => {
    const receipt = await service.receive(c.get("deps"), actorOf(c), c.req.valid("json"));
    return c.json(receipt, 201);
  });
  r.openapi(routes.stock, async (c) => {
    const data = await service.stockOnHand(c.get("deps"), actorOf(c), c.req.valid("query"));
    return c.json({ data }, 200);
  });
  r.openapi(
    routes.movements,
    async (c) =>
      c.json(await service.movements(c.get("deps"), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(
    routes.adjust,
    async (c) => c.json(await adjust(c.get("deps"), actorOf(c), c.req.valid("json")), 201),
  );
  r.openapi(routes.returns, async (c) =>
    c.json(
      await returnItems(c.get("deps"), actorOf(c), c.req.valid("param").id, c.req.valid("json")),
      201,
    ));
  r.openapi(
    routes.readDispensation,
    async (c) =>
      withEtag(c, await readDispensation(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  const report = async (
    c: Context<AppEnv>,
    kind: "valuation" | "consumption" | "movements" | "expiry_losses",
    q: Parameters<typeof movementReport>[2] & { format: "json" | "csv" | "xlsx" },
  ) => {
    const a = actorOf(c);
    const deps = c.get("deps");
    const result = kind === "valuation"
      ? { from: null, to: null, rows: await valuation(deps, a, q) }
      : kind === "consumption"
      ? await consumption(deps, a, q)
      : kind === "movements"
      ? await movementReport(deps, a, q)
      : await expiryLosses(deps, a, q);
    const rows = result.rows as ReportRow[];
    const name = `${kind}${result.from ? `-${result.from}-${result.to}` : ""}`;
    if (q.format === "csv") {
      return c.body(asCsv(rows), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${name}.csv"`,
      });
    }
    if (q.format === "xlsx") {
      return c.body((await asXlsx(rows, kind)) as Uint8Array<ArrayBuffer>, 200, {
        "Content-Type": XLSX_TYPE,
        "Content-Disposition": `attachment; filename="${name}.xlsx"`,
      });
    }
    return c.json({ kind, from: result.from, to: result.to, data: rows }, 200);
  };
  r.openapi(
    routes.valuationReport,
    async (c) => await report(c, "valuation", c.req.valid("query")) as never,
  );
  r.openapi(
    routes.consumptionReport,
    async (c) => await report(c, "consumption", c.req.valid("query")) as never,
  );
  r.openapi(
    routes.movementReport,
    async (c) => await report(c, "movements", c.req.valid("query")) as never,
  );
  r.openapi(
    routes.expiryLossReport,
    async (c) => await report(c, "expiry_losses", c.req.valid("query")) as never,
  );
  r.openapi(routes.dispense, async (c) => {
    const d = await dispense(c.get("deps"), actorOf(c), c.req.valid("json"));
    return c.json(d, 201);
  });
}
