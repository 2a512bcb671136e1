/** The cash desk: payments and receipts, refunds, patient credit, the daily close, expenses. */
import { IdParam, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  CashUp,
  CashUpInput,
  CashUpList,
  CashUpQuery,
  CreditBalance,
  CreditQuery,
  DecisionInput,
  Expense,
  ExpenseInput,
  ExpenseList,
  ExpenseQuery,
  Payment,
  PaymentInput,
  PaymentList,
  PaymentQuery,
  PaymentResult,
  Refund,
  RefundInput,
  RefundList,
  RefundQuery,
  ReverseInput,
  SignOffInput,
} from "./schemas-cash.ts";

const tags = ["Billing"];

export const createPayment = defineRoute({
  method: "post",
  path: "/payments",
  tags,
  access: "payments:write",
  summary: "Take a payment against an issued invoice",
  description: "Numbered RCT-YYYY-NNNNN. In one transaction: the invoice must be issued or " +
    "partially paid (draft, void or paid: 409); more than its balance answers 409 unless " +
    "`allowCredit`, when the excess becomes the patient's credit (`toCredit`); mobile money " +
    "needs `provider` and `reference`, a reference seen before with that provider answers 409; " +
    "`credit` spends the patient's credit. A payment on a day already closed for the caller " +
    "answers 409. Payments are never changed: see reverse and refunds.",
  request: { body: jsonBody(PaymentInput) },
  responses: { 201: json(PaymentResult, "The payment, and the invoice as it is now") },
});

export const listPayments = defineRoute({
  method: "get",
  path: "/payments",
  tags,
  access: "invoices:read",
  summary: "Payments, newest first",
  request: { query: PaymentQuery },
  responses: { 200: json(PaymentList, "A page of payments") },
});

export const readPayment = defineRoute({
  method: "get",
  path: "/payments/{id}",
  tags,
  access: "invoices:read",
  summary: "Read a payment",
  request: { params: IdParam },
  responses: { 200: json(Payment, "The payment") },
});

export const paymentReceipt = defineRoute({
  method: "get",
  path: "/payments/{id}/receipt.pdf",
  tags,
  access: "invoices:read",
  summary: "The payment's receipt as a PDF",
  request: { params: IdParam },
  responses: {
    200: {
      description: "The receipt (A5 portrait)",
      content: { "application/pdf": { schema: { type: "string", format: "binary" } as never } },
    },
  },
});

export const reversePayment = defineRoute({
  method: "post",
  path: "/payments/{id}/reverse",
  tags,
  access: "cashups:write",
  summary: "Undo a payment recorded by mistake",
  description: "Writes a negative payment dated today (`reversesPaymentId`); the original and " +
    "any closed day stay as they were. A payment reversed, refunded in full, or whose credit " +
    "has been spent answers 409.",
  request: { params: IdParam, body: jsonBody(ReverseInput) },
  responses: { 201: json(PaymentResult, "The reversing entry") },
});

export const requestRefund = defineRoute({
  method: "post",
  path: "/payments/{id}/refunds",
  tags,
  access: "refunds:request",
  summary: "Ask for part or all of a payment back",
  description: "requested → approved (a negative payment of the same method, dated today) or " +
    "rejected, by an ADMIN. More than what of the payment still stands (less refunds, " +
    "reversals, credit kept and requests waiting) answers 409.",
  request: { params: IdParam, body: jsonBody(RefundInput) },
  responses: { 201: json(Refund, "The refund request") },
});

export const listRefunds = defineRoute({
  method: "get",
  path: "/refunds",
  tags,
  access: "refunds:request",
  summary: "Refunds, newest first",
  request: { query: RefundQuery },
  responses: { 200: json(RefundList, "Refunds") },
});

export const readRefund = defineRoute({
  method: "get",
  path: "/refunds/{id}",
  tags,
  access: "refunds:request",
  summary: "Read a refund",
  request: { params: IdParam },
  responses: { 200: json(Refund, "The refund") },
});

const decide = (name: "approve" | "reject") =>
  defineRoute({
    method: "post",
    path: `/refunds/{id}/${name}`,
    tags,
    access: "refunds:approve",
    summary: name === "approve" ? "Approve a refund and pay it back" : "Reject a refund",
    description: "Only a requested refund is decided (else 409). Approval refuses what would " +
      "take the payment below zero, or a day already closed for the approver (409).",
    request: { params: IdParam, body: jsonBody(DecisionInput) },
    responses: { 200: json(Refund, "The refund as decided") },
  });
export const approveRefund = decide("approve");
export const rejectRefund = decide("reject");

export const readCredit = defineRoute({
  method: "get",
  path: "/patient-credits",
  tags,
  access: "invoices:read",
  summary: "A patient's credit and its entries",
  request: { query: CreditQuery },
  responses: { 200: json(CreditBalance, "What the patient holds") },
});

export const closeDay = defineRoute({
  method: "post",
  path: "/cash-ups",
  tags,
  access: "cashups:write",
  summary: "Close a cashier's clinic-local day",
  description: "Expected by method = the cashier's payments of the day net of refunds and " +
    "reversals (cash less expenses); variance = counted − expected cash. A second close of " +
    "the same cashier and day (all facilities, or the same one) answers 409. Beyond " +
    "BILLING_CASHUP_VARIANCE_THRESHOLD the close waits for an ADMIN's sign-off. Payments and " +
    "expenses of a closed day are refused from then on (409).",
  request: { body: jsonBody(CashUpInput) },
  responses: { 201: json(CashUp, "The close") },
});

export const listCashUps = defineRoute({
  method: "get",
  path: "/cash-ups",
  tags,
  access: "cashups:write",
  summary: "Daily closes, latest day first",
  request: { query: CashUpQuery },
  responses: { 200: json(CashUpList, "Closes") },
});

export const readCashUp = defineRoute({
  method: "get",
  path: "/cash-ups/{id}",
  tags,
  access: "cashups:write",
  summary: "Read a daily close",
  request: { params: IdParam },
  responses: { 200: json(CashUp, "The close") },
});

export const signOffCashUp = defineRoute({
  method: "post",
  path: "/cash-ups/{id}/sign-off",
  tags,
  access: "cashups:signoff",
  summary: "Sign off a close whose variance is above the threshold",
  description: "Only a close awaiting sign-off (else 409).",
  request: { params: IdParam, body: jsonBody(SignOffInput) },
  responses: { 200: json(CashUp, "The close, signed off") },
});

export const recordExpense = defineRoute({
  method: "post",
  path: "/expenses",
  tags,
  access: "expenses:write",
  summary: "Pay petty cash out of the till",
  description: "Counts in the caller's close of today; refused once today is closed (409).",
  request: { body: jsonBody(ExpenseInput) },
  responses: { 201: json(Expense, "The expense") },
});

export const listExpenses = defineRoute({
  method: "get",
  path: "/expenses",
  tags,
  access: "expenses:write",
  summary: "Petty-cash expenses, newest first",
  request: { query: ExpenseQuery },
  responses: { 200: json(ExpenseList, "Expenses") },
});
