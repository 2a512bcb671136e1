/**
 * The HTTP plumbing every handler shares, so that a handler reads as what it does: the ETag of a
 * versioned representation, 201 with Location, the version If-Match names, and the request facts
 * audit entries and sessions record.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type AppEnv, clientIp } from "./context.ts";

export const API_PREFIX = "/api/v1";

/** `3` → `"3"`: versions are strong validators. */
export const etagOf = (version: number | string) => `"${version}"`;

/** The representation with its ETag; 200 unless said otherwise. */
export function withEtag<C extends Context, B extends { version: number }>(
  c: C,
  body: B,
  status: ContentfulStatusCode = 200,
) {
  return c.json(body, status as 200, { ETag: etagOf(body.version) });
}

/** 201 with the new resource, its ETag and Location (`path` is under the API prefix). */
export function created<C extends Context, B extends { version: number }>(
  c: C,
  body: B,
  path: string,
) {
  return c.json(body, 201, { ETag: etagOf(body.version), Location: `${API_PREFIX}${path}` });
}

/** The version an `If-Match: "3"` (or `W/"3"`) names; undefined without the header. */
export function ifMatch(c: Context): number | undefined {
  const header = c.req.header("if-match");
  if (!header) return undefined;
  return Number(header.replace(/^W\//, "").replaceAll('"', ""));
}

/** What an audit entry or a new session records about the request. */
export interface RequestMeta {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
}

export function requestMeta(c: Context<AppEnv>): RequestMeta {
  return {
    requestId: c.get("requestId"),
    ip: clientIp(c),
    userAgent: c.req.header("user-agent") ?? null,
  };
}
