import { z } from "@hono/zod-openapi";
import { migrationsApplied } from "../../../db/migrate.ts";
import { json } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { createRouter } from "../../lib/router.ts";
import { problemResponse } from "../../lib/problem-handler.ts";
import { ProblemSchema } from "../../lib/openapi.ts";

const Health = z.object({ status: z.literal("ok") }).openapi("Health");
const Ready = z.object({
  status: z.literal("ready"),
  database: z.literal("ok"),
  migrations: z.literal("applied"),
}).openapi("Ready");

export const health = defineRoute({
  method: "get",
  path: "/health",
  tags: ["System"],
  access: "public",
  summary: "Liveness: the process answers",
  responses: { 200: json(Health, "Alive") },
});

export const ready = defineRoute({
  method: "get",
  path: "/ready",
  tags: ["System"],
  access: "public",
  summary: "Readiness: the database answers and every migration is applied",
  responses: {
    200: json(Ready, "Ready to serve"),
    503: {
      description: "Not ready",
      content: { "application/problem+json": { schema: ProblemSchema } },
    },
  },
});

export function systemModule() {
  const r = createRouter();
  r.openapi(health, (c) => c.json({ status: "ok" as const }, 200));
  r.openapi(ready, async (c) => {
    const ok = await migrationsApplied(c.var.deps.db).catch(() => false);
    if (!ok) {
      return problemResponse(c, 503, "The database is unreachable or not migrated.") as never;
    }
    return c.json({
      status: "ready" as const,
      database: "ok" as const,
      migrations: "applied" as const,
    }, 200);
  });
  return r;
}
