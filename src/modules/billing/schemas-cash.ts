/** API shapes of the cash desk: payments, refunds, patient credit, the daily close, expenses. */
import { z } from "@hono/zod-openapi";
import { isoDate } from "../patients/mod.ts";

const Id = z.string().uuid();
const Minor = z.number().int().min(1).max(1_000_000_000_000);
const Text = (max: number) => z.string().trim().min(1).max(max);

export const PAYMENT_METHODS = [
  "cash",
  "card",
  "mobile_money",
  "bank",
  "insurance",
  "credit",
] as const;
/** What a daily close counts: money that came in, not credit moved between invoices. */
export const CLOSE_METHODS = ["cash", "card", "mobile_money", "bank", "insurance"] as const;

export const PaymentInput = z.object({
  invoiceId: Id.openapi({ example: "01936f0e-8a5c-7c4e-9d61-2f8b5a3c1e90" }),
  method: z.enum(PAYMENT_METHODS).openapi({
    example: "mobile_money",
    description: "`credit` spends the patient's credit (from earlier overpayments).",
  }),
  amount: Minor.openapi({ example: 50000, description: "Minor units of the invoice's currency" }),
  provider: Text(80).optional().openapi({ example: "M-Pesa" }),
  reference: Text(120).optional().openapi({ example: "QK7H2LM9XZ" }),
  allowCredit: z.boolean().default(false).openapi({
    description: "Keep what exceeds the balance as the patient's credit instead of refusing it",
  }),
  notes: z.string().trim().max(1000).optional(),
}).openapi("PaymentInput");

export const Payment = z.object({
  id: z.string(),
  receiptNumber: z.string().openapi({ example: "RCT-2026-00042" }),
  invoiceId: z.string().nullable(),
  patientId: z.string().nullable(),
  method: z.enum(PAYMENT_METHODS),
  amount: z.number().int().openapi({ description: "Negative for a refund or a reversal" }),
  currency: z.string(),
  provider: z.string().nullable(),
  reference: z.string().nullable(),
  cashierId: z.string(),
  facilityId: z.string().nullable(),
  at: z.string(),
  localDate: z.string(),
  refundId: z.string().nullable(),
  reversesPaymentId: z.string().nullable(),
  toCredit: z.number().int(),
  notes: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
}).openapi("Payment");

export const InvoiceAfter = z.object({
  id: z.string(),
  number: z.string(),
  status: z.string(),
  total: z.number().int(),
  paid: z.number().int(),
  balance: z.number().int(),
  currency: z.string(),
}).openapi("InvoicePaymentState");

export const PaymentResult = Payment.extend({ invoice: InvoiceAfter.nullable() })
  .openapi("PaymentResult");

export const PaymentQuery = z.object({
  invoiceId: Id.optional(),
  patientId: Id.optional(),
  cashierId: Id.optional(),
  date: isoDate.optional().openapi({ description: "Clinic-local day the payment counts in" }),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(500).optional(),
});

export const PaymentList = z.object({ data: z.array(Payment), nextCursor: z.string().nullable() })
  .openapi("PaymentList");

export const ReverseInput = z.object({
  reason: Text(500).openapi({ example: "Recorded as cash, was paid by card" }),
}).openapi("ReverseInput");

export const RefundInput = z.object({
  amount: Minor.openapi({ example: 1000 }),
  reason: Text(500).openapi({ example: "Lab test not done" }),
}).openapi("RefundInput");

export const DecisionInput = z.object({
  note: z.string().trim().max(1000).optional().openapi({ example: "Checked with the lab" }),
}).openapi("RefundDecisionInput");

export const Refund = z.object({
  id: z.string(),
  paymentId: z.string(),
  invoiceId: z.string().nullable(),
  patientId: z.string().nullable(),
  amount: z.number().int(),
  reason: z.string(),
  status: z.enum(["requested", "approved", "rejected"]),
  requestedBy: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  decisionNote: z.string().nullable(),
  refundPaymentId: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
}).openapi("Refund");

export const RefundList = z.object({ data: z.array(Refund) }).openapi("RefundList");
export const RefundQuery = z.object({
  status: z.enum(["requested", "approved", "rejected"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

export const CreditQuery = z.object({ patientId: Id });
export const CreditBalance = z.object({
  patientId: z.string(),
  balance: z.number().int(),
  currency: z.string(),
  entries: z.array(z.object({
    id: z.string(),
    amount: z.number().int(),
    paymentId: z.string().nullable(),
    invoiceId: z.string().nullable(),
    reason: z.string().nullable(),
    createdAt: z.string(),
  })),
}).openapi("PatientCredit");

const ByMethod = z.object({
  cash: z.number().int(),
  card: z.number().int(),
  mobile_money: z.number().int(),
  bank: z.number().int(),
  insurance: z.number().int(),
});

export const CashUpInput = z.object({
  facilityId: Id.optional(),
  cashierId: Id.optional().openapi({ description: "Default: the caller" }),
  date: isoDate.openapi({ example: "2026-03-10", description: "The clinic-local day closed" }),
  counted: z.object({ cash: z.number().int().min(0).max(1_000_000_000_000) }).openapi({
    example: { cash: 150000 },
  }),
}).openapi("CashUpInput");

export const CashUp = z.object({
  id: z.string(),
  facilityId: z.string().nullable(),
  cashierId: z.string(),
  date: z.string(),
  expected: ByMethod.openapi({
    description: "Payments net of refunds by method; cash less the day's expenses",
  }),
  expenses: z.number().int(),
  counted: z.object({ cash: z.number().int() }),
  variance: z.number().int().openapi({ description: "counted − expected cash" }),
  currency: z.string(),
  status: z.enum(["closed", "awaiting_signoff", "signed_off"]),
  signedOffBy: z.string().nullable(),
  signedOffAt: z.string().nullable(),
  signOffNote: z.string().nullable(),
  closedAt: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
}).openapi("CashUp");

export const CashUpList = z.object({ data: z.array(CashUp) }).openapi("CashUpList");
export const CashUpQuery = z.object({
  date: isoDate.optional(),
  cashierId: Id.optional(),
  status: z.enum(["closed", "awaiting_signoff", "signed_off"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export const SignOffInput = z.object({
  note: Text(1000).openapi({ example: "Counted again with the cashier; 500 short, explained" }),
}).openapi("SignOffInput");

export const ExpenseInput = z.object({
  category: Text(60).openapi({ example: "cleaning" }),
  amount: Minor.openapi({ example: 2000 }),
  description: Text(500).openapi({ example: "Detergent and mops" }),
  receiptReference: Text(120).optional().openapi({ example: "SHOP-8812" }),
}).openapi("ExpenseInput");

export const Expense = z.object({
  id: z.string(),
  facilityId: z.string().nullable(),
  cashierId: z.string(),
  date: z.string(),
  category: z.string(),
  amount: z.number().int(),
  currency: z.string(),
  description: z.string(),
  receiptReference: z.string().nullable(),
  at: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
}).openapi("Expense");

export const ExpenseList = z.object({ data: z.array(Expense) }).openapi("ExpenseList");
export const ExpenseQuery = z.object({
  date: isoDate.optional(),
  cashierId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
