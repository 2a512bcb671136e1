/** Stock counts of a store: open, count, submit, approve, post or cancel. */
import { IdParam, json, jsonBody, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  ApproveInput,
  CountInput,
  CountLinesInput,
  CountQuery,
  StockCount,
  StockCountSummary,
  SubmitInput,
} from "./schemas-counts.ts";

const tags = ["Pharmacy and stock"];
const STATES = "States: open → submitted → posted; open or submitted → cancelled. An illegal " +
  "move answers 409. A line's variance is fixed when it is counted: counted − (frozen + " +
  "movements since the freeze up to that moment), so the pharmacy keeps working during a count " +
  "and a dispense after the freeze is never a variance.";

export const openCount = defineRoute({
  method: "post",
  path: "/stock/counts",
  tags,
  access: "stock:count",
  summary: "Open a stock count of a store",
  description: "Numbered CNT-YYYY-NNNN per organisation. Freezes the on-hand of every batch " +
    "of the store not at zero (or of the given medications'); a batch found that is not on " +
    "it is added when counted. One open or submitted count per store at a time (409). " +
    STATES,
  request: { body: jsonBody(CountInput) },
  responses: { 201: json(StockCount, "The open count with its frozen lines") },
});

export const listCounts = defineRoute({
  method: "get",
  path: "/stock/counts",
  tags,
  access: "stock:read",
  summary: "Stock counts, newest first",
  request: { query: CountQuery },
  responses: { 200: json(PageSchema(StockCountSummary, "StockCountPage"), "A page of counts") },
});

export const readCount = defineRoute({
  method: "get",
  path: "/stock/counts/{id}",
  tags,
  access: "stock:read",
  summary: "Read a stock count",
  description: "Each line with its frozen and counted quantities, the movements since the " +
    "freeze, what is expected now and the variance (and its value at batch cost).",
  request: { params: IdParam },
  responses: { 200: json(StockCount, "The count") },
});

export const countLines = defineRoute({
  method: "post",
  path: "/stock/counts/{id}/lines",
  tags,
  access: "stock:count",
  person: true,
  summary: "Record counted quantities",
  description: "Each item names a batch of the store by `batchId`, or by `batchNumber` with a " +
    "scanned `code` or a `medicationId` (422 when none matches). `quantity` is what was found " +
    "of that batch; counting it again replaces it. " + STATES,
  request: { params: IdParam, body: jsonBody(CountLinesInput) },
  responses: { 200: json(StockCount, "The count as it is now") },
});

export const submitCount = defineRoute({
  method: "post",
  path: "/stock/counts/{id}/submit",
  tags,
  access: "stock:count",
  person: true,
  summary: "Submit a count",
  description: "Batches nobody counted refuse the submit (422 listing them in `uncounted`) " +
    "unless `uncountedAsZero` takes them as found empty. " + STATES,
  request: { params: IdParam, body: jsonBody(SubmitInput) },
  responses: { 200: json(StockCount, "The submitted count") },
});

export const approveCount = defineRoute({
  method: "post",
  path: "/stock/counts/{id}/approve",
  tags,
  access: "stock:approve-variance",
  summary: "Approve a count's variances above the threshold",
  description: "Needed before posting when a variance is above the organisation's threshold: " +
    "`count_variance` in the finding rule settings (`units`, `value` at batch cost), else " +
    "PHARMACY_COUNT_VARIANCE_APPROVAL_UNITS (10). A count that needs none answers 409. " +
    STATES,
  request: { params: IdParam, body: jsonBody(ApproveInput) },
  responses: { 200: json(StockCount, "The approved count") },
});

export const postCount = defineRoute({
  method: "post",
  path: "/stock/counts/{id}/post",
  tags,
  access: "stock:count",
  summary: "Post a count's variances to the ledger",
  description: "One `count_variance` movement per non-zero variance, all in one transaction. " +
    "Unapproved variances above the threshold answer 409; so does a variance that would take a " +
    "batch below zero (units left it after it was counted: cancel and count again). " + STATES,
  request: { params: IdParam },
  responses: { 200: json(StockCount, "The posted count") },
});

export const cancelCount = defineRoute({
  method: "post",
  path: "/stock/counts/{id}/cancel",
  tags,
  access: "stock:count",
  summary: "Cancel a count before it is posted",
  description: STATES,
  request: { params: IdParam },
  responses: { 200: json(StockCount, "The cancelled count") },
});
