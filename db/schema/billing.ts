/**
 * Billing: the price list, invoices and their lines (charges from what happened, or typed),
 * credit notes, payments (append-only), refunds, patient credit, insurance claims, the daily
 * close and petty-cash expenses. Money is integer minor units of the organisation's currency.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { businessColumns } from "./columns.ts";
import { facilities, users } from "./identity.ts";
import { patients } from "./patients.ts";

/**
 * One price of a service or medicine for one payer (null: cash) over a validity period. A new
 * price is a new row from its date: a price never changes an invoice already made.
 */
export const priceItems = sqliteTable("price_items", {
  ...businessColumns(),
  code: text("code").notNull(),
  name: text("name").notNull(),
  /** consultation | procedure | lab | imaging | bed_day | registration | medicine | other */
  kind: text("kind").notNull(),
  /** Null: the cash price; else the insurance provider it applies to. */
  payer: text("payer"),
  amount: integer("amount").notNull(),
  currency: text("currency").notNull(),
  validFrom: text("valid_from").notNull(),
  validUntil: text("valid_until"),
  /** A consultation's price is chosen by the visit's type (appointment type or walk_in). */
  encounterType: text("encounter_type"),
  /** A medicine's price: the catalogue medication it prices. */
  medicationId: text("medication_id"),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
}, (t) => [
  index("price_items_org_code_idx").on(t.orgId, t.code, t.payer, t.validFrom),
  index("price_items_org_kind_idx").on(t.orgId, t.kind, t.encounterType),
  index("price_items_org_medication_idx").on(t.orgId, t.medicationId),
]);

/**
 * draft → issued → partially_paid → paid, or void (with a reason, never with payments).
 * `total`, `covered`, `paid` are kept in the transaction that changes them. The API's `balance`
 * is total − paid (every method, insurance included); `patientDue` is the patient's share still
 * owed: total − covered − what the patient paid.
 */
export const invoices = sqliteTable("invoices", {
  ...businessColumns(),
  /** INV-YYYY-NNNNN per organisation (INV-K2-… at a clinic replica). */
  number: text("number").notNull(),
  /** encounter | cash_sale | manual */
  kind: text("kind").notNull(),
  patientId: text("patient_id").references(() => patients.id),
  encounterId: text("encounter_id"),
  facilityId: text("facility_id").references(() => facilities.id),
  status: text("status").notNull(),
  currency: text("currency").notNull(),
  /** Lines after line discounts, before the invoice discount. */
  subtotal: integer("subtotal").notNull().default(0),
  discount: integer("discount").notNull().default(0),
  discountReason: text("discount_reason"),
  discountBy: text("discount_by"),
  total: integer("total").notNull().default(0),
  /** The insurer's share of the lines. */
  covered: integer("covered").notNull().default(0),
  paid: integer("paid").notNull().default(0),
  /** The insurance the lines were split by: {provider, memberNumber, coveragePercent, scheme}. */
  insurance: text("insurance", { mode: "json" }).$type<Record<string, unknown>>(),
  issuedAt: text("issued_at"),
  issuedOn: text("issued_on"),
  voidedAt: text("voided_at"),
  voidReason: text("void_reason"),
  notes: text("notes"),
}, (t) => [
  uniqueIndex("invoices_org_number_uq").on(t.orgId, t.number),
  index("invoices_org_status_idx").on(t.orgId, t.status, t.createdAt),
  // Covers the dashboard's outstanding balance: summed from the index alone.
  index("invoices_org_owed_idx").on(t.orgId, t.status, t.deletedAt, t.total, t.paid),
  index("invoices_patient_idx").on(t.patientId, t.status),
  index("invoices_encounter_idx").on(t.encounterId, t.status),
  index("invoices_org_issued_idx").on(t.orgId, t.issuedOn),
]);

/**
 * A charge. Charges made by events name their source, so a reversal finds them; a reversal is a
 * line of its own with the negative amount (`reversesLineId`), never an edit.
 */
export const invoiceLines = sqliteTable("invoice_lines", {
  ...businessColumns(),
  invoiceId: text("invoice_id").notNull().references(() => invoices.id),
  /** encounter | dispensation_item | manual | lab_order | bed_day … */
  sourceType: text("source_type").notNull(),
  sourceId: text("source_id"),
  priceItemId: text("price_item_id"),
  code: text("code"),
  description: text("description").notNull(),
  quantity: integer("quantity").notNull(),
  unitAmount: integer("unit_amount").notNull(),
  discount: integer("discount").notNull().default(0),
  discountReason: text("discount_reason"),
  discountBy: text("discount_by"),
  /** quantity × unitAmount − discount (negative on a reversal). */
  amount: integer("amount").notNull(),
  coveredAmount: integer("covered_amount").notNull().default(0),
  /** An exemption or waiver: recorded as such, with who and why. */
  waivedReason: text("waived_reason"),
  waivedBy: text("waived_by"),
  reversesLineId: text("reverses_line_id"),
  practitionerId: text("practitioner_id"),
}, (t) => [
  index("invoice_lines_invoice_idx").on(t.invoiceId),
  index("invoice_lines_source_idx").on(t.orgId, t.sourceType, t.sourceId),
]);

/** A credit note: the only change to an issued invoice. */
export const creditNotes = sqliteTable("credit_notes", {
  ...businessColumns(),
  /** CN-YYYY-NNNNN per organisation. */
  number: text("number").notNull(),
  invoiceId: text("invoice_id").notNull().references(() => invoices.id),
  patientId: text("patient_id").references(() => patients.id),
  amount: integer("amount").notNull(),
  reason: text("reason").notNull(),
  /** [{lineId?, description, amount}] */
  lines: text("lines", { mode: "json" }).$type<Record<string, unknown>[]>().notNull(),
}, (t) => [
  uniqueIndex("credit_notes_org_number_uq").on(t.orgId, t.number),
  index("credit_notes_invoice_idx").on(t.invoiceId),
]);

/**
 * Money received (positive) or paid back (negative, a refund or a correction), never changed.
 * `localDate` is the clinic-local day it counts in for the daily close.
 */
export const payments = sqliteTable("payments", {
  ...businessColumns(),
  /** RCT-YYYY-NNNNN per organisation. */
  receiptNumber: text("receipt_number").notNull(),
  invoiceId: text("invoice_id").references(() => invoices.id),
  patientId: text("patient_id").references(() => patients.id),
  /** cash | card | mobile_money | bank | insurance | credit */
  method: text("method").notNull(),
  amount: integer("amount").notNull(),
  currency: text("currency").notNull(),
  /** Mobile-money operator, card acquirer, bank or insurer. */
  provider: text("provider"),
  /** The provider's transaction reference (unique per provider for mobile money). */
  reference: text("reference"),
  cashierId: text("cashier_id").notNull(),
  facilityId: text("facility_id"),
  at: text("at").notNull(),
  localDate: text("local_date").notNull(),
  /** What a negative payment undoes: a refund, or a correction of a closed day's payment. */
  refundId: text("refund_id"),
  reversesPaymentId: text("reverses_payment_id"),
  /** Part of the amount kept as the patient's credit (allowCredit). */
  toCredit: integer("to_credit").notNull().default(0),
  notes: text("notes"),
}, (t) => [
  uniqueIndex("payments_org_receipt_uq").on(t.orgId, t.receiptNumber),
  index("payments_invoice_idx").on(t.invoiceId),
  index("payments_org_reference_idx").on(t.orgId, t.provider, t.reference),
  index("payments_close_idx").on(t.orgId, t.cashierId, t.localDate),
  // Covers revenue by day and method (dashboard, reports): summed from the index alone.
  index("payments_org_day_idx").on(t.orgId, t.localDate, t.method, t.amount),
]);

/** requested → approved → paid (a negative payment), or rejected. */
export const refunds = sqliteTable("refunds", {
  ...businessColumns(),
  paymentId: text("payment_id").notNull().references(() => payments.id),
  invoiceId: text("invoice_id"),
  patientId: text("patient_id").references(() => patients.id),
  amount: integer("amount").notNull(),
  reason: text("reason").notNull(),
  status: text("status").notNull(),
  requestedBy: text("requested_by").notNull(),
  decidedBy: text("decided_by"),
  decidedAt: text("decided_at"),
  decisionNote: text("decision_note"),
  refundPaymentId: text("refund_payment_id"),
}, (t) => [index("refunds_org_status_idx").on(t.orgId, t.status)]);

/** The patient's credit: money paid beyond a balance, and its use; the sum is what is held. */
export const patientCredits = sqliteTable("patient_credits", {
  ...businessColumns(),
  patientId: text("patient_id").notNull().references(() => patients.id),
  amount: integer("amount").notNull(),
  currency: text("currency").notNull(),
  paymentId: text("payment_id"),
  invoiceId: text("invoice_id"),
  reason: text("reason"),
}, (t) => [index("patient_credits_patient_idx").on(t.orgId, t.patientId)]);

/** draft → submitted → approved | partially_approved | rejected → paid. */
export const insuranceClaims = sqliteTable("insurance_claims", {
  ...businessColumns(),
  /** CLM-YYYY-NNNNN per organisation. */
  number: text("number").notNull(),
  provider: text("provider").notNull(),
  scheme: text("scheme"),
  periodFrom: text("period_from"),
  periodTo: text("period_to"),
  encounterId: text("encounter_id"),
  status: text("status").notNull(),
  claimed: integer("claimed").notNull(),
  approved: integer("approved"),
  paidAmount: integer("paid_amount"),
  currency: text("currency").notNull(),
  submittedAt: text("submitted_at"),
  decidedAt: text("decided_at"),
  paidAt: text("paid_at"),
  notes: text("notes"),
}, (t) => [
  uniqueIndex("insurance_claims_org_number_uq").on(t.orgId, t.number),
  index("insurance_claims_org_status_idx").on(t.orgId, t.provider, t.status),
]);

export const insuranceClaimLines = sqliteTable("insurance_claim_lines", {
  ...businessColumns(),
  claimId: text("claim_id").notNull().references(() => insuranceClaims.id),
  invoiceId: text("invoice_id").notNull().references(() => invoices.id),
  invoiceLineId: text("invoice_line_id").references(() => invoiceLines.id),
  patientId: text("patient_id").references(() => patients.id),
  memberNumber: text("member_number"),
  claimed: integer("claimed").notNull(),
  approved: integer("approved"),
}, (t) => [
  index("insurance_claim_lines_claim_idx").on(t.claimId),
  index("insurance_claim_lines_invoice_idx").on(t.invoiceId),
]);

/**
 * The daily close of one cashier at one facility for one clinic-local day: expected by method,
 * counted cash, variance. A variance above the threshold waits for an ADMIN's sign-off.
 */
export const cashUps = sqliteTable("cash_ups", {
  ...businessColumns(),
  facilityId: text("facility_id"),
  cashierId: text("cashier_id").notNull().references(() => users.id),
  localDate: text("local_date").notNull(),
  /** {cash, card, mobile_money, bank, insurance}: payments net of refunds, minus expenses for cash. */
  expected: text("expected", { mode: "json" }).$type<Record<string, number>>().notNull(),
  countedCash: integer("counted_cash").notNull(),
  expenses: integer("expenses").notNull().default(0),
  variance: integer("variance").notNull(),
  currency: text("currency").notNull(),
  /** closed | awaiting_signoff | signed_off */
  status: text("status").notNull(),
  signedOffBy: text("signed_off_by"),
  signedOffAt: text("signed_off_at"),
  signOffNote: text("sign_off_note"),
  closedAt: text("closed_at").notNull(),
}, (t) => [
  uniqueIndex("cash_ups_cashier_day_uq").on(t.orgId, t.facilityId, t.cashierId, t.localDate),
]);

/** Petty cash paid out of the till: counted in the cashier's close. */
export const expenses = sqliteTable("expenses", {
  ...businessColumns(),
  facilityId: text("facility_id"),
  cashierId: text("cashier_id").notNull(),
  localDate: text("local_date").notNull(),
  category: text("category").notNull(),
  amount: integer("amount").notNull(),
  currency: text("currency").notNull(),
  description: text("description").notNull(),
  receiptReference: text("receipt_reference"),
  at: text("at").notNull(),
}, (t) => [index("expenses_close_idx").on(t.orgId, t.cashierId, t.localDate)]);
