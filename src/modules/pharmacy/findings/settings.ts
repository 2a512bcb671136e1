/**
 * The rules' names and thresholds. Each organisation may switch a rule off or change its
 * thresholds (a row of finding_rule_settings); without a row the defaults here apply. Money
 * thresholds are minor units of the organisation's currency, at batch cost.
 */
import { z } from "@hono/zod-openapi";
import { and, eq, isNull, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type Db, prepared } from "../../../../db/client.ts";
import { findingRuleSettings } from "../../../../db/schema/mod.ts";

const count = (max: number) => z.number().int().min(0).max(max);

/** Each rule's thresholds: their shape (validated on PUT) and their defaults. */
export const THRESHOLDS = {
  dispensed_without_prescription: z.object({}).strict(),
  dispensed_more_than_prescribed: z.object({
    excessUnits: count(1_000_000).optional().openapi({
      description: "Units dispensed beyond the prescription that are tolerated",
    }),
  }).strict(),
  large_write_off: z.object({
    units: count(10_000_000).optional().openapi({ description: "Per movement, units" }),
    value: count(10_000_000_000).optional().openapi({ description: "Per movement, minor units" }),
    weeklyUnits: count(10_000_000).optional().openapi({ description: "Per user per week" }),
    weeklyValue: count(10_000_000_000).optional(),
  }).strict(),
  after_hours: z.object({
    graceMinutes: count(720).optional().openapi({
      description: "Minutes before opening or after closing still counted as open",
    }),
  }).strict(),
  count_variance: z.object({
    units: count(10_000_000).optional(),
    value: count(10_000_000_000).optional(),
  }).strict(),
  peer_volume: z.object({
    windowDays: z.number().int().min(1).max(365).optional(),
    zScore: z.number().min(1).max(100).optional().openapi({
      description: "Modified z-score (median and MAD of the peers) above which a user stands out",
    }),
    minPeers: z.number().int().min(2).max(1000).optional(),
    minQuantity: count(10_000_000).optional().openapi({
      description: "Below this volume nobody is flagged, however far from the peers",
    }),
    minRatio: z.number().min(1).max(1000).optional().openapi({
      description: "The user's volume must also be at least this multiple of the peers' median",
    }),
  }).strict(),
  repeated_returns: z.object({
    maxReturns: z.number().int().min(1).max(10_000).optional(),
    windowDays: z.number().int().min(1).max(365).optional(),
  }).strict(),
  negative_stock: z.object({}).strict(),
} as const;

export type RuleName = keyof typeof THRESHOLDS;
export const RULE_NAMES = Object.keys(THRESHOLDS) as RuleName[];

export const DEFAULTS: { [R in RuleName]: Required<z.infer<typeof THRESHOLDS[R]>> } = {
  dispensed_without_prescription: {},
  dispensed_more_than_prescribed: { excessUnits: 0 },
  large_write_off: { units: 100, value: 500_000, weeklyUnits: 300, weeklyValue: 1_500_000 },
  after_hours: { graceMinutes: 15 },
  count_variance: { units: 10, value: 100_000 },
  peer_volume: { windowDays: 30, zScore: 3.5, minPeers: 3, minQuantity: 50, minRatio: 2 },
  repeated_returns: { maxReturns: 3, windowDays: 7 },
  negative_stock: {},
};

export type Thresholds = typeof DEFAULTS;

export interface RuleSettings {
  enabled: Record<RuleName, boolean>;
  thresholds: Thresholds;
  versions: Record<RuleName, number>;
}

// Read by every stock movement's loss rules: built once.
const settingsRows = prepared<typeof findingRuleSettings.$inferSelect>(
  new QueryBuilder().select().from(findingRuleSettings).where(and(
    eq(findingRuleSettings.orgId, sql.placeholder("orgId")),
    isNull(findingRuleSettings.deletedAt),
  )),
);

/** The organisation's settings, defaults filled in. */
export async function settingsOf(db: Db, orgId: string): Promise<RuleSettings> {
  const rows = await settingsRows.all(db, { orgId });
  const out: RuleSettings = {
    enabled: Object.fromEntries(RULE_NAMES.map((r) => [r, true])) as Record<RuleName, boolean>,
    thresholds: structuredClone(DEFAULTS),
    versions: Object.fromEntries(RULE_NAMES.map((r) => [r, 0])) as Record<RuleName, number>,
  };
  for (const row of rows) {
    const rule = row.rule as RuleName;
    if (!(rule in DEFAULTS)) continue;
    out.enabled[rule] = row.enabled;
    out.versions[rule] = row.version;
    Object.assign(out.thresholds[rule], row.thresholds);
  }
  return out;
}
