import type { Context } from "hono";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { type AppEnv, clientIp } from "../../lib/context.ts";
import * as routes from "./routes.ts";
import * as auth from "./service.ts";
import { acceptInvitation } from "./invitations.ts";
import { listSessions, revokeSession } from "./sessions.ts";

const meta = (c: Context<AppEnv>): auth.RequestMeta => ({
  requestId: c.get("requestId"),
  ip: clientIp(c),
  userAgent: c.req.header("user-agent") ?? null,
});

export function registerAuthHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(
    routes.login,
    async (c) => c.json(await auth.login(c.var.deps, c.req.valid("json"), meta(c)), 200),
  );
  r.openapi(
    routes.refresh,
    async (c) =>
      c.json(await auth.refresh(c.var.deps, c.req.valid("json").refreshToken, meta(c)), 200),
  );
  r.openapi(routes.logout, async (c) => {
    await auth.logout(c.var.deps, c.var.principal, meta(c), false);
    return c.json({ ok: true as const }, 200);
  });
  r.openapi(routes.logoutAll, async (c) => {
    await auth.logout(c.var.deps, c.var.principal, meta(c), true);
    return c.json({ ok: true as const }, 200);
  });
  r.openapi(routes.me, async (c) => c.json(await auth.me(c.var.deps, c.var.principal), 200));
  r.openapi(routes.updateMe, async (c) =>
    c.json(
      await auth.updateMe(c.var.deps, c.var.principal, c.req.valid("json"), meta(c)),
      200,
    ));
  r.openapi(
    routes.acceptInvitation,
    async (c) => c.json(await acceptInvitation(c.var.deps, c.req.valid("json"), meta(c)), 200),
  );
  r.openapi(
    routes.listSessions,
    async (c) => c.json({ data: await listSessions(c.var.deps, c.var.principal) }, 200),
  );
  r.openapi(routes.revokeSession, async (c) => {
    await revokeSession(c.var.deps, c.var.principal, c.req.valid("param").id, meta(c));
    return c.body(null, 204);
  });
  r.openapi(routes.switchOrganization, async (c) =>
    c.json(
      await auth.switchOrganization(
        c.var.deps,
        c.var.principal,
        c.req.valid("json").organizationId,
        meta(c),
      ),
      200,
    ));
}
