import { z } from "@hono/zod-openapi";
import { schemaVersion } from "../../../db/migrate.ts";
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

export const PlatformNodeInput = NodeInput.extend({
  organizationId: z.string().uuid().openapi({ description: "The organisation the node serves." }),
}).openapi("PlatformSyncNodeRequest");

export const SyncNode = z.object({
  id: z.string(),
  name: z.string(),
  siteCode: z.string(),
  facilityIds: z.array(z.string()),
  revokedAt: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  lastPushAt: z.string().nullable().openapi({ description: "When the node last pushed." }),
  lastPullAt: z.string().nullable().openapi({
    description: "When the node last pulled (pulls that find nothing new are noted at most " +
      "once a minute).",
  }),
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

const Clock = z.string().regex(
  /^[0-9a-z]{9}-[0-9a-z]{4}-[0-9a-z]{1,16}$/,
  "a hybrid logical clock",
);

/**
 * One change as it travels between nodes: what a change-log entry wrote, with the clocks that
 * decide concurrent edits. `seq` is its position in the sender's log (with the node, the
 * operation's id).
 */
export const SyncChange = z.object({
  seq: z.number().int().positive(),
  table: z.string().min(1).max(64),
  rowId: z.string().min(1).max(64),
  op: z.enum(["insert", "update", "delete"]),
  version: z.number().int().positive(),
  at: z.string().max(40),
  actorId: z.string().max(64).nullable(),
  hlc: Clock,
  values: z.record(z.string(), z.unknown()).openapi({
    description: "The fields written, by name (the whole row for an insert or a snapshot).",
  }),
  clocks: z.record(z.string(), Clock).optional().openapi({
    description: "Per-field clocks of a snapshot (a row shared with the organisation); " +
      "otherwise every field has the change's own clock.",
  }),
  base: z.record(z.string(), Clock.nullable()).openapi({
    description: "Each written field's clock on the sender before this change: when the " +
      "receiver's differs, the two edits were concurrent. Sent with a push; empty in a pull " +
      "(a replica takes the later clock and leaves conflicts to the primary).",
  }),
}).openapi("SyncChange");

export type SyncChangeT = z.infer<typeof SyncChange>;

/** An audit entry of the node's, sent up as it was recorded. */
export const SyncAuditEntry = z.object({
  seq: z.number().int().positive(),
  id: z.string().max(64),
  actorId: z.string().max(64).nullable(),
  actorRole: z.string().max(40).nullable(),
  facilityId: z.string().max(64).nullable(),
  action: z.string().max(100),
  entityType: z.string().max(50).nullable(),
  entityId: z.string().max(200).nullable(),
  patientId: z.string().max(64).nullable(),
  outcome: z.string().max(20),
  ip: z.string().max(100).nullable(),
  userAgent: z.string().max(1000).nullable(),
  requestId: z.string().max(200).nullable(),
  at: z.string().max(40),
  changedFields: z.array(z.string()).nullable(),
  /** The patients of an entry that concerned several (a list page). */
  patientIds: z.array(z.string().max(64)).max(1000).nullable().default(null),
}).openapi("SyncAuditEntry");

export type SyncAuditEntryT = z.infer<typeof SyncAuditEntry>;

const SchemaVersion = z.number().int().openapi({
  description: "The sender's schema version; a node whose schema differs is refused (409).",
  example: schemaVersion(),
});

export const PushBatch = z.object({
  schemaVersion: SchemaVersion,
  changes: z.array(SyncChange).max(1000).openapi({ example: [] }),
  audit: z.array(SyncAuditEntry).max(5000).default([]).openapi({ example: [] }),
}).openapi("SyncPushBatch");

export const PushResult = z.object({
  applied: z.number().int().openapi({ description: "Changes applied now (not seen before)." }),
  conflicts: z.number().int().openapi({ description: "Conflicts this batch opened." }),
  pushedSeq: z.number().int().openapi({
    description: "The node's log position now applied here; send what follows it next.",
  }),
  auditSeq: z.number().int(),
}).openapi("SyncPushResult");

export const PullQuery = z.object({
  after: z.coerce.number().int().min(0).default(0).openapi({
    description: "The position in the primary's log the node has applied up to.",
  }),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  schemaVersion: z.coerce.number().int().openapi({
    description: "The node's schema version.",
    example: schemaVersion(),
    param: { required: true },
  }),
});

export const PullPage = z.object({
  schemaVersion: SchemaVersion,
  changes: z.array(SyncChange),
  next: z.number().int().openapi({ description: "Pass as `after` to continue." }),
  more: z.boolean(),
}).openapi("SyncPullPage");

export type PullPageT = z.infer<typeof PullPage>;

export const RunResult = z.object({
  pushed: z.number().int(),
  pulled: z.number().int(),
  conflicts: z.number().int().openapi({ description: "Open conflicts after the run." }),
}).openapi("SyncRunResult");

export const SyncStatus = z.object({
  role: z.enum(["standalone", "primary", "replica"]),
  siteCode: z.string().nullable(),
  pendingChanges: z.number().int().openapi({ description: "Changes made here not yet pushed." }),
  lastPushAt: z.string().nullable(),
  lastPullAt: z.string().nullable(),
  lagSeconds: z.number().nullable().openapi({
    description: "Seconds since this node last had everything its primary had (last pull " +
      "that came back complete); null before the first.",
  }),
  conflictsOpen: z.number().int(),
  lastError: z.string().nullable(),
}).openapi("SyncStatus");

export const Conflict = z.object({
  id: z.string(),
  kind: z.enum(["field", "record", "rejected"]).openapi({
    description: "`field`: both sides set one field; the later clock won. `record`: a " +
      "concurrent change of a record that is never merged field by field; ours is kept " +
      "until decided. `rejected`: a change that breaks a rule here, kept whole.",
  }),
  table: z.string(),
  rowId: z.string(),
  patientId: z.string().nullable(),
  field: z.string().nullable(),
  keptValue: z.any(),
  otherValue: z.any(),
  otherOrigin: z.string(),
  change: z.record(z.string(), z.any()).nullable(),
  error: z.string().nullable(),
  status: z.enum(["open", "resolved"]),
  resolution: z.enum(["kept", "other"]).nullable(),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
}).openapi("SyncConflict");

export const ConflictQuery = z.object({
  ...PageQuery,
  status: z.enum(["open", "resolved"]).optional(),
});

export const ResolveInput = z.object({
  choice: z.enum(["kept", "other"]).openapi({
    description: "`kept`: the value in force stays. `other`: the other value is written " +
      "now (for a rejected change: it is applied, and answers 409 if it still breaks a rule).",
  }),
}).openapi("SyncConflictResolution");

export const FileState = z.object({
  received: z.number().int().openapi({ description: "Bytes the primary holds so far." }),
  size: z.number().int(),
  complete: z.boolean(),
}).openapi("SyncFileState");

export const PartQuery = z.object({
  offset: z.coerce.number().int().min(0).openapi({
    description: "Where this part starts: what the primary holds so far.",
    example: 0,
    param: { required: true },
  }),
});
