import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/context.ts";

export function registerClaimHandlers(_r: OpenAPIHono<AppEnv>) {
}
