import type { OpenAPIHono } from "@hono/zod-openapi";
import { type AppEnv, requestMeta } from "../../lib/context.ts";
import * as routes from "./routes.ts";
import * as auth from "./service.ts";
import { acceptInvitation } from "./invitations.ts";
import { listSessions, revokeSession } from "./sessions.ts";

export function registerAuthHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(
    routes.login,
    async (c) => c.json(await auth.login(c.get("deps"), c.req.valid("json"), requestMeta(c)), 200),
  );
  r.openapi(
    routes.refresh,
    async (c) =>
      c.json(
        await auth.refresh(c.get("deps"), c.req.valid("json").refreshToken, requestMeta(c)),
        200,
      ),
  );
  r.openapi(routes.logout, async (c) => {
    await auth.logout(c.get("deps"), c.get("principal"), requestMeta(c), false);
    return c.json({ ok: true as const }, 200);
  });
  r.openapi(routes.logoutAll, async (c) => {
    await auth.logout(c.get("deps"), c.get("principal"), requestMeta(c), true);
    return c.json({ ok: true as const }, 200);
  });
  r.openapi(routes.me, async (c) => c.json(await auth.me(c.get("deps"), c.get("principal")), 200));
  r.openapi(routes.updateMe, async (c) =>
    c.json(
      await auth.updateMe(c.get("deps"), c.get("principal"), c.req.valid("json"), requestMeta(c)),
      200,
    ));
  r.openapi(
    routes.acceptInvitation,
    async (c) =>
      c.json(await acceptInvitation(c.get("deps"), c.req.valid("json"), requestMeta(c)), 200),
  );
  r.openapi(
    routes.listSessions,
    async (c) => c.json({ data: await listSessions(c.get("deps"), c.get("principal")) }, 200),
  );
  r.openapi(routes.revokeSession, async (c) => {
    await revokeSession(c.get("deps"), c.get("principal"), c.req.valid("param").id, requestMeta(c));
    return c.body(null, 204);
  });
  r.openapi(routes.switchOrganization, async (c) =>
    c.json(
      await auth.switchOrganization(
        c.get("deps"),
        c.get("principal"),
        c.req.valid("json").organizationId,
        requestMeta(c),
      ),
      200,
    ));
}
