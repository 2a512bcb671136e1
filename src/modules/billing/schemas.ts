/** API shapes of the price list, invoices, their lines and credit notes. Money: integer minor units. */
import { z } from "@hono/zod-openapi";
import { PageQuery, PageSchema } from "../../lib/openapi.ts";

const Id = z.string().uuid();
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");
/** Integer minor units (KES cents, UGX shillings): never a float. */
export const Minor = z.number().int().min(0).max(1_000_000_000_000);
const Reason = z.string().trim().min(3).max(500);

export const PRICE_KINDS = [
  "consultation",
  "procedure",
  "lab",
  "imaging",
  "bed_day",
  "registration",
  "medicine",
  "other",
] as const;

export const PriceInput = z.object({
  code: z.string().trim().min(1).max(40).openapi({ example: "CONS-GEN" }),
  name: z.string().trim().min(2).max(200).openapi({ example: "General consultation" }),
  kind: z.enum(PRICE_KINDS).openapi({ example: "consultation" }),
  amount: Minor.openapi({ example: 150000, description: "Minor units of `currency`" }),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code").openapi({
    example: "KES",
    description: "Must be the organisation's currency",
  }),
  payer: z.string().trim().min(1).max(100).nullable().optional().openapi({
    description: "The insurance provider this price applies to; none: the cash price",
  }),
  validFrom: Day.optional().openapi({ description: "Clinic-local day; default today" }),
  validUntil: Day.nullable().optional(),
  encounterType: z.string().trim().min(1).max(60).nullable().optional().openapi({
    description: "A consultation's visit type (walk_in, an appointment type); none: any visit",
  }),
  medicationId: Id.nullable().optional().openapi({ description: "The medicine a price is for" }),
}).openapi("PriceInput");

export const PricePatch = z.object({
  name: z.string().trim().min(2).max(200).optional(),
  amount: Minor.optional().openapi({
    description: "A new amount starts a new price row from `effectiveFrom` (default today) " +
      "and closes this one the day before; invoices keep the amount they copied.",
  }),
  effectiveFrom: Day.optional(),
  validUntil: Day.nullable().optional(),
  active: z.boolean().optional(),
}).openapi("PricePatch");

export const Price = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  kind: z.string(),
  payer: z.string().nullable(),
  amount: z.number().int(),
  currency: z.string(),
  validFrom: z.string(),
  validUntil: z.string().nullable(),
  encounterType: z.string().nullable(),
  medicationId: z.string().nullable(),
  active: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("Price");

export const PriceList = z.object({ data: z.array(Price) }).openapi("PriceList");

export const PriceQuery = z.object({
  kind: z.enum(PRICE_KINDS).optional().openapi({ param: { name: "kind", in: "query" } }),
  payer: z.string().max(100).optional().openapi({
    param: { name: "payer", in: "query" },
    description: "An insurer's prices; `cash` for the cash prices only",
  }),
  on: Day.optional().openapi({
    param: { name: "on", in: "query" },
    description: "Only prices valid on that day",
  }),
  q: z.string().max(100).optional().openapi({ param: { name: "q", in: "query" } }),
});

export const LineInput = z.object({
  description: z.string().trim().min(1).max(300).openapi({ example: "Dressing of a wound" }),
  quantity: z.number().int().min(1).max(100_000).openapi({ example: 1 }),
  unitAmount: Minor.optional().openapi({
    example: 50000,
    description: "Minor units; omitted: the price item's amount",
  }),
  code: z.string().trim().max(40).nullable().optional(),
  priceItemId: Id.nullable().optional(),
}).openapi("InvoiceLineInput");

export const InvoiceInput = z.object({
  patientId: Id.nullable().optional().openapi({ description: "None: a walk-up sale" }),
  encounterId: Id.nullable().optional(),
  notes: z.string().trim().max(1000).nullable().optional(),
  lines: z.array(LineInput).max(200).default([]),
}).openapi("InvoiceInput");

export const LinesInput = z.object({ lines: z.array(LineInput).min(1).max(200) })
  .openapi("InvoiceLinesInput");

export const DiscountInput = z.object({
  amount: Minor.optional().openapi({ example: 5000 }),
  percent: z.number().min(0).max(100).multipleOf(0.01).optional(),
  reason: Reason.openapi({ example: "Staff family" }),
  lineId: Id.optional().openapi({ description: "A line's discount; none: the invoice's" }),
}).openapi("DiscountInput");

export const ReasonInput = z.object({ reason: Reason.openapi({ example: "Duplicate entry" }) })
  .openapi("ReasonInput");

export const CreditNoteInput = z.object({
  amount: Minor.min(1).optional().openapi({
    example: 1000,
    description: "Omitted: the sum of `lines`",
  }),
  reason: Reason.openapi({ example: "Charged twice for the dressing" }),
  lines: z.array(z.object({
    lineId: Id.optional(),
    description: z.string().trim().min(1).max(300),
    amount: Minor.min(1),
  })).max(200).optional(),
}).openapi("CreditNoteInput");

export const CreditNote = z.object({
  id: z.string(),
  number: z.string().openapi({ example: "CN-2026-00001" }),
  invoiceId: z.string(),
  patientId: z.string().nullable(),
  amount: z.number().int(),
  currency: z.string(),
  reason: z.string(),
  lines: z.array(z.object({
    lineId: z.string().optional(),
    description: z.string(),
    amount: z.number().int(),
  })),
  version: z.number().int(),
  createdAt: z.string(),
}).openapi("CreditNote");

export const InvoiceLine = z.object({
  id: z.string(),
  description: z.string(),
  code: z.string().nullable(),
  quantity: z.number().int(),
  unitAmount: z.number().int(),
  discount: z.number().int(),
  discountReason: z.string().nullable(),
  amount: z.number().int().openapi({ description: "quantity × unitAmount − discount" }),
  coveredAmount: z.number().int().openapi({ description: "The insurer's share" }),
  copay: z.number().int().openapi({ description: "amount − coveredAmount: the patient's share" }),
  sourceType: z.string(),
  sourceId: z.string().nullable(),
  priceItemId: z.string().nullable(),
  reversesLineId: z.string().nullable(),
  /** A charge from an event with no price on the list: charged 0, to be priced by hand. */
  unpriced: z.boolean(),
  waived: z.object({ reason: z.string(), by: z.string().nullable() }).nullable(),
  createdAt: z.string(),
}).openapi("InvoiceLine");

export const INVOICE_STATUSES = ["draft", "issued", "partially_paid", "paid", "void"] as const;

export const Invoice = z.object({
  id: z.string(),
  number: z.string().openapi({ example: "INV-2026-00042" }),
  kind: z.enum(["encounter", "cash_sale", "manual"]),
  status: z.enum(INVOICE_STATUSES),
  patientId: z.string().nullable(),
  encounterId: z.string().nullable(),
  facilityId: z.string().nullable(),
  currency: z.string(),
  lines: z.array(InvoiceLine),
  subtotal: z.number().int().openapi({ description: "Σ line amounts" }),
  discount: z.number().int(),
  discountReason: z.string().nullable(),
  credited: z.number().int().openapi({ description: "Σ credit notes" }),
  total: z.number().int().openapi({ description: "subtotal − discount − credited" }),
  covered: z.number().int().openapi({ description: "The insurer's share of the total" }),
  paid: z.number().int().openapi({ description: "Payments of every method, net of refunds" }),
  balance: z.number().int().openapi({ description: "total − paid" }),
  patientDue: z.number().int().openapi({
    description: "What the patient still owes: total − covered − non-insurance payments, ≥ 0",
  }),
  insurance: z.object({
    provider: z.string(),
    memberNumber: z.string(),
    coveragePercent: z.number(),
    scheme: z.string(),
  }).nullable().openapi({ description: "The insurance the lines were split by, as of creation" }),
  issuedAt: z.string().nullable(),
  issuedOn: z.string().nullable(),
  voidedAt: z.string().nullable(),
  voidReason: z.string().nullable(),
  notes: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("Invoice");

export const InvoicePage = PageSchema(Invoice, "InvoicePage");

export const InvoiceQuery = z.object({
  ...PageQuery,
  patientId: Id.optional().openapi({ param: { name: "patientId", in: "query" } }),
  encounterId: Id.optional().openapi({ param: { name: "encounterId", in: "query" } }),
  status: z.enum(INVOICE_STATUSES).optional().openapi({ param: { name: "status", in: "query" } }),
  kind: z.enum(["encounter", "cash_sale", "manual"]).optional().openapi({
    param: { name: "kind", in: "query" },
  }),
});

export const LineParams = z.object({
  id: Id.openapi({ param: { name: "id", in: "path" } }),
  lineId: Id.openapi({ param: { name: "lineId", in: "path" } }),
});
