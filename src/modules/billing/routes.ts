/** The price list, invoices, their lines, discounts and waivers, credit notes and the PDF. */
import { z } from "@hono/zod-openapi";
import { IdParam, IfMatchHeader, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  CreditNote,
  CreditNoteInput,
  DiscountInput,
  Invoice,
  InvoiceInput,
  InvoicePage,
  InvoiceQuery,
  LineParams,
  LinesInput,
  Price,
  PriceInput,
  PriceList,
  PricePatch,
  PriceQuery,
  ReasonInput,
} from "./schemas.ts";

const tags = ["Billing"];
const STATES = "States: draft → issued → partially_paid → paid (payments move it), or void " +
  "(with a reason, never with payments on it: refund first). Lines, discounts and waivers " +
  "change a draft only; an issued invoice changes by credit notes. Figures: subtotal = Σ line " +
  "amounts, total = subtotal − discount − credited, covered = the insurer's share (floor of " +
  "each line × coverage percent), balance = total − paid. An illegal move answers 409.";

export const createPrice = defineRoute({
  method: "post",
  path: "/prices",
  tags,
  access: "prices:write",
  summary: "List a price",
  description: "A price of a service or medicine for cash (no payer) or one insurer, valid " +
    "from a day (default today). The currency must be the organisation's (422). A " +
    "consultation's price may name the visit type it is for; a medicine's, the medication.",
  request: { body: jsonBody(PriceInput) },
  responses: { 201: json(Price, "The price") },
});

export const listPrices = defineRoute({
  method: "get",
  path: "/prices",
  tags,
  access: "prices:read",
  summary: "The price list",
  description: "Filter by kind, payer (`cash` for cash prices), the day they are valid on, " +
    "or words of the name / the exact code.",
  request: { query: PriceQuery },
  responses: { 200: json(PriceList, "Prices by kind and code, newest period first") },
});

export const readPrice = defineRoute({
  method: "get",
  path: "/prices/{id}",
  tags,
  access: "prices:read",
  summary: "Read a price",
  request: { params: IdParam },
  responses: { 200: json(Price, "The price") },
});

export const updatePrice = defineRoute({
  method: "patch",
  path: "/prices/{id}",
  tags,
  access: "prices:write",
  summary: "Change a price",
  description: "A new `amount` from a later day (`effectiveFrom`, default today) closes this " +
    "row the day before and answers the new row; on the row's first day it is corrected in " +
    "place. Invoices copy amounts onto their lines, so no change reaches an invoice made.",
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(PricePatch) },
  responses: { 200: json(Price, "The price now in force") },
});

export const createInvoice = defineRoute({
  method: "post",
  path: "/invoices",
  tags,
  access: "invoices:write",
  summary: "Make an invoice by hand",
  description: "A draft numbered INV-YYYY-NNNNN now (INV-K3-… at a clinic replica). With a " +
    "patient, their primary insurance valid today is copied on and splits each line. " +
    "Charges for visits and dispensed medicines need no typing: they arrive by themselves. " +
    STATES,
  request: { body: jsonBody(InvoiceInput) },
  responses: { 201: json(Invoice, "The draft invoice") },
});

export const listInvoices = defineRoute({
  method: "get",
  path: "/invoices",
  tags,
  access: "invoices:read",
  summary: "Invoices, newest first",
  request: { query: InvoiceQuery },
  responses: { 200: json(InvoicePage, "A page of invoices") },
});

export const readInvoice = defineRoute({
  method: "get",
  path: "/invoices/{id}",
  tags,
  access: "invoices:read",
  summary: "Read an invoice with its lines",
  description: "Audited as a read of the patient's data when it has a patient. " + STATES,
  request: { params: IdParam },
  responses: { 200: json(Invoice, "The invoice") },
});

export const addLines = defineRoute({
  method: "post",
  path: "/invoices/{id}/lines",
  tags,
  access: "invoices:write",
  summary: "Add lines to a draft",
  request: { params: IdParam, body: jsonBody(LinesInput) },
  responses: { 200: json(Invoice, "The invoice with its new lines") },
});

export const issueInvoice = defineRoute({
  method: "post",
  path: "/invoices/{id}/issue",
  tags,
  access: "invoices:write",
  summary: "Issue a draft",
  description: "Its figures are fixed from now on, and payments may be taken. " + STATES,
  request: { params: IdParam },
  responses: { 200: json(Invoice, "The issued invoice") },
});

export const voidInvoice = defineRoute({
  method: "post",
  path: "/invoices/{id}/void",
  tags,
  access: "invoices:void",
  summary: "Void an invoice",
  description: "With a reason. An invoice with payments on it answers 409: refund first.",
  request: { params: IdParam, body: jsonBody(ReasonInput) },
  responses: { 200: json(Invoice, "The void invoice") },
});

export const discountInvoice = defineRoute({
  method: "post",
  path: "/invoices/{id}/discount",
  tags,
  access: "invoices:discount",
  summary: "Discount a draft or one of its lines",
  description: "An amount or a percent (of the line's gross, or of the subtotal; half up), " +
    "with a reason; it replaces an earlier discount of the same line or invoice and never " +
    "goes below zero (422). Recorded with who gave it.",
  request: { params: IdParam, body: jsonBody(DiscountInput) },
  responses: { 200: json(Invoice, "The invoice") },
});

export const waiveLine = defineRoute({
  method: "post",
  path: "/invoices/{id}/lines/{lineId}/waive",
  tags,
  access: "invoices:discount",
  summary: "Waive a line (an exemption)",
  description: "The line stays, discounted in full (amount 0), with who waived it and why.",
  request: { params: LineParams, body: jsonBody(ReasonInput) },
  responses: { 200: json(Invoice, "The invoice") },
});

export const createCreditNote = defineRoute({
  method: "post",
  path: "/invoices/{id}/credit-notes",
  tags,
  access: "invoices:discount",
  summary: "Credit an issued invoice",
  description: "Numbered CN-YYYY-NNNNN. An amount (or lines naming what is credited), never " +
    "more than the invoice's total; it lowers the total and shows as `credited`. A draft " +
    "answers 409: change the draft instead.",
  request: { params: IdParam, body: jsonBody(CreditNoteInput) },
  responses: { 201: json(CreditNote, "The credit note") },
});

export const invoicePdf = defineRoute({
  method: "get",
  path: "/invoices/{id}/pdf",
  tags,
  access: "invoices:read",
  summary: "The printable invoice (PDF)",
  description: "A4: the clinic, the number and date, the patient, the lines, the totals, the " +
    "insurer's share, what was paid and the balance. Audited as invoice.print.",
  request: { params: IdParam },
  responses: {
    200: {
      description: "The PDF",
      content: { "application/pdf": { schema: z.string().openapi({ format: "binary" }) } },
    },
  },
});
