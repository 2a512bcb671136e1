import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { asCsv, asXlsx, type ReportRow, XLSX_TYPE } from "../../lib/report-files.ts";
import * as reports from "./reports.ts";
import * as routes from "./routes-reports.ts";

async function send(
  c: Context<AppEnv>,
  format: "json" | "csv" | "xlsx",
  r: { kind: string; from: string | null; to: string | null; rows: ReportRow[] },
) {
  const name = `${r.kind}${r.from ? `-${r.from}` : ""}${r.to ? `-${r.to}` : ""}`;
  if (format === "csv") {
    return c.body(asCsv(r.rows), 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}.csv"`,
    });
  }
  if (format === "xlsx") {
    return c.body((await asXlsx(r.rows, r.kind)) as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": XLSX_TYPE,
      "Content-Disposition": `attachment; filename="${name}.xlsx"`,
    });
  }
  return c.json({ kind: r.kind, from: r.from, to: r.to, data: r.rows }, 200);
}

export function registerReportHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.revenueReport, async (c) => {
    const q = c.req.valid("query");
    return await send(
      c,
      q.format,
      await reports.revenueReport(c.get("deps"), actorOf(c), q),
    ) as never;
  });
  r.openapi(routes.ageingReport, async (c) =>
    await send(
      c,
      c.req.valid("query").format,
      await reports.ageingReport(c.get("deps"), actorOf(c)),
    ) as never);
  r.openapi(routes.cashUpReport, async (c) => {
    const q = c.req.valid("query");
    return await send(
      c,
      q.format,
      await reports.cashUpHistory(c.get("deps"), actorOf(c), q),
    ) as never;
  });
}
