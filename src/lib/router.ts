/**
 * The one router factory. Every module builds its group with `createRouter()`, so every group
 * shares the validation hook that turns zod issues into a problem+json 400 naming each field.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./context.ts";
import { badRequest, type FieldError, unprocessable } from "./errors.ts";

type Issue = { path: PropertyKey[]; message: string };

export function fieldErrors(issues: Issue[], location: string): FieldError[] {
  return issues.map((i) => ({
    path: i.path.map(String).join(".") || "(root)",
    in: location,
    message: i.message,
  }));
}

const LOCATION: Record<string, string> = {
  json: "body",
  form: "body",
  query: "query",
  param: "path",
  header: "header",
  cookie: "cookie",
};

/**
 * The path of the first string holding a NUL character, or undefined. SQLite stores such text
 * but C-string readers (drivers, exports, other systems) cut it at the NUL, so it never gets in.
 */
export function nulPath(value: unknown): string | undefined {
  const path: string[] = [];
  return holdsNul(value, path) ? path.join(".") || "(root)" : undefined;
}

/**
 * Whether `value` holds a NUL; on the way out of the recursion `path` gets the keys leading to
 * it. Paths are only built for the one that is found: building one per key cost ~9 µs per change
 * of a sync push.
 */
function holdsNul(value: unknown, path: string[]): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (value === null || typeof value !== "object" || value instanceof Blob) return false;
  for (const k of Object.keys(value)) {
    if (k.includes("\u0000") || holdsNul((value as Record<string, unknown>)[k], path)) {
      path.unshift(k);
      return true;
    }
  }
  return false;
}

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      const location = LOCATION[result.target] ?? result.target;
      if (!result.success) {
        throw badRequest(
          `The request ${location} is not valid.`,
          fieldErrors(result.error.issues as Issue[], location),
        );
      }
      const at = nulPath(result.data);
      if (at !== undefined) {
        throw unprocessable("Text must not contain NUL characters.", [
          { path: at, in: location, message: "contains a NUL character (U+0000)" },
        ]);
      }
    },
  });
}

/** A module's `routes`: one router with each group's handlers registered on it, in order. */
export const routesOf = (...groups: ((r: OpenAPIHono<AppEnv>) => void)[]) => () => {
  const r = createRouter();
  for (const register of groups) register(r);
  return r;
};
