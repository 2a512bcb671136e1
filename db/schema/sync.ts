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
});
