import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/context.ts";
import { notFound } from "../../lib/errors.ts";
import * as routes from "./routes.ts";
import { chaptersWithBlocks, codeIndexFor, lookupCode, searchCodes } from "./service.ts";

export function registerCodeHandlers(r: OpenAPIHono<AppEnv>) {
  const indexOf = (deps: AppEnv["Variables"]["deps"]) =>
    codeIndexFor(deps.config.dataDir, deps.logger);
  r.openapi(routes.search, (c) => {
    const { q, limit } = c.req.valid("query");
    return c.json({ data: searchCodes(indexOf(c.get("deps")), q ?? "", limit) }, 200);
  });
  // Before /{code}: "chapters" is no code, but the fixed path must win.
  r.openapi(
    routes.chapters,
    (c) => c.json({ data: chaptersWithBlocks(indexOf(c.get("deps"))) }, 200),
  );
  r.openapi(routes.read, (c) => {
    const found = lookupCode(indexOf(c.get("deps")), c.req.param("code") ?? "");
    if (!found) throw notFound("ICD-10-CM code");
    return c.json(found, 200);
  });
}
