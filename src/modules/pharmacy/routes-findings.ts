/** Theft-and-loss findings: the rules over the ledger, their review and their thresholds. */
import { IdParam, IfMatchHeader, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  Finding,
  FindingPage,
  FindingQuery,
  ReviewInput,
  RuleSettingList,
  RulesInput,
  ScanInput,
  ScanResult,
} from "./schemas-findings.ts";

const tags = ["Pharmacy and stock"];
const RULES = "Rules: `dispensed_without_prescription` (a prescription-only medicine by " +
  "override), `dispensed_more_than_prescribed`, `large_write_off` (per adjustment/damage/expiry " +
  "and per user per clinic-local week), `after_hours` (outside the store's opening hours beyond " +
  "the grace minutes), `count_variance`, `peer_volume` (a user's dispensed volume of a medicine " +
  "over a period against the other dispensers': modified z-score from median and MAD), " +
  "`repeated_returns`, and `negative_stock` (a batch taken below zero by clinics apart, raised " +
  "when their movements meet). Each finding gives `values.measured` against " +
  "`values.threshold`, its evidence movements and a sentence.";

export const listFindings = defineRoute({
  method: "get",
  path: "/pharmacy/findings",
  tags,
  access: "findings:read",
  summary: "Theft-and-loss findings, newest first",
  description: RULES,
  request: { query: FindingQuery },
  responses: { 200: json(FindingPage, "A page of findings") },
});

export const readFinding = defineRoute({
  method: "get",
  path: "/pharmacy/findings/{id}",
  tags,
  access: "findings:read",
  summary: "Read a finding with its evidence",
  request: { params: IdParam },
  responses: { 200: json(Finding, "The finding") },
});

export const reviewFinding = defineRoute({
  method: "post",
  path: "/pharmacy/findings/{id}/review",
  tags,
  access: "findings:review",
  summary: "Review a finding",
  description: "open → under_review → confirmed or dismissed; confirming or dismissing needs a " +
    "`note` (422). Another move answers 409. Audited.",
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(ReviewInput) },
  responses: { 200: json(Finding, "The finding as it is now") },
});

export const scanFindings = defineRoute({
  method: "post",
  path: "/pharmacy/findings/scan",
  tags,
  access: "findings:review",
  summary: "Run every enabled rule over the ledger",
  description: "Over `from`-`to` (default: all movements up to now); weekly and windowed rules " +
    "over the whole weeks and periods around it. A finding already raised (the same rule and " +
    "subject) is never raised twice, so a scan may be repeated. The same rules also run after " +
    "each dispensation, adjustment and count. " + RULES,
  request: { body: jsonBody(ScanInput) },
  responses: { 200: json(ScanResult, "Findings matched and raised per rule") },
});

export const ruleSettings = defineRoute({
  method: "get",
  path: "/pharmacy/finding-rules",
  tags,
  access: "findings:read",
  summary: "Each rule's thresholds and whether it runs",
  description: "Defaults apply until the organisation sets its own. Money thresholds are minor " +
    "units at batch cost.",
  responses: { 200: json(RuleSettingList, "Every rule") },
});

export const updateRuleSettings = defineRoute({
  method: "put",
  path: "/pharmacy/finding-rules",
  tags,
  access: "findings:review",
  summary: "Set rules' thresholds or switch rules off",
  description: "Only the rules and thresholds sent change; each rule's thresholds are validated " +
    "for that rule (an unknown one answers 400). If-Match with the list's ETag makes the " +
    "change conditional (412 when another change came first).",
  request: { headers: IfMatchHeader, body: jsonBody(RulesInput) },
  responses: { 200: json(RuleSettingList, "Every rule, as it is now") },
});
