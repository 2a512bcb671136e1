import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/openapi.ts";
import { RULE_NAMES, THRESHOLDS } from "./findings/settings.ts";

const Rule = z.enum(RULE_NAMES as [string, ...string[]]).openapi({ example: "large_write_off" });
const Status = z.enum(["open", "under_review", "confirmed", "dismissed"]);
const Instant = z.string().datetime({ offset: true });

export const FindingQuery = z.object({
  ...PageQuery,
  status: Status.optional().openapi({ param: { name: "status", in: "query" } }),
  rule: Rule.optional().openapi({ param: { name: "rule", in: "query" } }),
  userId: z.string().uuid().optional().openapi({
    param: { name: "userId", in: "query" },
    description: "The user a finding concerns",
  }),
});

const Evidence = z.object({
  movementId: z.string(),
  at: z.string(),
  actorId: z.string().nullable(),
  type: z.string(),
  quantity: z.number().int(),
  medicationId: z.string(),
  storeId: z.string(),
}).openapi("FindingEvidence");

export const Finding = z.object({
  id: z.string(),
  rule: Rule,
  key: z.string(),
  status: Status,
  explanation: z.string().openapi({
    example: "Jane Wanjiru (EMP004) wrote off 240 tablet of Panadol 500 mg worth KES 19.20 at " +
      "Main store on Tuesday 2026-03-03 21:40, above the threshold of 100 tablet.",
  }),
  values: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).openapi({
    description: "The figures compared: `measured` and `threshold`, and what the rule adds",
    example: { measured: 240, threshold: 100, measure: "units" },
  }),
  evidence: z.array(Evidence),
  subjectUserId: z.string().nullable(),
  medicationId: z.string().nullable(),
  storeId: z.string().nullable(),
  detectedAt: z.string(),
  reviewNote: z.string().nullable(),
  reviewedBy: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("Finding");

export const FindingPage = z.object({ data: z.array(Finding), nextCursor: z.string().nullable() })
  .openapi("FindingPage");

export const ReviewInput = z.object({
  status: z.enum(["under_review", "confirmed", "dismissed"]),
  note: z.string().trim().min(1).max(2000).optional().openapi({
    description: "Required to confirm or dismiss",
  }),
}).openapi("FindingReviewInput", {
  example: { status: "under_review", note: "Asked the pharmacist for the damage report" },
});

export const ScanInput = z.object({
  from: Instant.optional().openapi({ description: "Default: the first movement" }),
  to: Instant.optional().openapi({ description: "Default: now" }),
}).openapi("FindingScanInput", { example: {} });

const PerRule = z.record(z.string(), z.number().int());

export const ScanResult = z.object({
  from: z.string(),
  to: z.string(),
  matched: PerRule.openapi({ description: "Findings the rules answer, raised before or now" }),
  raised: PerRule.openapi({ description: "Findings raised by this scan (new)" }),
  tookMs: z.number().int(),
  tookMsByRule: z.record(z.string(), z.number().int()).openapi({
    description: "Each rule's share of the time, to see which is slow",
  }),
}).openapi("FindingScanResult");

export const RuleSetting = z.object({
  rule: Rule,
  enabled: z.boolean(),
  thresholds: z.record(z.string(), z.number()),
  defaults: z.record(z.string(), z.number()),
  version: z.number().int().openapi({ description: "0 while the defaults apply" }),
}).openapi("FindingRuleSetting");

export const RuleSettingList = z.object({
  data: z.array(RuleSetting),
  version: z.number().int().openapi({ description: "The list's version (its ETag)" }),
}).openapi("FindingRuleSettingList");

const settingOf = <T extends z.ZodObject>(thresholds: T) =>
  z.object({
    enabled: z.boolean().optional(),
    thresholds: thresholds.optional(),
  }).strict().optional();

export const RulesInput = z.object({
  rules: z.object({
    dispensed_without_prescription: settingOf(THRESHOLDS.dispensed_without_prescription),
    dispensed_more_than_prescribed: settingOf(THRESHOLDS.dispensed_more_than_prescribed),
    large_write_off: settingOf(THRESHOLDS.large_write_off),
    after_hours: settingOf(THRESHOLDS.after_hours),
    count_variance: settingOf(THRESHOLDS.count_variance),
    peer_volume: settingOf(THRESHOLDS.peer_volume),
    repeated_returns: settingOf(THRESHOLDS.repeated_returns),
    negative_stock: settingOf(THRESHOLDS.negative_stock),
  }).strict(),
}).openapi("FindingRulesInput", {
  example: {
    rules: {
      large_write_off: { thresholds: { units: 200 } },
      after_hours: { enabled: true, thresholds: { graceMinutes: 30 } },
    },
  },
});
