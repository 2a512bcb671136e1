/**
 * Billing and the admin dashboard: the price list, charges made by what happened (a visit
 * started, medicines dispensed), invoices, payments by cash, card, mobile money, bank and
 * insurance, refunds, credit, insurance claims, the daily close, and the owner's figures.
 */
import {
  cashUps,
  creditNotes,
  expenses,
  insuranceClaimLines,
  insuranceClaims,
  invoiceLines,
  invoices,
  patientCredits,
  payments,
  priceItems,
  refunds,
} from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { ALL_STAFF } from "../../lib/permissions.ts";
import { routesOf } from "../../lib/router.ts";
import { registerBillingHandlers } from "./handlers.ts";
import { registerCashHandlers } from "./handlers-cash.ts";
import { billingListeners } from "./listeners.ts";

const appendOnly = "append-only: a row is written once and never changed";

export const billingModule = defineModule({
  name: "billing",
  routes: routesOf(registerBillingHandlers, registerCashHandlers),
  permissions: {
    // Everyone may see what things cost (a doctor tells the patient); amounts owed are not theirs.
    "prices:read": ALL_STAFF,
    "prices:write": ["ADMIN", "FINANCE"],
    "invoices:read": ["ADMIN", "FINANCE", "RECEPTION"],
    "invoices:write": ["ADMIN", "FINANCE", "RECEPTION"],
    "invoices:discount": ["ADMIN", "FINANCE"],
    "invoices:void": ["ADMIN", "FINANCE"],
    "payments:write": ["ADMIN", "FINANCE", "RECEPTION"],
    "refunds:request": ["ADMIN", "FINANCE"],
    "refunds:approve": ["ADMIN"],
    "claims:read": ["ADMIN", "FINANCE"],
    "claims:write": ["ADMIN", "FINANCE"],
    "cashups:write": ["ADMIN", "FINANCE"],
    "cashups:signoff": ["ADMIN"],
    "expenses:write": ["ADMIN", "FINANCE", "RECEPTION"],
    "billing:reports": ["ADMIN", "FINANCE"],
    "dashboard:read": ALL_STAFF,
  },
  tables: [
    { table: priceItems, sync: "merge", versioned: true },
    { table: invoices, sync: "merge", versioned: true },
    { table: invoiceLines, sync: "merge", versioned: true },
    { table: creditNotes, sync: "merge", notVersioned: appendOnly },
    { table: payments, sync: "merge", notVersioned: appendOnly },
    { table: refunds, sync: "merge", versioned: true },
    { table: patientCredits, sync: "merge", notVersioned: appendOnly },
    { table: insuranceClaims, sync: "merge", versioned: true },
    { table: insuranceClaimLines, sync: "merge", versioned: true },
    { table: cashUps, sync: "merge", versioned: true },
    { table: expenses, sync: "merge", versioned: true },
  ],
  patientReferences: [
    invoices.patientId,
    creditNotes.patientId,
    payments.patientId,
    refunds.patientId,
    patientCredits.patientId,
    insuranceClaimLines.patientId,
  ],
  listeners: billingListeners,
});
