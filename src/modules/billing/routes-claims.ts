/** Insurance claims: gathered from issued invoices, submitted, decided, paid, exported. */
import { IdParam, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  Claim,
  ClaimInput,
  ClaimList,
  ClaimQuery,
  DecideInput,
  ExportQuery,
  PayClaimInput,
} from "./schemas-claims.ts";

const tags = ["Billing"];
const STATES = "draft → submitted → approved | partially_approved | rejected → paid; any " +
  "other move answers 409.";

export const createClaim = defineRoute({
  method: "post",
  path: "/claims",
  tags,
  access: "claims:write",
  summary: "Gather a claim for one insurer",
  description: "By period (invoices issued from `periodFrom` to `periodTo`) or by encounter: " +
    "the insurer's share of every line of issued invoices split by `provider` not claimed " +
    "before. Nothing to claim answers 422. Numbered CLM-YYYY-NNNNN. " + STATES,
  request: { body: jsonBody(ClaimInput) },
  responses: { 201: json(Claim, "The draft claim and its lines") },
});

export const listClaims = defineRoute({
  method: "get",
  path: "/claims",
  tags,
  access: "claims:read",
  summary: "Claims, newest first (without their lines)",
  request: { query: ClaimQuery },
  responses: { 200: json(ClaimList, "Claims") },
});

export const readClaim = defineRoute({
  method: "get",
  path: "/claims/{id}",
  tags,
  access: "claims:read",
  summary: "Read a claim with its lines",
  request: { params: IdParam },
  responses: { 200: json(Claim, "The claim") },
});

export const submitClaim = defineRoute({
  method: "post",
  path: "/claims/{id}/submit",
  tags,
  access: "claims:write",
  summary: "Mark a draft claim as sent to the insurer",
  description: STATES,
  request: { params: IdParam },
  responses: { 200: json(Claim, "The claim") },
});

export const decideClaim = defineRoute({
  method: "post",
  path: "/claims/{id}/decide",
  tags,
  access: "claims:write",
  summary: "Record the insurer's decision",
  description: "Approved per line or as a total (shared over the lines in order). What is not " +
    "approved becomes the patient's to pay: each invoice's `covered` drops by it. " + STATES,
  request: { params: IdParam, body: jsonBody(DecideInput) },
  responses: { 200: json(Claim, "The claim as decided") },
});

export const payClaim = defineRoute({
  method: "post",
  path: "/claims/{id}/pay",
  tags,
  access: "claims:write",
  summary: "Record the insurer's payment",
  description: "Writes insurance payments onto the claim's invoices for the approved amounts " +
    "(up to `amount`, at most the approved total: 422); beyond an invoice's balance it becomes " +
    "the patient's credit. " + STATES,
  request: { params: IdParam, body: jsonBody(PayClaimInput) },
  responses: { 200: json(Claim, "The claim, paid") },
});

export const exportClaim = defineRoute({
  method: "get",
  path: "/claims/{id}/export",
  tags,
  access: "claims:read",
  summary: "The claim's lines as CSV or XLSX for the insurer",
  request: { params: IdParam, query: ExportQuery },
  responses: {
    200: {
      description: "One row per claimed line",
      content: {
        "text/csv": { schema: { type: "string" } as never },
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
          schema: { type: "string", format: "binary" } as never,
        },
      },
    },
  },
});
