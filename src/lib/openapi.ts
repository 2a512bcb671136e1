/**
 * The OpenAPI vocabulary every route shares: problem responses, the access rule a declaration
 * states and the error statuses that follow from it, standard parameters and body helpers.
 * `defineRoute` (middleware/define-route.ts) turns a declaration into a route with its guards.
 */
import { type RouteConfig, z } from "@hono/zod-openapi";
import type { Permission } from "./permissions.ts";

export const ProblemSchema = z.object({
  type: z.string().openapi({ example: "about:blank" }),
  title: z.string().openapi({ example: "Bad Request" }),
  status: z.number().int().openapi({ example: 400 }),
  detail: z.string(),
  requestId: z.string(),
  errors: z.array(z.object({
    path: z.string().openapi({ example: "givenName" }),
    in: z.string().optional().openapi({ example: "body" }),
    message: z.string(),
  })).optional(),
}).openapi("Problem");

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** Shared error responses, registered once as components and referenced by every operation. */
export const ERROR_RESPONSES = {
  400: problem("Malformed request: a field, parameter or header is not valid."),
  401: problem("Missing, expired or revoked credentials."),
  403: problem("Authenticated, but the role lacks the permission this operation requires."),
  404: problem("Not found, or belongs to another organisation."),
  409: problem("Conflicts with the current state (duplicate, in-flight idempotent request)."),
  412: problem("If-Match names a version that is no longer current."),
  413: problem("Request body larger than the configured limit."),
  415: problem("Request body is not of the media type the operation accepts (JSON or multipart)."),
  422: problem("Valid JSON that breaks a business rule, or a reused Idempotency-Key."),
  429: problem("Too many attempts; retry after the time in Retry-After."),
  503: problem(
    "Not possible right now: a clinic replica that has not reached its primary, or the " +
      "database busy with another process's write for longer than its busy timeout; nothing " +
      "was written; retry after the time in Retry-After.",
  ),
} as const;
export type ErrorStatus = keyof typeof ERROR_RESPONSES;

/**
 * `public`: no token. `authenticated`: any valid staff token. `node`: a clinic replica node's
 * credential (sync). Otherwise the permission a staff member's role must have.
 */
export type Access = "public" | "authenticated" | "node" | Permission;

/** Access rules that are not permissions. */
export const isPermission = (access: Access) =>
  access !== "public" && access !== "authenticated" && access !== "node";

export type Declared = Omit<RouteConfig, "security" | "middleware"> & {
  access: Access;
  /** Error statuses the handler itself can produce beyond those derived from the declaration. */
  errors?: ErrorStatus[];
  /**
   * The success response carries a secret (tokens, a one-time code). It is never stored for
   * Idempotency-Key replays: a repeated key answers 409 instead of the secret.
   */
  secret?: boolean;
  /**
   * The operation records its caller as a person (an author, a practitioner, a feed's owner):
   * an API key, which is no person, is refused with 403 even when it holds the permission.
   */
  person?: boolean;
};

/** Error statuses that follow from the shape of a route. */
export function derivedErrors(route: Declared): ErrorStatus[] {
  const out = new Set<ErrorStatus>(route.errors ?? []);
  const req = route.request ?? {};
  if (req.params || req.query || req.headers || req.body) out.add(400);
  if (route.access !== "public") out.add(401);
  // A permission's route refuses a role without it; a person's route refuses an API key.
  if (isPermission(route.access) || route.access === "authenticated") out.add(403);
  if (route.path.includes("{")) out.add(404);
  // The body limit guards every request that can carry a body, declared or not.
  if (route.method !== "get") out.add(413);
  // A write can find the database locked by another API process past the busy timeout.
  if (route.method !== "get") out.add(503);
  if (req.body) out.add(415);
  // Text with a NUL character is refused wherever free text comes in (see router.ts).
  if (req.body || req.query) out.add(422);
  if (req.headers && "if-match" in (req.headers as { shape?: object }).shape!) out.add(412);
  if (route.method === "post" && route.access !== "public" && route.access !== "node") {
    out.add(409);
    out.add(422);
  }
  return [...out].sort();
}

export const IdempotencyHeader = z.object({
  "idempotency-key": z.string().min(1).max(200).optional().openapi({
    param: { name: "idempotency-key", in: "header" },
    description: "Retry-safe key; a repeat with the same key returns the first response.",
  }),
});

/** Standard reusable parameters and headers. */
export const IdParam = z.object({
  id: z.string().uuid().openapi({
    param: { name: "id", in: "path" },
    example: "01936f0e-8a5c-7c4e-9d61-2f8b5a3c1e90",
  }),
});

export const IfMatchHeader = z.object({
  "if-match": z.string().regex(/^(W\/)?"\d+"$/, 'must be an ETag like "3"').optional().openapi({
    param: { name: "if-match", in: "header" },
    description: 'The ETag of the version you read, e.g. "3". A stale version answers 412.',
  }),
});

export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(25).openapi({
    param: { name: "limit", in: "query" },
  }),
  cursor: z.string().max(500).optional().openapi({ param: { name: "cursor", in: "query" } }),
};

export const PageSchema = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() }).openapi(name);

export const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const jsonBody = <T extends z.ZodTypeAny>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

/** A file upload: `multipart/form-data` whose fields `schema` validates (files as `File`). */
export const multipartBody = <T extends z.ZodTypeAny>(schema: T) => ({
  required: true,
  content: { "multipart/form-data": { schema } },
});

/** A form field holding one uploaded file; documented as binary. */
export const FileField = z.instanceof(File, { message: "must be a file" }).openapi({
  type: "string",
  format: "binary",
});
