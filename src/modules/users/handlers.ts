import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { expectedVersion } from "../../lib/openapi.ts";
import * as routes from "./routes.ts";
import * as invitations from "./invitations.ts";
import * as service from "./service.ts";

export function registerUserHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.invite, async (c) => {
    const inv = await invitations.inviteUser(c.var.deps, actorOf(c), c.req.valid("json"));
    return c.json(inv, 201, {
      Location: `/api/v1/users/invitations/${inv.id}`,
      ETag: `"${inv.version}"`,
    });
  });
  r.openapi(routes.listInvitations, async (c) =>
    c.json(
      await invitations.listInvitations(c.var.deps, actorOf(c).orgId, c.req.valid("query")),
      200,
    ));
  r.openapi(routes.revokeInvitation, async (c) => {
    const inv = await invitations.revokeInvitation(
      c.var.deps,
      actorOf(c),
      c.req.valid("param").id,
      expectedVersion(c.req.valid("header")["if-match"]),
    );
    return c.json(inv, 200, { ETag: `"${inv.version}"` });
  });
  r.openapi(
    routes.list,
    async (c) =>
      c.json(
        await service.listUsers(c.var.deps.db.db, actorOf(c).orgId, c.req.valid("query")),
        200,
      ),
  );
  r.openapi(routes.read, async (c) => {
    const u = await service.readUser(c.var.deps.db.db, actorOf(c).orgId, c.req.valid("param").id);
    return c.json(u, 200, { ETag: `"${u.version}"` });
  });
  r.openapi(routes.update, async (c) => {
    const u = await service.updateUser(
      c.var.deps,
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
      expectedVersion(c.req.valid("header")["if-match"]),
    );
    return c.json(u, 200, { ETag: `"${u.version}"` });
  });
  r.openapi(routes.deactivate, async (c) => {
    const u = await service.updateUser(
      c.var.deps,
      actorOf(c),
      c.req.valid("param").id,
      { active: false },
      expectedVersion(c.req.valid("header")["if-match"]),
      "user.deactivate",
    );
    return c.json(u, 200, { ETag: `"${u.version}"` });
  });
}
