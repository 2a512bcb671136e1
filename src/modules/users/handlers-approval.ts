import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { ifMatch, withEtag } from "../../lib/http.ts";
import * as routes from "./routes-approval.ts";
import { approveRegistration, listPending, rejectRegistration } from "./approval.ts";

/** Registered before the /users/{id} routes, so that /users/pending is not read as an id. */
export function registerApprovalHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(
    routes.listPending,
    async (c) => c.json({ data: await listPending(c.get("deps"), actorOf(c).orgId) }, 200),
  );
  r.openapi(routes.approve, async (c) =>
    withEtag(
      c,
      await approveRegistration(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json").role,
        ifMatch(c),
      ),
    ));
  r.openapi(routes.reject, async (c) =>
    withEtag(
      c,
      await rejectRegistration(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json").reason,
        ifMatch(c),
      ),
    ));
}
