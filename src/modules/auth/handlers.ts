import type { OpenAPIHono } from "@hono/zod-openapi";
import { type AppEnv, requestMeta } from "../../lib/context.ts";
import * as routes from "./routes.ts";
import * as auth from "./service.ts";
import { acceptInvitation } from "./invitations.ts";
import { listSessions, revokeSession } from "./sessions.ts";

export function registerAuthHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(
    routes.login,
    async (c) => c.json(await auth.login(c.var.deps, c.req.valid("json"), requestMeta(c)), 200),
  );
  r.openapi(
    routes.refresh,
    async (c) =>
      c.json(await auth.refresh(c.var.deps, c.req.valid("json").refreshToken, requestMeta(c)), 200),
  );
  r.openapi(routes.logout, async (c) => {
    await auth.logout(c.var.deps, c.var.principal, requestMeta(c), false);
    return c.json({ ok: true as const }, 200);
  });
  r.openapi(routes.logoutAll, async (c) => {
    await auth.logout(c.var.deps, c.var.principal, requestMeta(c), true);
    return c.json({ ok: true as const }, 200);
  });
  r.openapi(routes.me, async (c) => c.json(await auth.me(c.var.deps, c.var.principal), 200));
  r.openapi(routes.updateMe, async (c) =>
    c.json(
      await auth.updateMe(c.var.deps, c.var.principal, c.req.valid("json"), requestMeta(c)),
      200,
    ));
  r.openapi(
    routes.acceptInvitation,
    async (c) =>
      c.json(await acceptInvitation(c.var.deps, c.req.valid("json"), requestMeta(c)), 200),
  );
  r.openapi(
    routes.listSessions,
    async (c) => c.json({ data: await listSessions(c.var.deps, c.var.principal) }, 200),
  );
  r.openapi(routes.revokeSession, async (c) => {
    await revokeSession(c.var.deps, c.var.principal, c.req.valid("param").id, requestMeta(c));
    return c.body(null, 204);
  });
  r.openapi(routes.switchOrganization, async (c) =>
    c.json(
      await auth.switchOrganization(
        c.var.deps,
        c.var.principal,
        c.req.valid("json").organizationId,
        requestMeta(c),
      ),
      200,
    ));
}
