/**
 * In-house preparation (compounded syrups, ointments, ayurvedic preparations): work centres,
 * formulas (bills of materials with their work steps), and preparation orders that consume
 * ingredient batches and produce a batch of the product through the stock ledger.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { businessColumns } from "./columns.ts";
import { users } from "./identity.ts";
import { medications, stockBatches, stores } from "./pharmacy.ts";

export const workCentres = sqliteTable("work_centres", {
  ...businessColumns(),
  name: text("name").notNull(),
  /** Minor units per hour of work here. */
  costPerHour: integer("cost_per_hour").notNull(),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
}, (t) => [index("work_centres_org_idx").on(t.orgId, t.name)]);

/** A formula makes `batchSize` base units of `productId` from its ingredients and steps. */
export const formulas = sqliteTable("formulas", {
  ...businessColumns(),
  name: text("name").notNull(),
  productId: text("product_id").notNull().references(() => medications.id),
  batchSize: integer("batch_size").notNull(),
  /** Days a prepared batch keeps. */
  shelfLifeDays: integer("shelf_life_days").notNull(),
  instructions: text("instructions"),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
}, (t) => [index("formulas_org_product_idx").on(t.orgId, t.productId)]);

export const formulaIngredients = sqliteTable("formula_ingredients", {
  ...businessColumns(),
  formulaId: text("formula_id").notNull().references(() => formulas.id),
  medicationId: text("medication_id").notNull().references(() => medications.id),
  /** Base units of the ingredient per batch of the formula. */
  quantity: integer("quantity").notNull(),
}, (t) => [index("formula_ingredients_formula_idx").on(t.formulaId)]);

export const formulaSteps = sqliteTable("formula_steps", {
  ...businessColumns(),
  formulaId: text("formula_id").notNull().references(() => formulas.id),
  position: integer("position").notNull(),
  name: text("name").notNull(),
  workCentreId: text("work_centre_id").notNull().references(() => workCentres.id),
  plannedMinutes: integer("planned_minutes").notNull(),
}, (t) => [index("formula_steps_formula_idx").on(t.formulaId, t.position)]);

/** draft → confirmed → in_progress → done, or cancelled before done. */
export const preparationOrders = sqliteTable("preparation_orders", {
  ...businessColumns(),
  /** PREP-YYYY-NNNN per organisation. */
  number: text("number").notNull(),
  formulaId: text("formula_id").notNull().references(() => formulas.id),
  storeId: text("store_id").notNull().references(() => stores.id),
  /** How many batches of the formula. */
  batches: integer("batches").notNull(),
  status: text("status").notNull(),
  /** Ingredients reserved on confirming: [{medicationId, quantity}]. */
  reserved: text("reserved", { mode: "json" }).$type<Record<string, unknown>[]>(),
  outputBatchId: text("output_batch_id").references(() => stockBatches.id),
  outputQuantity: integer("output_quantity"),
  /** Minor units per base unit of the product: ingredients plus work. */
  unitCost: integer("unit_cost"),
  confirmedAt: text("confirmed_at"),
  doneAt: text("done_at"),
  cancelReason: text("cancel_reason"),
}, (t) => [
  uniqueIndex("preparation_orders_org_number_uq").on(t.orgId, t.number),
  index("preparation_orders_org_status_idx").on(t.orgId, t.status),
]);

/** A work step of an order, copied from the formula; an assignee sees their own. */
export const preparationSteps = sqliteTable("preparation_steps", {
  ...businessColumns(),
  orderId: text("order_id").notNull().references(() => preparationOrders.id),
  position: integer("position").notNull(),
  name: text("name").notNull(),
  workCentreId: text("work_centre_id").notNull().references(() => workCentres.id),
  plannedMinutes: integer("planned_minutes").notNull(),
  assigneeId: text("assignee_id").references(() => users.id),
  /** pending | in_progress | done */
  status: text("status").notNull(),
  startedAt: text("started_at"),
  startedBy: text("started_by"),
  finishedAt: text("finished_at"),
  finishedBy: text("finished_by"),
  actualMinutes: integer("actual_minutes"),
}, (t) => [
  index("preparation_steps_order_idx").on(t.orderId, t.position),
  index("preparation_steps_assignee_idx").on(t.orgId, t.assigneeId, t.status),
]);
