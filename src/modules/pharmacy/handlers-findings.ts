import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { ifMatch, withEtag } from "../../lib/http.ts";
import * as findings from "./findings/service.ts";
import * as routes from "./routes-findings.ts";

export function registerFindingsHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(
    routes.listFindings,
    async (c) =>
      c.json(await findings.listFindings(c.get("deps"), actorOf(c), c.req.valid("query")), 200),
  );
  // Before /{id}: "scan" is not an id, and the router matches in order.
  r.openapi(
    routes.scanFindings,
    async (c) => c.json(await findings.scan(c.get("deps"), actorOf(c), c.req.valid("json")), 200),
  );
  r.openapi(
    routes.readFinding,
    async (c) =>
      withEtag(c, await findings.readFinding(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(routes.reviewFinding, async (c) => {
    const f = await findings.reviewFinding(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
      ifMatch(c),
    );
    return withEtag(c, f);
  });
  r.openapi(
    routes.ruleSettings,
    async (c) => withEtag(c, await findings.ruleSettings(c.get("deps"), actorOf(c))),
  );
  r.openapi(routes.updateRuleSettings, async (c) => {
    const s = await findings.updateRuleSettings(
      c.get("deps"),
      actorOf(c),
      c.req.valid("json"),
      ifMatch(c),
    );
    return withEtag(c, s);
  });
}
