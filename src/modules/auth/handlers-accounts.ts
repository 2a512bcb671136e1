import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv, requestMeta } from "../../lib/context.ts";
import * as routes from "./routes-accounts.ts";
import { register } from "./registration.ts";
import { adminIssueReset, confirmReset, requestReset } from "./password-reset.ts";
import { changePassword } from "./password-change.ts";

export function registerAccountHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(
    routes.register,
    async (c) => c.json(await register(c.get("deps"), c.req.valid("json"), requestMeta(c)), 201),
  );
  r.openapi(
    routes.requestReset,
    async (c) =>
      c.json(await requestReset(c.get("deps"), c.req.valid("json"), requestMeta(c)), 202),
  );
  r.openapi(
    routes.confirmReset,
    async (c) =>
      c.json(await confirmReset(c.get("deps"), c.req.valid("json"), requestMeta(c)), 200),
  );
  r.openapi(routes.changePassword, async (c) => {
    await changePassword(c.get("deps"), c.get("principal"), c.req.valid("json"), requestMeta(c));
    return c.json({ status: "changed" as const }, 200);
  });
  r.openapi(
    routes.issueReset,
    async (c) =>
      c.json(await adminIssueReset(c.get("deps"), actorOf(c), c.req.valid("param").id), 201),
  );
}
