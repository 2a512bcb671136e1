import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { API_PREFIX } from "../../lib/http.ts";
import * as routes from "./routes.ts";
import * as record from "./service.ts";
import { patientSummary } from "./summary.ts";

export function registerRecordHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.history, async (c) =>
    c.json(
      await record.listRecordVersions(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("query"),
      ),
      200,
    ));
  r.openapi(routes.historyVersion, async (c) => {
    const { id, version } = c.req.valid("param");
    return c.json(await record.readRecordVersion(c.get("deps"), actorOf(c), id, version), 200);
  });
  r.openapi(routes.summary, async (c) => {
    const result = await patientSummary(c.get("deps"), actorOf(c), c.req.valid("param").id);
    if (result.merged) {
      return c.json({ mergedInto: result.mergedInto }, 307, {
        Location: `${API_PREFIX}/patients/${result.mergedInto}/summary`,
      });
    }
    return c.json(result.body as never, 200);
  });
}
