import { json, ProblemSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { Health, Ready } from "./schemas.ts";

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
