/** Field schemas more than one module validates the same way. */
import { z } from "@hono/zod-openapi";

export const Email = z.string().trim().toLowerCase().email().max(254)
  .openapi({ example: "admin@demo.clinic" });
// The policy (PASSWORD_MIN_LENGTH, the common-password list) is the auth module's, checked where
// a password is set (422 naming the field); an existing account's password is only compared.
export const Password = z.string().min(1).max(256)
  .openapi({ example: "correct horse battery staple" });
