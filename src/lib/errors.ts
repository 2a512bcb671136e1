/**
 * Problem details (RFC 9457). Services throw `ProblemError`; the app's error handler turns it,
 * and anything else, into an `application/problem+json` response carrying the request id.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface FieldError {
  /** Dotted path to the field, e.g. `givenName` or `admin.email`. */
  path: string;
  /** Where the field was sent: body, query, path or header. */
  in?: string;
  message: string;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export const titleOf = (status: number) => TITLES[status] ?? "Error";

export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly detail: string,
    readonly extra: Record<string, unknown> & { errors?: FieldError[]; type?: string } = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new ProblemError(400, detail, errors ? { errors } : {});
export const unauthorized = (detail = "Missing or invalid credentials.") =>
  new ProblemError(401, detail, {}, { "WWW-Authenticate": 'Bearer realm="clinic-api"' });
export const forbidden = (detail = "You do not have permission to do this.") =>
  new ProblemError(403, detail);
export const notFound = (what = "Resource") => new ProblemError(404, `${what} not found.`);
export const conflict = (detail: string, extra: Record<string, unknown> = {}) =>
  new ProblemError(409, detail, extra);
export const preconditionFailed = (current: number) =>
  new ProblemError(
    412,
    "The resource has changed since you read it; read it again and retry.",
    { currentVersion: current },
    { ETag: `"${current}"` },
  );
export const unprocessable = (detail: string, errors?: FieldError[]) =>
  new ProblemError(422, detail, errors ? { errors } : {});

export function problemBody(status: number, detail: string, requestId: string, extra = {}) {
  // An extension may name its own problem type and title, never replace the status, detail or
  // request id: `status` is the HTTP status, whatever state the resource is in (that is `state`).
  return {
    type: "about:blank",
    title: titleOf(status),
    ...extra,
    status,
    detail,
    requestId,
  };
}
