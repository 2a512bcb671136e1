import { z } from "@hono/zod-openapi";

export const Health = z.object({ status: z.literal("ok") }).openapi("Health");

export const Ready = z.object({
  status: z.literal("ready"),
  database: z.literal("ok"),
  migrations: z.literal("applied"),
}).openapi("Ready");
