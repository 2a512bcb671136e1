/**
 * Pharmacy and stock: the catalogue, stores, batches, and the append-only ledger of movements
 * that stock on hand is derived from; dispensations against prescriptions or over the counter.
 * Quantities are in the medication's base unit (tablet, mL); money in integer minor units of
 * the organisation's currency.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { businessColumns } from "./columns.ts";
import { facilities } from "./identity.ts";
import { patients } from "./patients.ts";
import { prescriptionItems, prescriptions } from "./clinical.ts";

export const medications = sqliteTable("medications", {
  ...businessColumns(),
  name: text("name").notNull(),
  genericName: text("generic_name").notNull(),
  /** tablet | capsule | syrup | suspension | injection | cream | ointment | drops | inhaler | … */
  form: text("form").notNull(),
  strength: text("strength"),
  category: text("category"),
  /** Practice-system fields (the clinical module's mechanism): potency, anupana… */
  practice: text("practice", { mode: "json" }).$type<Record<string, Record<string, unknown>>>(),
  prescriptionRequired: integer("prescription_required", { mode: "boolean" }).notNull(),
  reorderLevel: integer("reorder_level").notNull(),
  /** The base unit quantities are counted in: tablet, capsule, mL, g, dose… */
  unit: text("unit").notNull(),
  packSize: integer("pack_size"),
  /** Default cash price per base unit, minor units. */
  unitPrice: integer("unit_price").notNull(),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
}, (t) => [
  index("medications_org_generic_idx").on(t.orgId, t.genericName),
  index("medications_org_name_idx").on(t.orgId, t.name),
]);

/** Barcodes (EAN/GTIN), QR and supplier codes of a medication, unique in the organisation. */
export const medicationCodes = sqliteTable("medication_codes", {
  ...businessColumns(),
  medicationId: text("medication_id").notNull().references(() => medications.id),
  code: text("code").notNull(),
  /** gtin | qr | supplier | other */
  kind: text("kind").notNull(),
}, (t) => [
  uniqueIndex("medication_codes_org_code_uq").on(t.orgId, t.code),
  index("medication_codes_medication_idx").on(t.medicationId),
]);

export const stores = sqliteTable("stores", {
  ...businessColumns(),
  facilityId: text("facility_id").references(() => facilities.id),
  name: text("name").notNull(),
  /** main | dispensary | ward */
  kind: text("kind").notNull(),
  /** Per ISO weekday ("1".."7"): [["08:00","17:00"], …]; empty: closed that day. */
  openingHours: text("opening_hours", { mode: "json" })
    .$type<Record<string, [string, string][]>>().notNull(),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
}, (t) => [index("stores_org_idx").on(t.orgId, t.facilityId)]);

export const stockBatches = sqliteTable("stock_batches", {
  ...businessColumns(),
  medicationId: text("medication_id").notNull().references(() => medications.id),
  storeId: text("store_id").notNull().references(() => stores.id),
  batchNumber: text("batch_number").notNull(),
  expiryDate: text("expiry_date").notNull(),
  /** Minor units per base unit. */
  unitCost: integer("unit_cost").notNull(),
  supplierId: text("supplier_id"),
}, (t) => [
  uniqueIndex("stock_batches_uq").on(t.orgId, t.storeId, t.medicationId, t.batchNumber),
  index("stock_batches_medication_idx").on(t.orgId, t.medicationId, t.expiryDate),
]);

/**
 * The ledger: every change of stock, never updated. `quantity` is signed (a receipt adds, a
 * dispense takes away); before and after are the batch's on-hand around it.
 */
export const stockMovements = sqliteTable("stock_movements", {
  ...businessColumns(),
  medicationId: text("medication_id").notNull().references(() => medications.id),
  batchId: text("batch_id").notNull().references(() => stockBatches.id),
  storeId: text("store_id").notNull().references(() => stores.id),
  /** receive | dispense | return | transfer_out | transfer_in | adjust | damage | expire |
   * count_variance | preparation_use | preparation_output */
  type: text("type").notNull(),
  quantity: integer("quantity").notNull(),
  quantityBefore: integer("quantity_before").notNull(),
  quantityAfter: integer("quantity_after").notNull(),
  actorId: text("actor_id"),
  reason: text("reason"),
  scannedCode: text("scanned_code"),
  /** What it came from: receipt | dispensation | count | preparation … and its id. */
  documentType: text("document_type"),
  documentId: text("document_id"),
  patientId: text("patient_id").references(() => patients.id),
  at: text("at").notNull(),
}, (t) => [
  index("stock_movements_medication_idx").on(t.orgId, t.medicationId, t.at),
  index("stock_movements_batch_idx").on(t.batchId, t.at),
  index("stock_movements_actor_idx").on(t.orgId, t.actorId, t.at),
  // The loss rules read write-offs, count variances and returns by type over a period.
  index("stock_movements_type_idx").on(t.orgId, t.type, t.at),
]);

/**
 * On hand per batch: a cache of the ledger's sum, written in the same transaction as each
 * movement (a test checks it against the ledger).
 */
export const stockBalances = sqliteTable("stock_balances", {
  batchId: text("batch_id").primaryKey().references(() => stockBatches.id),
  orgId: text("org_id").notNull(),
  medicationId: text("medication_id").notNull(),
  storeId: text("store_id").notNull(),
  quantity: integer("quantity").notNull(),
}, (t) => [index("stock_balances_medication_idx").on(t.orgId, t.medicationId)]);

/** One handing-over of medicines: against a prescription, or over the counter. */
export const dispensations = sqliteTable("dispensations", {
  ...businessColumns(),
  prescriptionId: text("prescription_id").references(() => prescriptions.id),
  patientId: text("patient_id").references(() => patients.id),
  storeId: text("store_id").notNull().references(() => stores.id),
  overrideReason: text("override_reason"),
  /** Minor units. */
  total: integer("total").notNull(),
  currency: text("currency").notNull(),
  at: text("at").notNull(),
}, (t) => [
  index("dispensations_prescription_idx").on(t.prescriptionId),
  index("dispensations_patient_idx").on(t.patientId),
]);

export const dispensationItems = sqliteTable("dispensation_items", {
  ...businessColumns(),
  dispensationId: text("dispensation_id").notNull().references(() => dispensations.id),
  prescriptionItemId: text("prescription_item_id").references(() => prescriptionItems.id),
  medicationId: text("medication_id").notNull().references(() => medications.id),
  batchId: text("batch_id").notNull().references(() => stockBatches.id),
  quantity: integer("quantity").notNull(),
  unitPrice: integer("unit_price").notNull(),
  substitutionReason: text("substitution_reason"),
}, (t) => [index("dispensation_items_dispensation_idx").on(t.dispensationId)]);

export const suppliers = sqliteTable("suppliers", {
  ...businessColumns(),
  name: text("name").notNull(),
  phone: text("phone"),
  email: text("email"),
  address: text("address"),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
}, (t) => [index("suppliers_org_idx").on(t.orgId, t.name)]);

/** draft → sent → partially_received → received → closed (or cancelled before receiving). */
export const purchaseOrders = sqliteTable("purchase_orders", {
  ...businessColumns(),
  /** PO-YYYY-NNNN per organisation (PO-K2-… at a clinic replica). */
  number: text("number").notNull(),
  supplierId: text("supplier_id").notNull().references(() => suppliers.id),
  storeId: text("store_id").notNull().references(() => stores.id),
  status: text("status").notNull(),
  sentAt: text("sent_at"),
  closedAt: text("closed_at"),
  notes: text("notes"),
}, (t) => [
  uniqueIndex("purchase_orders_org_number_uq").on(t.orgId, t.number),
  index("purchase_orders_org_status_idx").on(t.orgId, t.status),
]);

export const purchaseOrderLines = sqliteTable("purchase_order_lines", {
  ...businessColumns(),
  orderId: text("order_id").notNull().references(() => purchaseOrders.id),
  medicationId: text("medication_id").notNull().references(() => medications.id),
  quantity: integer("quantity").notNull(),
  /** Minor units per base unit. */
  unitCost: integer("unit_cost").notNull(),
  received: integer("received").notNull().default(0),
}, (t) => [index("purchase_order_lines_order_idx").on(t.orderId)]);
