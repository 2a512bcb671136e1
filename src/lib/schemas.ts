/** Field schemas more than one module validates the same way. */
import { z } from "@hono/zod-openapi";

export const Email = z.string().trim().toLowerCase().email().max(254)
  .openapi({ example: "admin@demo.clinic" });
export const Password = z.string().min(10, "must be at least 10 characters").max(256)
  .openapi({ example: "correct horse battery staple" });
