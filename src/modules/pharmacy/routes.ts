/** The catalogue, stock and dispensing. */
import { XLSX_TYPE } from "../../lib/report-files.ts";
import { IdParam, json, jsonBody, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  AdjustmentInput,
  Dispensation,
  DispenseInput,
  Medication,
  MedicationInput,
  MedicationListQuery,
  Movement,
  MovementList,
  MovementPage,
  MovementQuery,
  MovementReportQuery,
  ReceiptInput,
  ReceiptResult,
  Report,
  ReportQuery,
  ReturnInput,
  ScanInput,
  ScanResult,
  StockList,
  StockQuery,
} from "./schemas.ts";

const tags = ["Pharmacy and stock"];

export const createMedication = defineRoute({
  method: "post",
  path: "/medications",
  tags,
  access: "medications:write",
  summary: "Add a medication to the catalogue",
  description: "Quantities are counted in its base unit and prices are integer minor units " +
    "of the organisation's currency. A code another medication has answers 409.",
  request: { body: jsonBody(MedicationInput) },
  responses: { 201: json(Medication, "The medication") },
});

export const listMedications = defineRoute({
  method: "get",
  path: "/medications",
  tags,
  access: "stock:read",
  summary: "The catalogue",
  request: { query: MedicationListQuery },
  responses: { 200: json(PageSchema(Medication, "MedicationPage"), "A page of medications") },
});

export const readMedication = defineRoute({
  method: "get",
  path: "/medications/{id}",
  tags,
  access: "stock:read",
  summary: "Read a medication",
  request: { params: IdParam },
  responses: { 200: json(Medication, "The medication") },
});

export const scan = defineRoute({
  method: "post",
  path: "/pharmacy/scan",
  tags,
  access: "stock:read",
  summary: "What a scanned code is",
  description: "A medication's barcode answers the medication and its batches in stock " +
    "(first to expire first); a prescription number (the QR on a printed prescription) answers " +
    "that prescription. Anything else answers 404.",
  request: { body: jsonBody(ScanInput) },
  responses: { 200: json(ScanResult, "The medication with its batches, or the prescription") },
  errors: [404],
});

export const receive = defineRoute({
  method: "post",
  path: "/stock/receipts",
  tags,
  access: "stock:write",
  summary: "Receive goods into stock",
  description: "Each line goes into its batch (made when new; a known batch with another " +
    "expiry date answers 422) as one `receive` movement of the ledger.",
  request: { body: jsonBody(ReceiptInput) },
  responses: { 201: json(ReceiptResult, "The movements written") },
});

export const stock = defineRoute({
  method: "get",
  path: "/stock",
  tags,
  access: "stock:read",
  summary: "Stock on hand by batch",
  request: { query: StockQuery },
  responses: { 200: json(StockList, "Batches with stock, first to expire first") },
});

export const movements = defineRoute({
  method: "get",
  path: "/stock/movements",
  tags,
  access: "stock:read",
  summary: "The ledger's movements",
  description: "Append-only: each with the quantity before and after, its type, actor, reason " +
    "and the document it came from.",
  request: { query: MovementQuery },
  responses: { 200: json(MovementPage, "A page of movements, oldest first") },
});

export const dispense = defineRoute({
  method: "post",
  path: "/dispensations",
  tags,
  access: "dispense:write",
  summary: "Dispense, against a prescription or over the counter",
  description: "Batches are taken first-expiry-first-out, preferring those that last the " +
    "course; an expired batch never. Stock is checked in the write transaction: short stock " +
    "answers 409 with what is available. Against a prescription, each item must be on it by " +
    "generic name (409 otherwise) and not exceed what remains (409), and the prescription " +
    "becomes partially dispensed or dispensed. A prescription-only medicine without a " +
    "prescription answers 409. An `override` with a reason (pharmacy:override, else 403) " +
    "allows both.",
  request: { body: jsonBody(DispenseInput) },
  responses: { 201: json(Dispensation, "What was handed over, from which batches, at what price") },
});

export const adjust = defineRoute({
  method: "post",
  path: "/stock/adjustments",
  tags,
  access: "stock:write",
  summary: "Adjust stock, or write off damaged or expired units",
  description: "One movement of the ledger with its reason: `adjust` (signed), `damage` and " +
    "`expire` (the units taken away). Stock never goes below zero (409). Write-offs are what " +
    "the theft-and-loss rules watch.",
  request: { body: jsonBody(AdjustmentInput) },
  responses: { 201: json(Movement, "The movement") },
});

export const returns = defineRoute({
  method: "post",
  path: "/dispensations/{id}/returns",
  tags,
  access: "dispense:write",
  summary: "Take medicines back into stock",
  description: "To the batches they were dispensed from, within PHARMACY_RETURN_DAYS (14 by " +
    "default) of dispensing, with a reason; never more than was dispensed from a batch less " +
    "what came back already (409).",
  request: { params: IdParam, body: jsonBody(ReturnInput) },
  responses: { 201: json(MovementList, "The return movements") },
});

export const readDispensation = defineRoute({
  method: "get",
  path: "/dispensations/{id}",
  tags,
  access: "stock:read",
  summary: "Read a dispensation",
  request: { params: IdParam },
  responses: { 200: json(Dispensation, "What was handed over, from which batches") },
});

const reportResponses = {
  200: {
    description: "The report",
    content: {
      "application/json": { schema: Report },
      "text/csv": { schema: { type: "string" } as never },
      [XLSX_TYPE]: {
        schema: { type: "string", format: "binary" } as never,
      },
    },
  },
};

export const valuationReport = defineRoute({
  method: "get",
  path: "/stock/reports/valuation",
  tags,
  access: "stock:read",
  summary: "Stock on hand and its value",
  description: "Per medication: units on hand and their value at batch cost (minor units). " +
    "`format=csv|xlsx` downloads the rows as a file.",
  request: { query: ReportQuery },
  responses: reportResponses,
});

export const consumptionReport = defineRoute({
  method: "get",
  path: "/stock/reports/consumption",
  tags,
  access: "stock:read",
  summary: "Consumption by medication",
  description: "Per medication: units dispensed, returned, and consumed (the difference) over " +
    "clinic-local days `from`-`to` (default the last 30). `format=csv|xlsx` downloads a file.",
  request: { query: ReportQuery },
  responses: reportResponses,
});

export const movementReport = defineRoute({
  method: "get",
  path: "/stock/reports/movements",
  tags,
  access: "stock:read",
  summary: "Movements by medication and type over a period",
  description: "Per medication and movement type: how many movements, units in and out, the " +
    "net quantity and its value at batch cost (minor units), over clinic-local days " +
    "`from`-`to` (default the last 30); `type` and `storeId` narrow it. `format=csv|xlsx` " +
    "downloads a file.",
  request: { query: MovementReportQuery },
  responses: reportResponses,
});

export const expiryLossReport = defineRoute({
  method: "get",
  path: "/stock/reports/expiry-losses",
  tags,
  access: "stock:read",
  summary: "Expiry and damage losses by medication",
  description: "Per medication over clinic-local days `from`-`to` (default the last 30): " +
    "units written off as expired and as damaged, and units of batches that expired in the " +
    "period with stock still on hand; each valued at batch cost (minor units). " +
    "`format=csv|xlsx` downloads a file.",
  request: { query: ReportQuery },
  responses: reportResponses,
});
