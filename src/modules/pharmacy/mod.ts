/**
 * Pharmacy and stock: the medication catalogue with its codes, stores, batches, the append-only
 * ledger that stock on hand is derived from (never negative), and dispensing against
 * prescriptions or over the counter.
 */
import {
  dispensationItems,
  dispensations,
  dispensingSessions,
  findingRuleSettings,
  formulaIngredients,
  formulas,
  formulaSteps,
  medicationCodes,
  medications,
  preparationOrders,
  preparationSteps,
  purchaseOrderLines,
  purchaseOrders,
  stockBalances,
  stockBatches,
  stockCountLines,
  stockCounts,
  stockFindings,
  stockMovements,
  stores,
  suppliers,
  workCentres,
} from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { routesOf } from "../../lib/router.ts";
import { registerStockHandlers } from "./handlers.ts";
import { registerPurchasingHandlers } from "./handlers-purchasing.ts";
import { registerCatalogueHandlers } from "./handlers-catalogue.ts";
import { registerCountsHandlers } from "./handlers-counts.ts";
import { registerFindingsHandlers } from "./handlers-findings.ts";
import { registerPreparationHandlers } from "./handlers-preparation.ts";
import { registerSessionsHandlers } from "./handlers-sessions.ts";
import { onRemoteMovement } from "./ledger.ts";

const appendOnly = "append-only: a row is written once and never changed";

export const pharmacyModule = defineModule({
  name: "pharmacy",
  events: {
    "dispensation.created": "Medicines were handed over: {dispensationId, patientId, " +
      "prescriptionId, encounterId, overTheCounter, currency, items: [{dispensationItemId, " +
      "medicationId, name, quantity, unitPrice}]}. Billable.",
    "dispensation.returned": "Dispensed medicines came back into stock: {dispensationId, " +
      "patientId, reason, items: [{dispensationItemId, medicationId, quantity}]}. Reverses " +
      "their charge.",
  },
  routes: routesOf(
    registerStockHandlers,
    registerCatalogueHandlers,
    registerPurchasingHandlers,
    registerSessionsHandlers,
    registerCountsHandlers,
    registerFindingsHandlers,
    registerPreparationHandlers,
  ),
  permissions: {
    "stock:read": ["PHARMACY", "ADMIN", "DOCTOR", "FINANCE"],
    "stock:write": ["PHARMACY"],
    "medications:write": ["PHARMACY", "ADMIN"],
    // An admin dispenses only to override (more than prescribed, no prescription).
    "dispense:write": ["PHARMACY", "ADMIN"],
    "pharmacy:override": ["ADMIN"],
    "stores:write": ["PHARMACY", "ADMIN"],
    "stock:count": ["PHARMACY"],
    // A variance above the organisation's threshold is posted only once an admin approves it.
    "stock:approve-variance": ["ADMIN"],
    // Findings concern the pharmacy's own staff: the admin reads, reviews and tunes them.
    "findings:read": ["ADMIN"],
    "findings:review": ["ADMIN"],
    "preparation:read": ["PHARMACY", "ADMIN", "FINANCE"],
    "preparation:write": ["PHARMACY"],
    "formulas:write": ["PHARMACY", "ADMIN"],
  },
  tables: [
    { table: medications, sync: "merge", versioned: true },
    { table: medicationCodes, sync: "merge", notVersioned: "a code is added or removed, audited" },
    { table: stores, sync: "merge", versioned: true },
    { table: stockBatches, sync: "merge", versioned: true },
    {
      table: stockMovements,
      // Movements travel as rows that are never changed; each node keeps its balances from
      // them (onRemoteMovement), so two clinics apart never reject each other's dispensing.
      sync: "merge",
      notVersioned: appendOnly,
      onRemoteApply: onRemoteMovement,
    },
    {
      table: stockBalances,
      sync: "local",
      notVersioned: "derived from the ledger on each node, in the movement's transaction",
    },
    { table: dispensations, sync: "merge", notVersioned: appendOnly },
    { table: suppliers, sync: "merge", versioned: true },
    { table: purchaseOrders, sync: "merge", versioned: true },
    { table: purchaseOrderLines, sync: "merge", versioned: true },
    { table: dispensationItems, sync: "merge", notVersioned: appendOnly },
    { table: dispensingSessions, sync: "merge", versioned: true },
    { table: stockCounts, sync: "merge", versioned: true },
    { table: stockCountLines, sync: "merge", versioned: true },
    { table: stockFindings, sync: "merge", versioned: true },
    { table: findingRuleSettings, sync: "merge", versioned: true },
    { table: workCentres, sync: "merge", versioned: true },
    { table: formulas, sync: "merge", versioned: true },
    { table: formulaIngredients, sync: "merge", versioned: true },
    { table: formulaSteps, sync: "merge", versioned: true },
    { table: preparationOrders, sync: "merge", versioned: true },
    { table: preparationSteps, sync: "merge", versioned: true },
  ],
  patientReferences: [
    stockMovements.patientId,
    dispensations.patientId,
    dispensingSessions.patientId,
  ],
});

export { type Prescribable, prescribableMedications } from "./prescribable.ts";
export { alerts as pharmacyAlerts } from "./alerts.ts";
