/**
 * The HTTP plumbing every handler shares, so that a handler reads as what it does: the ETag of a
 * versioned representation, 201 with Location and the version If-Match names. The request facts
 * audit entries and sessions record are `requestMeta` (context.ts).
 */
import type { Context, TypedResponse } from "hono";

export const API_PREFIX = "/api/v1";

/** `3` → `"3"`: versions are strong validators. */
export const etagOf = (version: number | string) => `"${version}"`;

// The return types name the body as it is, not hono's JSON-parsed form of it: the route's
// schema is checked against the same type, and computing the parsed form of a generic body at
// every call site made the type checker give up ("excessively deep") on some orders of checking.
type Json<B, S extends 200 | 201> = Response & TypedResponse<B, S, "json">;

/** 200 with the representation and its ETag. */
export function withEtag<B extends { version: number }>(c: Context, body: B): Json<B, 200> {
  return c.json(body, 200, { ETag: etagOf(body.version) }) as Json<B, 200>;
}

/** 201 with the new resource, its ETag and Location (`path` is under the API prefix). */
export function created<B extends { version: number }>(
  c: Context,
  body: B,
  path: string,
): Json<B, 201> {
  const headers = { ETag: etagOf(body.version), Location: `${API_PREFIX}${path}` };
  return c.json(body, 201, headers) as Json<B, 201>;
}

/** The version an `If-Match: "3"` (or `W/"3"`) names; undefined without the header. */
export function ifMatch(c: Context): number | undefined {
  const header = c.req.header("if-match");
  if (!header) return undefined;
  return Number(header.replace(/^W\//, "").replaceAll('"', ""));
}
