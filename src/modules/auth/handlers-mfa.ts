import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv, requestMeta } from "../../lib/context.ts";
import * as routes from "./routes-mfa.ts";
import { confirm, disable, enroll, mfaStatus } from "./mfa.ts";
import { setupAtLogin, verify } from "./mfa-login.ts";
import { orgSecurity, setOrgSecurity } from "./org-security.ts";

export function registerMfaHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(
    routes.mfaStatus,
    async (c) => c.json(await mfaStatus(c.get("deps"), c.get("principal")), 200),
  );
  r.openapi(
    routes.enroll,
    async (c) => c.json(await enroll(c.get("deps"), c.get("principal"), requestMeta(c)), 200),
  );
  r.openapi(routes.confirm, async (c) =>
    c.json(
      await confirm(c.get("deps"), c.get("principal"), c.req.valid("json").code, requestMeta(c)),
      200,
    ));
  r.openapi(routes.disable, async (c) => {
    await disable(c.get("deps"), c.get("principal"), c.req.valid("json"), requestMeta(c));
    return c.json(await mfaStatus(c.get("deps"), c.get("principal")), 200);
  });
  r.openapi(
    routes.setup,
    async (c) =>
      c.json(await setupAtLogin(c.get("deps"), c.req.valid("json").mfaToken, requestMeta(c)), 200),
  );
  r.openapi(
    routes.verify,
    async (c) => c.json(await verify(c.get("deps"), c.req.valid("json"), requestMeta(c)), 200),
  );
  r.openapi(
    routes.getOrgSecurity,
    async (c) => c.json(await orgSecurity(c.get("deps"), actorOf(c).orgId), 200),
  );
  r.openapi(
    routes.putOrgSecurity,
    async (c) => c.json(await setOrgSecurity(c.get("deps"), actorOf(c), c.req.valid("json")), 200),
  );
}
