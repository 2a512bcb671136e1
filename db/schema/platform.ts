import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

/**
 * Append-only audit trail. Triggers in a custom migration refuse UPDATE and DELETE, so not even
 * a bug in a route can rewrite history.
 *
 * Shaped for the write rate of audited reads: `seq` is the rowid (rows are never deleted, so it
 * only grows) and orders the trail, and each index is one column with `seq` implied after it. The
 * earlier (org, at, id) / (org, patient, at) / (org, actor, at) layout cost ~28% more CPU per
 * appended row (measured, see tests/bench).
 */
export const auditEvents = sqliteTable("audit_events", {
  seq: integer("seq").primaryKey(),
  id: text("id").notNull(),
  orgId: text("org_id"),
  actorId: text("actor_id"),
  actorRole: text("actor_role"),
  facilityId: text("facility_id"),
  action: text("action").notNull(),
  entityType: text("entity_type"),
  entityId: text("entity_id"),
  patientId: text("patient_id"),
  outcome: text("outcome").notNull(),
  ip: text("ip"),
  userAgent: text("user_agent"),
  requestId: text("request_id"),
  at: text("at").notNull(),
  changedFields: text("changed_fields", { mode: "json" }).$type<string[]>(),
  /** The clinic replica (its site code) where the event happened; null: on this server. */
  site: text("site"),
  /**
   * Every patient an event concerned when it was more than one (a list or search page shows 25):
   * one entry per page instead of one per patient shown, indexed per patient all the same.
   */
  patientIds: text("patient_ids", { mode: "json" }).$type<string[]>(),
}, (t) => [
  index("audit_org_idx").on(t.orgId),
  index("audit_actor_idx").on(t.actorId),
]);

/**
 * "Who read patient X": every entry's patients (`patient_id` and each of `patient_ids`) by
 * patient, filled by the audit writer in large sorted batches behind the trail
 * (src/modules/audit/patient-index.ts). An index on `audit_events.patient_id` cost ~13 µs of the
 * ~32 µs of appending a read's entry: each entry landed on another patient's leaf page, and
 * every page touched is written whole to the WAL at each commit. Sorted batches of a few
 * seconds of entries touch each patient's page once. Entries newer than `audit_index_state`'s
 * mark are found by scanning that short tail. Derived and local: each node builds its own.
 * WITHOUT ROWID in the migration (drizzle cannot declare it).
 */
export const auditPatientIndex = sqliteTable("audit_patient_index", {
  patientId: text("patient_id").notNull(),
  seq: integer("seq").notNull(),
}, (t) => [primaryKey({ columns: [t.patientId, t.seq] })]);

/** How far `audit_patient_index` has indexed the trail: every entry with seq <= `indexedThrough`. */
export const auditIndexState = sqliteTable("audit_index_state", {
  id: integer("id").primaryKey(),
  indexedThrough: integer("indexed_through").notNull(),
});

/**
 * One row per insert, update or delete of a business row, written in the same transaction.
 * `seq` gives replicas a total order to pull from.
 */
export const changeLog = sqliteTable("change_log", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  orgId: text("org_id").notNull(),
  tableName: text("table_name").notNull(),
  rowId: text("row_id").notNull(),
  operation: text("operation").notNull(),
  version: integer("version").notNull(),
  at: text("at").notNull(),
  origin: text("origin").notNull(),
  /**
   * Hybrid logical clock of the change (db/hlc.ts): orders concurrent edits of one field the
   * same way on every node. Empty on entries written before clocks were kept.
   */
  hlc: text("hlc").notNull().default(""),
  /** The fields the change set or changed (bookkeeping columns left out). */
  fields: text("fields", { mode: "json" }).$type<string[]>(),
  /**
   * The values the change wrote, by field (the whole row for an insert): what a node pushes, so a
   * change travels as it was made even when later ones have overwritten it.
   */
  values: text("values", { mode: "json" }).$type<Record<string, unknown>>(),
  /** Who made the change (the row's `updated_by` after it). */
  actorId: text("actor_id"),
}, (t) => [
  index("change_log_org_seq_idx").on(t.orgId, t.seq),
  // A row's clocks per field, read when a change of it is sent or applied.
  index("change_log_row_idx").on(t.tableName, t.rowId),
]);

/** Stored first responses of POSTs sent with an Idempotency-Key, replayed on retry. */
export const idempotencyKeys = sqliteTable("idempotency_keys", {
  scope: text("scope").notNull(),
  key: text("key").notNull(),
  requestHash: text("request_hash").notNull(),
  status: integer("status"),
  headers: text("headers", { mode: "json" }).$type<Record<string, string>>(),
  body: text("body"),
  createdAt: text("created_at").notNull(),
}, (t) => [
  uniqueIndex("idempotency_scope_key_uq").on(t.scope, t.key),
  // Expired keys are swept on each claim; the index keeps that a range delete, not a scan.
  index("idempotency_created_idx").on(t.createdAt),
]);

/**
 * Every version of every versioned business row (patients and their clinical entries), written
 * in the same transaction as the change: who, when, which fields, and the whole row as it was
 * after the change. Nothing clinical is overwritten without a trace.
 */
export const rowVersions = sqliteTable("row_versions", {
  seq: integer("seq").primaryKey({ autoIncrement: true }),
  orgId: text("org_id").notNull(),
  tableName: text("table_name").notNull(),
  rowId: text("row_id").notNull(),
  version: integer("version").notNull(),
  /** insert | update | delete */
  operation: text("operation").notNull(),
  changedAt: text("changed_at").notNull(),
  changedBy: text("changed_by"),
  fields: text("fields", { mode: "json" }).$type<string[]>().notNull(),
  data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
}, (t) => [uniqueIndex("row_versions_row_uq").on(t.tableName, t.rowId, t.version)]);
