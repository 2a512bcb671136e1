import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/openapi.ts";

/** 1–6 capital letters or digits: it becomes part of every number the node allocates. */
export const SiteCode = z.string().regex(/^[A-Z0-9]{1,6}$/, "1-6 capital letters or digits");

export const NodeInput = z.object({
  name: z.string().trim().min(2).max(200).openapi({ example: "Kibera clinic server" }),
  siteCode: SiteCode.openapi({ example: "K2" }),
  facilityIds: z.array(z.string().uuid()).max(100).optional().openapi({
    example: [],
    description: "Facilities whose rows the node receives; omitted or empty: the whole " +
      "organisation.",
  }),
}).openapi("SyncNodeRequest");

export const SyncNode = z.object({
  id: z.string(),
  name: z.string(),
  siteCode: z.string(),
  facilityIds: z.array(z.string()),
  revokedAt: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
}).openapi("SyncNode");

export const NewSyncNode = SyncNode.extend({
  token: z.string().openapi({
    description: "The node's credential (SYNC_NODE_TOKEN on the replica). Shown once; only its " +
      "hash is stored.",
  }),
}).openapi("NewSyncNode");

export const NodeListQuery = z.object({
  ...PageQuery,
  revoked: z.enum(["true", "false"]).optional(),
});

export type NodeInputT = z.infer<typeof NodeInput>;

export const Hello = z.object({
  nodeId: z.string(),
  organizationId: z.string(),
  organizationCode: z.string(),
  organizationName: z.string(),
  siteCode: z.string().openapi({ description: "Goes into every number the node allocates." }),
  facilityIds: z.array(z.string()),
  schemaVersion: z.number().int().openapi({
    description: "The primary's schema; a node with another one does not sync until upgraded.",
  }),
}).openapi("SyncHello");
