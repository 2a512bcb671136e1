/**
 * Findings as the admin sees them: listed and read, reviewed open → under review → confirmed or
 * dismissed (a note to close one), scanned for on demand, and the rules' settings.
 */
import type { z } from "@hono/zod-openapi";
import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { findingRuleSettings, stockFindings } from "../../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../../db/tenant.ts";
import type { Actor, Deps } from "../../../lib/context.ts";
import { conflict, notFound, preconditionFailed, unprocessable } from "../../../lib/errors.ts";
import { decodeCursor, pageOf } from "../../../lib/pagination.ts";
import { auditedUpdate } from "../../../lib/writes.ts";
import { orgSettings } from "../../organizations/mod.ts";
import type { ReviewInput, RulesInput, ScanInput } from "../schemas-findings.ts";
import { candidatesIn, findingId, raise } from "./detect.ts";
import { DEFAULTS, RULE_NAMES, type RuleName, settingsOf } from "./settings.ts";
import { all } from "./sql.ts";

type Row = typeof stockFindings.$inferSelect;
type Status = "open" | "under_review" | "confirmed" | "dismissed";

export const toFinding = (f: Row) => ({
  id: f.id,
  rule: f.rule,
  key: f.key,
  status: f.status as Status,
  explanation: f.explanation,
  values: f.values as Record<string, number | string | null>,
  evidence: f.evidence as {
    movementId: string;
    at: string;
    actorId: string | null;
    type: string;
    quantity: number;
    medicationId: string;
    storeId: string;
  }[],
  subjectUserId: f.subjectUserId,
  medicationId: f.medicationId,
  storeId: f.storeId,
  detectedAt: f.detectedAt,
  reviewNote: f.reviewNote,
  reviewedBy: f.reviewedBy,
  reviewedAt: f.reviewedAt,
  version: f.version,
  createdAt: f.createdAt,
  updatedAt: f.updatedAt,
});

export async function listFindings(
  deps: Deps,
  a: Actor,
  q: { limit: number; cursor?: string; status?: string; rule?: string; userId?: string },
) {
  const where: (SQL | undefined)[] = [eq(stockFindings.orgId, a.orgId)];
  if (q.status) where.push(eq(stockFindings.status, q.status));
  if (q.rule) where.push(eq(stockFindings.rule, q.rule));
  if (q.userId) where.push(eq(stockFindings.subjectUserId, q.userId));
  const cursor = decodeCursor(q.cursor);
  if (cursor) {
    const v = String(cursor.v);
    where.push(or(
      lt(stockFindings.detectedAt, v),
      and(eq(stockFindings.detectedAt, v), lt(stockFindings.id, cursor.id)),
    ));
  }
  // Newest first: the admin's queue starts with what the rules found last.
  const rows = await deps.db.db.select().from(stockFindings).where(and(...where))
    .orderBy(desc(stockFindings.detectedAt), desc(stockFindings.id)).limit(q.limit + 1);
  return pageOf(rows.map(toFinding), q.limit, (f) => f.detectedAt);
}

export async function readFinding(deps: Deps, a: Actor, id: string) {
  const row = await findInTenant(deps.db.db, stockFindings, a.orgId, id);
  if (!row) throw notFound("Finding");
  return toFinding(row);
}

const NEXT: Record<Status, Status[]> = {
  open: ["under_review"],
  under_review: ["confirmed", "dismissed"],
  confirmed: [],
  dismissed: [],
};

export async function reviewFinding(
  deps: Deps,
  a: Actor,
  id: string,
  input: z.infer<typeof ReviewInput>,
  expectedVersion: number | undefined,
) {
  if (input.status !== "under_review" && !input.note) {
    throw unprocessable("A finding is confirmed or dismissed with a note saying why.", [
      { path: "note", in: "body", message: `is required to set ${input.status}` },
    ]);
  }
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const row = await auditedUpdate(deps, tx, a, {
      table: stockFindings,
      label: "Finding",
      id,
      expectedVersion,
      check: (before) => {
        const allowed = NEXT[before.status as Status] ?? [];
        if (!allowed.includes(input.status)) {
          throw conflict(
            `A finding that is ${before.status.replace("_", " ")} cannot become ` +
              `${input.status.replace("_", " ")}` +
              (allowed.length ? ` (only ${allowed.join(" or ")}).` : "."),
            { state: before.status, allowed },
          );
        }
      },
      set: (before) =>
        Promise.resolve({
          status: input.status,
          reviewNote: input.note ?? before.reviewNote,
          reviewedBy: a.userId,
          reviewedAt: at,
        }),
      action: "stock-finding.review",
      entityType: "stock-finding",
      fields: ["status", "reviewNote"],
    });
    return toFinding(row);
  });
}

/**
 * Every enabled rule over [from, to): the rules read on the reader connection (a long scan
 * holds no write lock), then what is new is raised in one short write transaction.
 */
export async function scan(deps: Deps, a: Actor, input: z.infer<typeof ScanInput>) {
  const started = performance.now();
  const db = deps.db.db;
  const now = deps.clock.now().toISOString();
  const to = input.to ? new Date(input.to).toISOString() : now;
  let from = input.from ? new Date(input.from).toISOString() : undefined;
  if (!from) {
    const [first] = await all(db, `SELECT min(at) FROM stock_movements WHERE org_id = ?`, [
      a.orgId,
    ]);
    from = (first?.[0] as string | null) ?? to;
  }
  if (from > to) {
    throw unprocessable("The scan ends before it starts.", [
      { path: "from", in: "body", message: "must not be after `to`" },
    ]);
  }
  const settings = await settingsOf(db, a.orgId);
  const { timezone } = await orgSettings(db, a.orgId);
  // `to` is inclusive for the caller: a movement at exactly `to` is scanned.
  const end = new Date(Date.parse(to) + 1).toISOString();
  const byRule: Record<string, number> = {};
  const found = await candidatesIn(db, a.orgId, timezone, settings, from, end, now, byRule);
  const raised = await deps.db.transaction(async (tx) => {
    const r = await raise(tx, a.orgId, timezone, found, { at: now, deps, actor: a });
    await deps.audit.record(tx, a, { action: "stock-finding.scan", entityType: "stock-finding" });
    return r;
  }, { alone: true }); // a scan raises many findings at once: bulk work
  const count = (list: { rule: string }[]) =>
    Object.fromEntries(
      RULE_NAMES.map((r) => [r, list.filter((c) => c.rule === r).length] as const),
    );
  return {
    from,
    to,
    matched: count(found),
    raised: count(raised),
    tookMs: Math.round(performance.now() - started),
    tookMsByRule: byRule,
  };
}

/**
 * Every rule's settings. Their version is the sum of the rules' row versions: it grows with every
 * change of any rule, so the whole list has one ETag for If-Match.
 */
export async function ruleSettings(deps: Deps, a: Actor, db = deps.db.db) {
  const s = await settingsOf(db, a.orgId);
  return {
    data: RULE_NAMES.map((rule) => ({
      rule,
      enabled: s.enabled[rule],
      thresholds: s.thresholds[rule] as Record<string, number>,
      defaults: DEFAULTS[rule] as Record<string, number>,
      version: s.versions[rule],
    })),
    version: RULE_NAMES.reduce((sum, r) => sum + s.versions[r], 0),
  };
}

/**
 * Changes some rules' settings. A rule's row has an id derived from the organisation and rule,
 * so two clinics setting it apart edit one row when they meet, not two that clash.
 */
export async function updateRuleSettings(
  deps: Deps,
  a: Actor,
  input: z.infer<typeof RulesInput>,
  expectedVersion: number | undefined,
) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    if (expectedVersion !== undefined) {
      const current = (await ruleSettings(deps, a, tx)).version;
      if (current !== expectedVersion) throw preconditionFailed(current);
    }
    for (const [name, change] of Object.entries(input.rules)) {
      if (!change) continue;
      const rule = name as RuleName;
      const id = findingId(a.orgId, "settings", rule);
      const row = await findInTenant(tx, findingRuleSettings, a.orgId, id);
      const given = change.thresholds as Record<string, number> | undefined;
      if (row) {
        await auditedUpdate(deps, tx, a, {
          table: findingRuleSettings,
          label: "Rule setting",
          id,
          expectedVersion: undefined,
          set: {
            enabled: change.enabled ?? row.enabled,
            thresholds: { ...row.thresholds, ...given },
          },
          action: "finding-rule.update",
          entityType: "finding-rule",
          fields: ["enabled", "thresholds"],
        });
      } else {
        await insertTracked(tx, findingRuleSettings, {
          ...stamp(a.orgId, a.userId, at, id),
          rule,
          enabled: change.enabled ?? true,
          thresholds: { ...given },
        });
        await deps.audit.record(tx, a, {
          action: "finding-rule.create",
          entityType: "finding-rule",
          entityId: id,
        });
      }
    }
    return await ruleSettings(deps, a, tx);
  });
}
