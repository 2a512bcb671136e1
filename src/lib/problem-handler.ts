/**
 * Turns every error into problem+json. Known errors keep their status and message; anything else
 * is logged with the request id and answered as a bare 500, with no stack, SQL or path.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./context.ts";
import { problemBody, ProblemError } from "./errors.ts";

export function problemResponse(
  c: Context<AppEnv>,
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const body = problemBody(status, detail, c.get("requestId") ?? "", extra);
  return c.newResponse(JSON.stringify(body), status as 400, {
    ...headers,
    "Content-Type": "application/problem+json",
  });
}

/** drizzle wraps driver errors ("Failed query: …"); the SQLite error is the cause. */
function isUniqueViolation(err: unknown): boolean {
  for (
    let e = err as { code?: string; message?: string; cause?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    const code = e.code ?? "";
    if (code.startsWith("SQLITE_CONSTRAINT_UNIQUE") || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
      return true;
    }
    if (/UNIQUE constraint failed/.test(e.message ?? "")) return true;
  }
  return false;
}

/** The database stayed locked by another process's write for longer than the busy timeout. */
function isBusy(err: unknown): boolean {
  for (
    let e = err as { code?: string; message?: string; cause?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    if ((e.code ?? "").startsWith("SQLITE_BUSY") || /database is locked/.test(e.message ?? "")) {
      return true;
    }
  }
  return false;
}

export function handleError(err: Error, c: Context<AppEnv>) {
  if (err instanceof ProblemError) {
    return problemResponse(c, err.status, err.detail, err.extra, err.headers);
  }
  if (err instanceof HTTPException) {
    // Hono's own: malformed JSON (400), body limit (413) and the like.
    const status = err.status;
    const multipart = /^multipart\/form-data/i.test(c.req.header("content-type") ?? "");
    const detail = status !== 400
      ? err.message || "Error"
      : multipart
      ? "The request body is not valid multipart/form-data: check the boundary and each part."
      : "The request body is not valid JSON.";
    return problemResponse(c, status, detail);
  }
  if (isUniqueViolation(err)) {
    // A race past a service's own duplicate check: the database's unique index had the last word.
    return problemResponse(c, 409, "This conflicts with an existing record; reload and retry.");
  }
  if (isBusy(err)) {
    // Nothing was written (the transaction never began or was rolled back): safe to retry.
    c.get("deps")?.logger.warn("database busy", { requestId: c.get("requestId") });
    return problemResponse(
      c,
      503,
      "The database is busy with another process's write; retry in a moment.",
      {},
      { "Retry-After": "1" },
    );
  }
  c.get("deps")?.logger.error("unhandled error", {
    requestId: c.get("requestId"),
    route: c.req.routePath,
    error: String(err),
    stack: err.stack,
  });
  return problemResponse(c, 500, "Something went wrong on our side. Quote the request id.");
}
