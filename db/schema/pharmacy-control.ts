/**
 * Stock control: count sessions, the theft-and-loss findings the ledger's rules raise and the
 * thresholds each organisation sets for them, and the dispensing sessions a pharmacist scans
 * into before handing medicines over.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { businessColumns } from "./columns.ts";
import { users } from "./identity.ts";
import { patients } from "./patients.ts";
import { prescriptions } from "./clinical.ts";
import { medications, stockBatches, stores } from "./pharmacy.ts";

/**
 * A count of one store: open (expected quantities frozen) → submitted (counted quantities in) →
 * posted (variances written to the ledger), or cancelled. A variance above the threshold waits
 * for an ADMIN's approval before it is posted.
 */
export const stockCounts = sqliteTable("stock_counts", {
  ...businessColumns(),
  /** CNT-YYYY-NNNN per organisation. */
  number: text("number").notNull(),
  storeId: text("store_id").notNull().references(() => stores.id),
  /** open | submitted | posted | cancelled */
  status: text("status").notNull(),
  frozenAt: text("frozen_at").notNull(),
  submittedAt: text("submitted_at"),
  postedAt: text("posted_at"),
  approvedBy: text("approved_by").references(() => users.id),
  approvedAt: text("approved_at"),
  notes: text("notes"),
}, (t) => [
  uniqueIndex("stock_counts_org_number_uq").on(t.orgId, t.number),
  index("stock_counts_store_idx").on(t.orgId, t.storeId, t.status),
]);

/** One batch of a count: the quantity frozen at the start, and what was counted. */
export const stockCountLines = sqliteTable("stock_count_lines", {
  ...businessColumns(),
  countId: text("count_id").notNull().references(() => stockCounts.id),
  batchId: text("batch_id").notNull().references(() => stockBatches.id),
  medicationId: text("medication_id").notNull().references(() => medications.id),
  frozenQuantity: integer("frozen_quantity").notNull(),
  countedQuantity: integer("counted_quantity"),
  countedBy: text("counted_by").references(() => users.id),
  countedAt: text("counted_at"),
  /** Counted − (frozen + movements since the freeze), set when submitted. */
  variance: integer("variance"),
  scannedCode: text("scanned_code"),
}, (t) => [
  uniqueIndex("stock_count_lines_count_batch_uq").on(t.countId, t.batchId),
]);

/**
 * A theft-or-loss finding. Its id is derived from (organisation, rule, key), so a scan run twice,
 * or at two clinics over the same synced movements, raises the same finding once.
 */
export const stockFindings = sqliteTable("stock_findings", {
  ...businessColumns(),
  rule: text("rule").notNull(),
  /** What makes it one finding: a movement id, a user and week, a count… */
  key: text("key").notNull(),
  /** open | under_review | confirmed | dismissed */
  status: text("status").notNull(),
  explanation: text("explanation").notNull(),
  /** The values compared: {measured, threshold, …}. */
  values: text("values", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  /** The movements that are its evidence: [{movementId, at, actorId, type, quantity}]. */
  evidence: text("evidence", { mode: "json" }).$type<Record<string, unknown>[]>().notNull(),
  /** The user whose actions it concerns, when there is one. */
  subjectUserId: text("subject_user_id"),
  medicationId: text("medication_id"),
  storeId: text("store_id"),
  detectedAt: text("detected_at").notNull(),
  reviewNote: text("review_note"),
  reviewedBy: text("reviewed_by"),
  reviewedAt: text("reviewed_at"),
}, (t) => [
  index("stock_findings_org_status_idx").on(t.orgId, t.status, t.detectedAt),
  index("stock_findings_org_rule_idx").on(t.orgId, t.rule, t.key),
]);

/** An organisation's thresholds for one rule (defaults apply where there is no row). */
export const findingRuleSettings = sqliteTable("finding_rule_settings", {
  ...businessColumns(),
  rule: text("rule").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  thresholds: text("thresholds", { mode: "json" }).$type<Record<string, number>>().notNull(),
}, (t) => [uniqueIndex("finding_rule_settings_org_rule_uq").on(t.orgId, t.rule)]);

/**
 * A dispensing session: codes scanned against a prescription (or over the counter) with a
 * running total, completed into a dispensation or abandoned.
 */
export const dispensingSessions = sqliteTable("dispensing_sessions", {
  ...businessColumns(),
  prescriptionId: text("prescription_id").references(() => prescriptions.id),
  patientId: text("patient_id").references(() => patients.id),
  storeId: text("store_id").notNull().references(() => stores.id),
  /** open | completed | abandoned */
  status: text("status").notNull(),
  /** [{medicationId, code, quantity, substitutionReason}] in scan order. */
  lines: text("lines", { mode: "json" }).$type<Record<string, unknown>[]>().notNull(),
  dispensationId: text("dispensation_id"),
}, (t) => [index("dispensing_sessions_org_status_idx").on(t.orgId, t.status, t.createdBy)]);
