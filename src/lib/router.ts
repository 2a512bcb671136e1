/**
 * The one router factory. Every module builds its group with `createRouter()`, so every group
 * shares the validation hook that turns zod issues into a problem+json 400 naming each field.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./context.ts";
import { badRequest, type FieldError } from "./errors.ts";

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

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const location = LOCATION[result.target] ?? result.target;
        throw badRequest(
          `The request ${location} is not valid.`,
          fieldErrors(result.error.issues as Issue[], location),
        );
      }
    },
  });
}
