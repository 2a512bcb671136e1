import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { mergePatients, unmergePatients } from "./merge.ts";
import * as routes from "./routes.ts";
import { listDuplicates } from "./service.ts";

export function registerDuplicateHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.list, async (c) => {
    const data = await listDuplicates(c.get("deps"), actorOf(c), c.req.valid("param").id);
    return c.json({ data }, 200);
  });
  r.openapi(routes.merge, async (c) => {
    const result = await mergePatients(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
    );
    return c.json(result, 200);
  });
  r.openapi(routes.unmerge, async (c) => {
    const result = await unmergePatients(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
    );
    return c.json(result, 200);
  });
}
