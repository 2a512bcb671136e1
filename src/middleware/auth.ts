/**
 * Authentication and authorisation, the one place both are enforced. `defineRoute` attaches them
 * to every route from its declared access, so a route cannot exist without them.
 */
import type { MiddlewareHandler } from "hono";
import { type AppEnv, requestMeta } from "../lib/context.ts";
import { forbidden, unauthorized } from "../lib/errors.ts";
import type { Permission } from "../lib/permissions.ts";

export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("authorization");
  if (!header || !/^Bearer /i.test(header)) throw unauthorized();
  const deps = c.get("deps");
  const claims = await deps.tokens.verifyAccess(header.slice(7).trim());
  c.set("principal", await deps.principals.resolve(claims));
  await next();
};

export function authorize(permission: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = c.get("principal");
    if (!c.get("deps").registry.permissions.can(p.role, permission)) {
      c.get("deps").audit.recordRead({
        userId: p.userId,
        orgId: p.orgId ?? undefined,
        role: p.role,
        temporary: p.temporary,
        ...requestMeta(c),
      }, {
        action: "access.denied",
        outcome: "denied",
        entityType: "permission",
        entityId: permission,
      });
      throw forbidden(`This requires the ${permission} permission, which ${p.role} does not have.`);
    }
    await next();
  };
}
