import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { businessColumns } from "./columns.ts";

/**
 * Clinic replicas registered with this primary. A node syncs one organisation (optionally only
 * some facilities) and allocates human numbers with its own site code, unique in the
 * organisation, so two sites never issue the same MRN. Its credential is stored only as a hash.
 */
export const syncNodes = sqliteTable("sync_nodes", {
  ...businessColumns(),
  name: text("name").notNull(),
  siteCode: text("site_code").notNull(),
  /** Facilities whose rows the node receives; empty: the whole organisation. */
  facilityIds: text("facility_ids", { mode: "json" }).$type<string[]>().notNull(),
  tokenHash: text("token_hash").notNull(),
  revokedAt: text("revoked_at"),
  lastSeenAt: text("last_seen_at"),
  /**
   * The node's change-log position applied here: a pushed change at or below it was applied
   * already, so a batch sent twice applies once.
   */
  pushedSeq: integer("pushed_seq").notNull().default(0),
  /** The same for the audit entries it sends up. */
  auditSeq: integer("audit_seq").notNull().default(0),
  /** Where its last pull ended in this server's change log. */
  pulledSeq: integer("pulled_seq").notNull().default(0),
  lastPushAt: text("last_push_at"),
  lastPullAt: text("last_pull_at"),
}, (t) => [
  uniqueIndex("sync_nodes_org_site_uq").on(t.orgId, t.siteCode),
  uniqueIndex("sync_nodes_token_uq").on(t.tokenHash),
  index("sync_nodes_org_idx").on(t.orgId),
]);

/**
 * A replica's own sync state: what its primary told it at first contact. One row; never synced
 * (it is what makes this node this node).
 */
export const syncState = sqliteTable("sync_state", {
  id: integer("id").primaryKey(),
  nodeId: text("node_id").notNull(),
  orgId: text("org_id").notNull(),
  siteCode: text("site_code").notNull(),
  facilityIds: text("facility_ids", { mode: "json" }).$type<string[]>().notNull(),
  schemaVersion: integer("schema_version").notNull(),
  contactedAt: text("contacted_at").notNull(),
  /** The last of this node's change-log entries the primary confirmed. */
  pushedSeq: integer("pushed_seq").notNull().default(0),
  /** The last of this node's audit entries the primary confirmed. */
  auditSeq: integer("audit_seq").notNull().default(0),
  /** The primary's change-log position this node has applied up to. */
  pulledSeq: integer("pulled_seq").notNull().default(0),
  /** The last of this node's own files (document rows it created) the primary has whole. */
  filesSeq: integer("files_seq").notNull().default(0),
  lastPushAt: text("last_push_at"),
  lastPullAt: text("last_pull_at"),
  lastError: text("last_error"),
});

/**
 * The conflict queue. The primary records one row for each conflict it decides while applying
 * pushed changes: two nodes set one field concurrently (the winner is applied, the other value
 * kept here), a concurrent change of a table whose rows are never merged field by field, or a
 * change that breaks a constraint (kept whole in `change`). Rows sync to every node like any
 * other, so each node shows the same queue and the same resolution.
 */
export const syncConflicts = sqliteTable("sync_conflicts", {
  ...businessColumns(),
  /** field | record | rejected */
  kind: text("kind").notNull(),
  tableName: text("table_name").notNull(),
  rowId: text("row_id").notNull(),
  /** The patient the row is about, for audited reads of the queue. */
  patientId: text("patient_id"),
  /** The field that both sides set; null for a rejected change. */
  field: text("field"),
  /** The value in force and the other one, as JSON values. */
  keptValue: text("kept_value", { mode: "json" }),
  otherValue: text("other_value", { mode: "json" }),
  keptClock: text("kept_clock"),
  otherClock: text("other_clock"),
  /** The node whose change lost or was rejected (a node id; "primary" for this server). */
  otherOrigin: text("other_origin").notNull(),
  /** A rejected change, whole, so it can still be applied. */
  change: text("change", { mode: "json" }).$type<Record<string, unknown>>(),
  error: text("error"),
  /** open | resolved */
  status: text("status").notNull().default("open"),
  /** kept | other */
  resolution: text("resolution"),
  resolvedAt: text("resolved_at"),
  resolvedBy: text("resolved_by"),
}, (t) => [
  index("sync_conflicts_org_status_idx").on(t.orgId, t.status),
]);
