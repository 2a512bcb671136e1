import { IdParam, IfMatchHeader, json, jsonBody, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { Hello, NewSyncNode, NodeInput, NodeListQuery, SyncNode } from "./schemas.ts";

const tags = ["Sync"];

export const register = defineRoute({
  method: "post",
  path: "/sync/nodes",
  tags,
  access: "sync:nodes",
  secret: true,
  summary: "Register a clinic replica (node) of the organisation",
  description: "Answers the node's credential once; set it as SYNC_NODE_TOKEN on the replica. " +
    "The site code goes into every number the node allocates (MRNK2-000042), so it is unique " +
    "in the organisation (409 when taken). Facilities must be the organisation's (422).",
  request: { body: jsonBody(NodeInput) },
  responses: { 201: json(NewSyncNode, "The node and its one-time credential") },
});

export const list = defineRoute({
  method: "get",
  path: "/sync/nodes",
  tags,
  access: "sync:nodes",
  summary: "List the organisation's replica nodes",
  request: { query: NodeListQuery },
  responses: { 200: json(PageSchema(SyncNode, "SyncNodePage"), "A page of nodes") },
});

export const revoke = defineRoute({
  method: "delete",
  path: "/sync/nodes/{id}",
  tags,
  access: "sync:nodes",
  summary: "Revoke a node's credential",
  description: "The node can no longer sync; its site code stays taken, so no other node " +
    "reissues its numbers. Revoking a revoked node answers 422.",
  request: { params: IdParam, headers: IfMatchHeader },
  responses: { 200: json(SyncNode, "The revoked node") },
  errors: [412, 422],
});

export const hello = defineRoute({
  method: "get",
  path: "/sync/hello",
  tags,
  access: "node",
  summary: "A replica's first contact: which organisation and site code it serves",
  description: "Called by a replica with its node credential. It stores what it learns, and " +
    "allocates numbers only once it knows its site code.",
  responses: { 200: json(Hello, "The node's organisation, site code and the schema version") },
});
