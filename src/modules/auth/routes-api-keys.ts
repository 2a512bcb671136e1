/** API keys: created, listed and revoked by an ADMIN (api-keys.ts). */
import { z } from "@hono/zod-openapi";
import {
  IdParam,
  IfMatchHeader,
  json,
  jsonBody,
  PageQuery,
  PageSchema,
} from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { ApiKey, NewApiKey, NewApiKeyBody } from "./schemas-api-keys.ts";

const tags = ["API keys"];

export const create = defineRoute({
  method: "post",
  path: "/api-keys",
  tags,
  access: "api-keys:manage",
  secret: true,
  summary: "Create an API key for an integration",
  description: "The key (`ck_…`) is answered once and stored only as a hash. A request sends " +
    "it as `Authorization: Bearer ck_…` or `X-API-Key: ck_…` and then acts as the key itself: " +
    "in this organisation, with exactly its permissions, audited under the key's id (role " +
    "API_KEY), limited to API_KEY_RATE_LIMIT requests a minute (429 with Retry-After). Routes " +
    "for a person (sessions, password, two-factor, switching organisation) refuse a key (403). " +
    "422 names each permission that does not exist, that your role lacks, or that only staff " +
    "may hold.",
  request: { body: jsonBody(NewApiKeyBody) },
  responses: { 201: json(NewApiKey, "The key, shown this once") },
});

export const list = defineRoute({
  method: "get",
  path: "/api-keys",
  tags,
  access: "api-keys:manage",
  summary: "List the organisation's API keys (never the keys themselves)",
  description: "Newest first, revoked and expired ones included.",
  request: { query: z.object(PageQuery) },
  responses: { 200: json(PageSchema(ApiKey, "ApiKeyPage"), "A page of keys") },
});

export const revoke = defineRoute({
  method: "delete",
  path: "/api-keys/{id}",
  tags,
  access: "api-keys:manage",
  summary: "Revoke an API key",
  description: "The next request carrying it answers 401. Revoking a revoked key answers 409.",
  request: { params: IdParam, headers: IfMatchHeader },
  responses: { 200: json(ApiKey, "The revoked key") },
  errors: [409, 412],
});
