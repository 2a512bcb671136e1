import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { exportPatients, importPatients } from "./service.ts";
import * as routes from "./routes.ts";

export function registerTransferHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.exportCsv, async (c) => {
    const { format: _format, ...filters } = c.req.valid("query");
    const { filename, stream } = await exportPatients(c.get("deps"), actorOf(c), filters);
    return c.body(stream, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
    }) as never;
  });
  r.openapi(routes.importFile, async (c) => {
    const report = await importPatients(
      c.get("deps"),
      actorOf(c),
      c.req.valid("form").file,
      c.req.valid("query"),
    );
    return c.json(report, 200);
  });
}
