import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, ifMatch, withEtag } from "../../lib/http.ts";
import * as routes from "./routes.ts";
import * as invitations from "./invitations.ts";
import * as service from "./service.ts";

export function registerUserHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.invite, async (c) => {
    const inv = await invitations.inviteUser(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, inv, `/users/invitations/${inv.id}`);
  });
  r.openapi(routes.listInvitations, async (c) =>
    c.json(
      await invitations.listInvitations(c.get("deps"), actorOf(c).orgId, c.req.valid("query")),
      200,
    ));
  r.openapi(routes.revokeInvitation, async (c) => {
    const inv = await invitations.revokeInvitation(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      ifMatch(c),
    );
    return withEtag(c, inv);
  });
  r.openapi(
    routes.list,
    async (c) =>
      c.json(
        await service.listUsers(c.get("deps").db.db, actorOf(c).orgId, c.req.valid("query")),
        200,
      ),
  );
  r.openapi(routes.read, async (c) => {
    const u = await service.readUser(
      c.get("deps").db.db,
      actorOf(c).orgId,
      c.req.valid("param").id,
    );
    return withEtag(c, u);
  });
  r.openapi(routes.update, async (c) => {
    const u = await service.updateUser(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
      ifMatch(c),
    );
    return withEtag(c, u);
  });
  r.openapi(routes.deactivate, async (c) => {
    const u = await service.updateUser(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      { active: false },
      ifMatch(c),
      "user.deactivate",
    );
    return withEtag(c, u);
  });
}
