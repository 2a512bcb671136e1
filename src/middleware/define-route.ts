/**
 * `defineRoute` wraps `createRoute` so that every operation states its access rule once, and the
 * same declaration drives the docs (security, `x-permission`, every error status) and the
 * enforcement (authentication, permission, content-type and idempotency middleware). Nobody can
 * add a route and forget either half. It lives beside the guards it attaches.
 */
import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { type Declared, derivedErrors, IdempotencyHeader, isPermission } from "../lib/openapi.ts";
import { authenticate, authorize, requirePerson } from "./auth.ts";
import { requireJson, requireMultipart } from "./content-type.ts";
import { idempotency } from "./idempotency.ts";
import { authenticateNode } from "./node-auth.ts";

export function defineRoute<R extends Declared>(declared: R) {
  // Nodes make their pushes idempotent by their own operation ids, not by this header.
  const idempotent = declared.method === "post" && declared.access !== "public" &&
    declared.access !== "node";
  // Every authenticated POST accepts Idempotency-Key, so every one documents it.
  const route: R = idempotent
    ? {
      ...declared,
      request: {
        ...declared.request,
        headers: declared.request?.headers
          ? (declared.request.headers as typeof IdempotencyHeader).extend(IdempotencyHeader.shape)
          : IdempotencyHeader,
      },
    }
    : declared;
  const { access, errors: _errors, secret, person, ...rest } = route;
  const middleware: MiddlewareHandler[] = [];
  if (access === "node") middleware.push(authenticateNode);
  else if (access !== "public") middleware.push(authenticate);
  if (isPermission(access)) middleware.push(authorize(access));
  // "authenticated" routes are about the signed-in person; an API key has a permission's routes.
  if (access === "authenticated" || person) middleware.push(requirePerson);
  if (rest.request?.body) {
    const multipart = "multipart/form-data" in (rest.request.body.content ?? {});
    middleware.push(multipart ? requireMultipart : requireJson);
  }
  if (idempotent) middleware.push(idempotency({ storeResponse: !secret }));
  const responses: RouteConfig["responses"] = { ...rest.responses };
  for (const status of derivedErrors(route)) {
    responses[status] ??= { $ref: `#/components/responses/${status}` } as never;
  }
  const rule = access === "public"
    ? "No authentication."
    : access === "authenticated"
    ? "Any signed-in user (not an API key)."
    : access === "node"
    ? "A clinic replica node's credential (from POST /sync/nodes), not a staff token."
    : `Requires the \`${access}\` permission${
      person ? ", held by a signed-in person (not an API key)" : ""
    }.`;
  return createRoute({
    ...rest,
    description: rest.description ? `${rule}\n\n${rest.description}` : rule,
    responses,
    security: access === "public"
      ? []
      : access === "node"
      ? [{ nodeAuth: [] }]
      : access === "authenticated" || person
      ? [{ bearerAuth: [] }]
      : [{ bearerAuth: [] }, { apiKeyAuth: [] }],
    middleware: middleware as never,
    "x-permission": access,
  } as unknown as R) as unknown as Omit<R, "access" | "errors" | "secret" | "person">;
}
