import { IdParam, IfMatchHeader, json, jsonBody, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  Conflict,
  ConflictQuery,
  FileState,
  Hello,
  NewSyncNode,
  NodeInput,
  NodeListQuery,
  PartQuery,
  PlatformNodeInput,
  PullPage,
  PullQuery,
  PushBatch,
  PushResult,
  ResolveInput,
  RunResult,
  SyncNode,
  SyncStatus,
} from "./schemas.ts";

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

export const registerForOrganization = defineRoute({
  method: "post",
  path: "/platform/sync/nodes",
  tags,
  access: "platform:sync:nodes",
  secret: true,
  summary: "Register a clinic replica for any organisation (SUPER_ADMIN)",
  description: "As POST /sync/nodes, from a platform session, naming the organisation: 422 " +
    "when it does not exist. Audited in that organisation's trail.",
  request: { body: jsonBody(PlatformNodeInput) },
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

export const push = defineRoute({
  method: "post",
  path: "/sync/push",
  tags,
  access: "node",
  summary: "A replica sends its changes and audit entries (in its log order)",
  description: "The batch commits in one transaction: every change is applied or recorded in " +
    "the conflict queue. Changes and audit entries at or below the node's confirmed position " +
    "are skipped, so a batch sent twice applies once. A node with another schema version " +
    "answers 409 and nothing is applied.",
  request: { body: jsonBody(PushBatch) },
  responses: { 200: json(PushResult, "What was applied, and the node's new position") },
  errors: [409],
});

export const pull = defineRoute({
  method: "get",
  path: "/sync/pull",
  tags,
  access: "node",
  summary: "A replica fetches the organisation's changes after its cursor",
  description: "In this server's commit order, the node's own changes included (their merged " +
    "result). Its cost depends on the changes returned, not on the log's size. 409 when the " +
    "node's schema differs.",
  request: { query: PullQuery },
  responses: { 200: json(PullPage, "A page of changes") },
  errors: [409],
});

export const run = defineRoute({
  method: "post",
  path: "/sync/run",
  tags,
  access: "sync:run",
  summary: "Sync now: push this replica's changes, then pull its primary's",
  description: "Waits for a round in progress, then runs one. 409 on a server that is not a " +
    "replica; 503 when the primary cannot be reached (the changes wait in the outbox).",
  responses: { 200: json(RunResult, "What moved") },
  errors: [409, 503],
});

export const status = defineRoute({
  method: "get",
  path: "/sync/status",
  tags,
  access: "sync:run",
  summary: "This server's sync role and state",
  responses: { 200: json(SyncStatus, "Role, outbox, last push and pull, open conflicts") },
});

export const conflicts = defineRoute({
  method: "get",
  path: "/sync/conflicts",
  tags,
  access: "sync:conflicts",
  summary: "The conflict queue: what sync decided, with both values",
  description: "Newest first. Each patient whose data a page shows is an audited read.",
  request: { query: ConflictQuery },
  responses: { 200: json(PageSchema(Conflict, "SyncConflictPage"), "A page of conflicts") },
});

export const resolve = defineRoute({
  method: "post",
  path: "/sync/conflicts/{id}/resolve",
  tags,
  access: "sync:conflicts",
  summary: "Keep the value in force, or write the other one",
  description: "`other` writes the other value now as a new change (it reaches every node), " +
    "or applies a rejected change (409 if it still breaks a rule). A resolved conflict " +
    "answers 422.",
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(ResolveInput) },
  responses: { 200: json(Conflict, "The resolved conflict") },
  errors: [409, 412, 422],
});

export const fileState = defineRoute({
  method: "get",
  path: "/sync/files/{id}/upload",
  tags,
  access: "node",
  summary: "How much of a file the primary holds",
  description: "For a row with a file (a patient document) of the node's organisation; 404 " +
    "when the row has not been pushed yet.",
  request: { params: IdParam },
  responses: { 200: json(FileState, "Bytes received, and whether the file is complete") },
});

export const filePart = defineRoute({
  method: "put",
  path: "/sync/files/{id}",
  tags,
  access: "node",
  summary: "Upload one part of a file the node created (application/octet-stream)",
  description: "The body is the raw bytes of the part (at most 512 KiB), starting at " +
    "`offset`, which must be what the primary holds (409 with `received` otherwise). The last " +
    "part completes the file, which must match the row's SHA-256 (422, parts dropped, " +
    "otherwise).",
  request: { params: IdParam, query: PartQuery },
  responses: { 200: json(FileState, "Bytes received, and whether the file is complete") },
  errors: [409, 413, 422],
});

export const file = defineRoute({
  method: "get",
  path: "/sync/files/{id}",
  tags,
  access: "node",
  summary: "A file's bytes, for a node that lacks it",
  description: "404 when the row or its file is not here (a clinic has not uploaded it yet).",
  request: { params: IdParam },
  responses: {
    200: {
      description: "The file",
      content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
    },
  },
});
