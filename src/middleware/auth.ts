/**
 * Authentication and authorisation, the one place both are enforced. `defineRoute` attaches them
 * to every route from its declared access, so a route cannot exist without them.
 */
import type { MiddlewareHandler } from "hono";
import { type AppEnv, requestMeta } from "../lib/context.ts";
import { forbidden, unauthorized } from "../lib/errors.ts";
import type { Permission } from "../lib/permissions.ts";
import { API_KEY_PREFIX, apiKeyPrincipal } from "./api-key.ts";

export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("authorization");
  const bearer = header && /^Bearer /i.test(header) ? header.slice(7).trim() : undefined;
  const apiKey = c.req.header("x-api-key")?.trim();
  if (apiKey !== undefined && header) {
    throw unauthorized("Send either an Authorization header or an X-API-Key, not both.");
  }
  const key = apiKey ?? (bearer?.startsWith(API_KEY_PREFIX) ? bearer : undefined);
  if (key !== undefined) {
    c.set("principal", await apiKeyPrincipal(c, key));
    return await next();
  }
  if (!bearer) throw unauthorized();
  const deps = c.get("deps");
  const claims = await deps.tokens.verifyAccess(bearer);
  c.set("principal", await deps.principals.resolve(claims));
  await next();
};

export function authorize(permission: Permission): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = c.get("principal");
    // A key holds exactly its own list; people hold what their role is granted.
    const allowed = p.permissions
      ? p.permissions.includes(permission)
      : c.get("deps").registry.permissions.can(p.role, permission);
    if (!allowed) {
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
      throw forbidden(
        `This requires the ${permission} permission, which ${
          p.apiKey ? "this API key" : p.role
        } does not have.`,
      );
    }
    await next();
  };
}

/**
 * Routes about the signed-in person (their sessions, password, second factor, organisation):
 * an API key is no person, so it is refused, and audited like any refused authorisation.
 */
export const requirePerson: MiddlewareHandler<AppEnv> = async (c, next) => {
  const p = c.get("principal");
  if (p.apiKey) {
    c.get("deps").audit.recordRead({
      userId: p.userId,
      orgId: p.orgId ?? undefined,
      role: p.role,
      ...requestMeta(c),
    }, { action: "access.denied", outcome: "denied", entityType: "api-key", entityId: p.userId });
    throw forbidden("This is for a signed-in person; an API key cannot use it.");
  }
  await next();
};
