/**
 * Running the rules: right after a write (the movements it made, in its transaction), on demand
 * over a time range (a scan), and when a synced movement takes a batch below zero. A finding's id
 * is derived from (organisation, rule, key), and a finding is only inserted when absent: scanning
 * twice, or two clinics detecting the same synced movements, gives one row, and a reviewed
 * finding is never overwritten.
 */
import { createHash } from "node:crypto";
import type { Db } from "../../../../db/client.ts";
import { stockFindings } from "../../../../db/schema/mod.ts";
import { insertTracked, stamp } from "../../../../db/tenant.ts";
import type { Actor, Deps } from "../../../lib/context.ts";
import { localParts } from "../../../lib/time.ts";
import { orgSettings } from "../../organizations/mod.ts";
import { explain, namesFor } from "./explain.ts";
import { periodOf, weekOf } from "./local-time.ts";
import { hoursTable } from "./hours.ts";
import * as rules from "./rules.ts";
import { type RuleName, type RuleSettings, settingsOf } from "./settings.ts";
import { all, type Candidate, evidenceByIds, type Scope } from "./sql.ts";

/** A UUID-shaped id (version 8: "custom") from SHA-256 of the organisation, rule and key. */
export function findingId(orgId: string, rule: string, key: string): string {
  const h = createHash("sha256").update(`${orgId}\n${rule}\n${key}`).digest();
  h[6] = (h[6] & 0x0f) | 0x80;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * Inserts the candidates not yet raised (by id), each with its sentence, and audits each when
 * there is a request to attribute it to. Answers those it raised.
 */
export async function raise(
  tx: Db,
  orgId: string,
  timezone: string,
  candidates: Candidate[],
  ctx: { at: string; deps?: Deps; actor?: Actor },
): Promise<Candidate[]> {
  const byId = new Map(candidates.map((c) => [findingId(orgId, c.rule, c.key), c]));
  if (!byId.size) return [];
  const existing = new Set(
    (await all(
      tx,
      `SELECT id FROM stock_findings WHERE id IN (SELECT value FROM json_each(?))`,
      [JSON.stringify([...byId.keys()])],
    )).map((r) => r[0]),
  );
  const fresh = [...byId].filter(([id]) => !existing.has(id));
  if (!fresh.length) return [];
  const names = await namesFor(tx, orgId, timezone, fresh.map(([, c]) => c));
  for (const [id, c] of fresh) {
    // Raised by the rules, not by whoever's write set them off: no author on the row.
    await insertTracked(tx, stockFindings, {
      ...stamp(orgId, null, ctx.at, id),
      rule: c.rule,
      key: c.key,
      status: "open",
      explanation: explain(c, names),
      values: c.values,
      evidence: c.evidence as unknown as Record<string, unknown>[],
      subjectUserId: c.subjectUserId,
      medicationId: c.medicationId,
      storeId: c.storeId,
      detectedAt: ctx.at,
    });
    if (ctx.deps && ctx.actor) {
      await ctx.deps.audit.record(tx, ctx.actor, {
        action: "stock-finding.raise",
        entityType: "stock-finding",
        entityId: id,
      });
    }
  }
  return fresh.map(([, c]) => c);
}

/** What a write's movements are, as detection needs them. */
export interface MovedRow {
  id: string;
  storeId: string;
  type: string;
  quantity: number;
  actorId: string | null;
  medicationId: string;
  at: string;
}

const DAY = 86_400_000;
const WATCHED_HOURS = new Set<string>(rules.AFTER_HOURS_MOVEMENTS);

/**
 * Whether any of a write's movements may fall outside its store's hours. Almost every write is
 * well inside them, and this answers that from the hours alone; only a movement within a minute
 * of an edge, or outside, goes to the rule's SQL, which decides exactly as a scan does.
 */
async function someMaybeAfterHours(
  tx: Db,
  orgId: string,
  timezone: string,
  movements: MovedRow[],
  t: RuleSettings["thresholds"],
) {
  const watched = movements.filter((m) => WATCHED_HOURS.has(m.type));
  if (!watched.length) return false;
  const hours = await hoursTable(tx, orgId, t.after_hours.graceMinutes);
  return watched.some((m) => {
    const local = localParts(m.at, timezone);
    const minute = Number(local.time.slice(0, 2)) * 60 + Number(local.time.slice(3, 5));
    const wd = local.weekday % 7;
    return !hours.rows.some(([store, day, from, to]) =>
      store === m.storeId && day === wd && minute >= from && minute + 1 < to
    );
  });
}
const isWriteOff = (m: MovedRow) =>
  m.quantity < 0 && ["adjust", "damage", "expire"].includes(m.type);

/**
 * The rules a write's movements may break, run in the write's own transaction: the per-movement
 * rules on exactly those movements (looked up by id), and the windowed ones for the users and
 * medications concerned over the week or period the movements fall in (indexed ranges).
 */
export async function detectForMovements(
  deps: Deps,
  tx: Db,
  actor: Actor,
  movements: MovedRow[],
): Promise<Candidate[]> {
  if (!movements.length) return [];
  const orgId = actor.orgId;
  const settings = await settingsOf(tx, orgId);
  const { timezone } = await orgSettings(tx, orgId);
  const t = settings.thresholds;
  const on = (r: RuleName) => settings.enabled[r];
  const times = movements.map((m) => Date.parse(m.at));
  const s: Scope = {
    orgId,
    timezone,
    from: new Date(Math.min(...times) - DAY).toISOString(),
    to: new Date(Math.max(...times) + DAY).toISOString(),
    movementIds: movements.map((m) => m.id),
  };
  const types = new Set(movements.map((m) => m.type));
  const found: Candidate[] = [];
  if (types.has("dispense")) {
    if (on("dispensed_without_prescription")) {
      found.push(...await rules.dispensedWithoutPrescription(tx, s));
    }
    if (on("dispensed_more_than_prescribed")) {
      found.push(
        ...await rules.dispensedMoreThanPrescribed(tx, s, t.dispensed_more_than_prescribed),
      );
    }
  }
  const writeOffs = movements.filter(isWriteOff);
  if (writeOffs.length && on("large_write_off")) {
    found.push(...await rules.largeWriteOff(tx, s, t.large_write_off));
    const weeks = new Map(
      writeOffs.filter((m) => m.actorId).map((m) => {
        const w = weekOf(m.at, timezone);
        return [`${m.actorId}:${w.monday}`, { actorId: m.actorId!, ...w }];
      }),
    );
    for (const w of weeks.values()) {
      const scope = { orgId, timezone, from: w.from, to: w.to, actorIds: [w.actorId] };
      found.push(...await rules.weeklyWriteOffs(tx, scope, t.large_write_off));
    }
  }
  if (on("after_hours") && await someMaybeAfterHours(tx, orgId, timezone, movements, t)) {
    found.push(...await rules.afterHours(tx, s, t.after_hours));
  }
  if (types.has("count_variance") && on("count_variance")) {
    found.push(...await rules.countVariance(tx, s, t.count_variance));
  }
  if (types.has("dispense") && on("peer_volume")) {
    const days = t.peer_volume.windowDays;
    // The period before this movement's has just closed when this is the medicine's first
    // dispensing of the new period: judged then, once (a scan judges any period again).
    const groups = new Map(
      movements.filter((m) => m.type === "dispense").map((m) => {
        const current = periodOf(Date.parse(m.at), days);
        const p = periodOf(Date.parse(current.from) - 1, days);
        return [`${m.medicationId}:${p.index}`, {
          medicationId: m.medicationId,
          since: current.from,
          at: m.at,
          ...p,
        }];
      }),
    );
    const now = deps.clock.now().toISOString();
    for (const g of groups.values()) {
      const earlier = await all(
        tx,
        `SELECT 1 FROM stock_movements WHERE org_id = ? AND medication_id = ? AND at >= ?
         AND at <= ? AND type = 'dispense' AND id NOT IN (SELECT value FROM json_each(?)) LIMIT 1`,
        [orgId, g.medicationId, g.since, g.at, JSON.stringify(s.movementIds)],
      );
      if (earlier.length) continue;
      const scope = { orgId, timezone, from: g.from, to: g.to, medicationIds: [g.medicationId] };
      found.push(...await rules.peerVolume(tx, scope, t.peer_volume, now));
    }
  }
  if (types.has("return") && on("repeated_returns")) {
    const days = t.repeated_returns.windowDays;
    const groups = new Map(
      movements.filter((m) => m.type === "return" && m.actorId).map((m) => {
        const p = periodOf(Date.parse(m.at), days);
        return [`${m.actorId}:${p.index}`, { actorId: m.actorId!, ...p }];
      }),
    );
    for (const g of groups.values()) {
      const scope = { orgId, timezone, from: g.from, to: g.to, actorIds: [g.actorId] };
      found.push(...await rules.repeatedReturns(tx, scope, t.repeated_returns));
    }
  }
  return await raise(tx, orgId, timezone, found, {
    at: deps.clock.now().toISOString(),
    deps,
    actor,
  });
}

/** Every enabled rule over [from, to); windowed rules over whole weeks and periods around it. */
export async function candidatesIn(
  db: Db,
  orgId: string,
  timezone: string,
  settings: RuleSettings,
  from: string,
  to: string,
  now: string,
  /** Filled with each rule's time in ms: what a scan reports, so a slow rule shows. */
  tookMs: Partial<Record<RuleName, number>> = {},
): Promise<Candidate[]> {
  const t = settings.thresholds;
  const on = (r: RuleName) => settings.enabled[r];
  const s: Scope = { orgId, timezone, from, to };
  const last = Date.parse(to) - 1;
  const out: Candidate[] = [];
  const timed = async (rule: RuleName, run: () => Promise<Candidate[]>) => {
    const started = performance.now();
    out.push(...await run());
    tookMs[rule] = (tookMs[rule] ?? 0) + Math.round(performance.now() - started);
  };
  if (on("dispensed_without_prescription")) {
    await timed("dispensed_without_prescription", () => rules.dispensedWithoutPrescription(db, s));
  }
  if (on("dispensed_more_than_prescribed")) {
    await timed(
      "dispensed_more_than_prescribed",
      () => rules.dispensedMoreThanPrescribed(db, s, t.dispensed_more_than_prescribed),
    );
  }
  if (on("large_write_off")) {
    await timed("large_write_off", () => rules.largeWriteOff(db, s, t.large_write_off));
    const weeks = {
      from: weekOf(from, timezone).from,
      to: weekOf(new Date(last).toISOString(), timezone).to,
    };
    await timed(
      "large_write_off",
      () => rules.weeklyWriteOffs(db, { ...s, ...weeks }, t.large_write_off),
    );
  }
  if (on("after_hours")) await timed("after_hours", () => rules.afterHours(db, s, t.after_hours));
  if (on("count_variance")) {
    await timed("count_variance", () => rules.countVariance(db, s, t.count_variance));
  }
  const periods = (days: number) => ({
    from: periodOf(Date.parse(from), days).from,
    to: periodOf(last, days).to,
  });
  if (on("peer_volume")) {
    await timed(
      "peer_volume",
      () =>
        rules.peerVolume(db, { ...s, ...periods(t.peer_volume.windowDays) }, t.peer_volume, now),
    );
  }
  if (on("repeated_returns")) {
    const p = periods(t.repeated_returns.windowDays);
    await timed(
      "repeated_returns",
      () => rules.repeatedReturns(db, { ...s, ...p }, t.repeated_returns),
    );
  }
  return out;
}

/**
 * A movement from another clinic took its batch to `after` (below zero): the ledger raises a
 * finding beside the sync conflict, made by nobody here (no audit actor; the change log says
 * where the movement came from).
 */
export async function raiseNegativeStock(
  tx: Db,
  m: Record<string, unknown> & { id: string; orgId: string; batchId: string },
  after: number,
) {
  const settings = await settingsOf(tx, m.orgId);
  if (!settings.enabled.negative_stock) return;
  const { timezone } = await orgSettings(tx, m.orgId);
  const [batch] = await all(tx, `SELECT batch_number FROM stock_batches WHERE id = ?`, [m.batchId]);
  const evidence = await evidenceByIds(tx, [m.id]);
  const c: Candidate = {
    rule: "negative_stock",
    key: `${m.batchId}:${m.id}`,
    subjectUserId: (m.actorId as string | null) ?? null,
    medicationId: (m.medicationId as string) ?? null,
    storeId: (m.storeId as string) ?? null,
    values: { measured: after, threshold: 0 },
    evidence: evidence.length ? evidence : [{
      movementId: m.id,
      at: String(m.at),
      actorId: (m.actorId as string | null) ?? null,
      type: String(m.type),
      quantity: Number(m.quantity),
      medicationId: String(m.medicationId),
      storeId: String(m.storeId),
    }],
    facts: { batchNumber: batch?.[0] ?? m.batchId },
  };
  await raise(tx, m.orgId, timezone, [c], { at: String(m.at ?? new Date().toISOString()) });
}
