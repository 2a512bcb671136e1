/** API keys for integrations (api-keys.ts). */
import { z } from "@hono/zod-openapi";

const Permission = z.string().regex(/^[a-z][a-z0-9:-]{0,79}$/, "must be a permission name")
  .openapi({ example: "patients:read" });

export const NewApiKeyBody = z.object({
  name: z.string().trim().min(1).max(100).openapi({ example: "Laboratory analyser bridge" }),
  permissions: z.array(Permission).min(1).max(100).openapi({
    description: "What the key may do: permissions your own role holds, except those only " +
      "staff in person may hold (cash, approvals, staff, keys and sync administration).",
    example: ["patients:read"],
  }),
  expiresAt: z.string().datetime({ offset: true }).nullable().optional().openapi({
    description: "When the key stops working; none: until revoked.",
    example: "2030-01-01T00:00:00Z",
  }),
}).openapi("NewApiKeyBody");

export const ApiKey = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().openapi({
    description: "The key's first characters, to tell keys apart.",
    example: "ck_3Fa9xYz1",
  }),
  permissions: z.array(z.string()),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable().openapi({
    description: "Last request with the key at this server, to within a minute.",
  }),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  version: z.number().int(),
}).openapi("ApiKey");

export const NewApiKey = ApiKey.extend({
  key: z.string().openapi({
    description: "The key itself, shown this once: only its hash is kept.",
    example: "ck_3Fa9xYz1qL0pW8vN2mB7cX4dR6tY9uI1oP3aS5dF7gH",
  }),
}).openapi("NewApiKey");
