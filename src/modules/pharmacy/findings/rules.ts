/**
 * The theft-and-loss rules, one function each. A rule reads the ledger (with dispensations and
 * prescriptions) in aggregate SQL over a scope of movements and answers the findings it would
 * raise; it writes nothing. Thresholds are "above": a finding needs measured > threshold.
 */
import type { Db } from "../../../../db/client.ts";
import { ALWAYS_OPEN_END, hoursTable } from "./hours.ts";
import { localParts } from "../../../lib/time.ts";
import { localMinutesSql, localSql, offsetSegments, periodOf, periodSql } from "./local-time.ts";
import type { Thresholds } from "./settings.ts";
import {
  all,
  type Candidate,
  EV,
  type Evidence,
  evidence,
  EVIDENCE_LIMIT,
  evidenceByIds,
  movementFilter,
  type Scope,
} from "./sql.ts";

const WRITE_OFF_TYPES = ["adjust", "damage", "expire"] as const;
const WRITE_OFF = `m.quantity < 0 AND m.type IN ('adjust', 'damage', 'expire')`;

const groupBy = <T>(items: T[], key: (t: T) => string) => {
  const out = new Map<string, T[]>();
  for (const i of items) out.set(key(i), [...(out.get(key(i)) ?? []), i]);
  return out;
};

const sum = (e: Evidence[]) => e.reduce((s, x) => s + x.quantity, 0);

/** 1. A prescription-only medicine handed over without a prescription (an override). */
export async function dispensedWithoutPrescription(db: Db, s: Scope): Promise<Candidate[]> {
  // Only prescription-only medicines can break it: their movements by the medication index.
  const rxOnly = (await all(
    db,
    `SELECT id FROM medications WHERE org_id = ? AND prescription_required = 1`,
    [s.orgId],
  )).map((r) => r[0] as string);
  if (!rxOnly.length) return [];
  const w = movementFilter(s.movementIds ? s : { ...s, medicationIds: rxOnly });
  const rows = await all(
    db,
    `SELECT ${EV}, m.document_id, d.override_reason FROM stock_movements m
     JOIN dispensations d ON d.id = m.document_id
     JOIN medications med ON med.id = m.medication_id
     WHERE ${w.sql} AND m.type = 'dispense' AND m.document_type = 'dispensation'
       AND d.prescription_id IS NULL AND med.prescription_required = 1
     ORDER BY m.at, m.id`,
    w.params,
  );
  const groups = groupBy(rows, (r) => `${r[7]}:${r[5]}`);
  return [...groups].map(([key, rs]) => {
    const ev = rs.map((r) => evidence(r));
    return {
      rule: "dispensed_without_prescription",
      key,
      subjectUserId: ev[0].actorId,
      medicationId: ev[0].medicationId,
      storeId: ev[0].storeId,
      values: { measured: -sum(ev), threshold: 0 },
      evidence: ev,
      facts: { dispensationId: rs[0][7], overrideReason: rs[0][8] },
    };
  });
}

/** 2. More dispensed against a prescription item than it prescribes (an override, or clinics apart). */
export async function dispensedMoreThanPrescribed(
  db: Db,
  s: Scope,
  t: Thresholds["dispensed_more_than_prescribed"],
): Promise<Candidate[]> {
  const rx = s.movementIds
    ? {
      sql: `SELECT DISTINCT d.prescription_id FROM stock_movements m
            JOIN dispensations d ON d.id = m.document_id
            WHERE m.id IN (SELECT value FROM json_each(?)) AND d.prescription_id IS NOT NULL`,
      params: [JSON.stringify(s.movementIds)],
    }
    : {
      sql: `SELECT DISTINCT prescription_id FROM dispensations WHERE org_id = ?
            AND prescription_id IS NOT NULL AND at >= ? AND at < ?`,
      params: [s.orgId, s.from, s.to],
    };
  const over = await all(
    db,
    `SELECT pi.id, pi.quantity, p.id, p.number, SUM(di.quantity) AS given
     FROM dispensations d
     JOIN dispensation_items di ON di.dispensation_id = d.id
     JOIN prescription_items pi ON pi.id = di.prescription_item_id
     JOIN prescriptions p ON p.id = pi.prescription_id
     WHERE d.org_id = ? AND d.prescription_id IN (${rx.sql})
     GROUP BY pi.id HAVING given > pi.quantity + ?`,
    [s.orgId, ...rx.params, t.excessUnits],
  );
  const out: Candidate[] = [];
  for (const [itemId, prescribed, rxId, rxNumber, given] of over) {
    const rows = await all(
      db,
      `SELECT ${EV}, di.quantity, d.override_reason FROM dispensations d
       JOIN dispensation_items di ON di.dispensation_id = d.id
       JOIN stock_movements m ON m.document_id = d.id AND m.batch_id = di.batch_id
         AND m.type = 'dispense'
       WHERE d.prescription_id = ? AND di.prescription_item_id = ? ORDER BY m.at, m.id`,
      [rxId, itemId],
    );
    // The one who went over it is who dispensed the movement that crossed the line.
    let running = 0;
    let crossing = rows[rows.length - 1];
    for (const r of rows) {
      running += Number(r[7]);
      if (running > Number(prescribed) + t.excessUnits) {
        crossing = r;
        break;
      }
    }
    const ev = rows.map((r) => evidence(r)).slice(-EVIDENCE_LIMIT);
    out.push({
      rule: "dispensed_more_than_prescribed",
      key: itemId,
      subjectUserId: crossing?.[2] ?? null,
      medicationId: crossing?.[5] ?? null,
      storeId: crossing?.[6] ?? null,
      values: {
        measured: Number(given),
        threshold: Number(prescribed) + t.excessUnits,
        prescribed: Number(prescribed),
        excessUnits: t.excessUnits,
      },
      evidence: ev,
      facts: {
        prescriptionNumber: rxNumber,
        overrideReason: crossing?.[8] ?? null,
        at: crossing?.[1],
      },
    });
  }
  return out;
}

/** 3a. One adjustment, damage or expiry write-off above the units or value threshold. */
export async function largeWriteOff(
  db: Db,
  s: Scope,
  t: Thresholds["large_write_off"],
): Promise<Candidate[]> {
  const w = movementFilter(s, "m", WRITE_OFF_TYPES);
  const rows = await all(
    db,
    `SELECT ${EV}, b.unit_cost, m.reason FROM stock_movements m
     CROSS JOIN stock_batches b ON b.id = m.batch_id
     WHERE ${w.sql} AND ${WRITE_OFF}
       AND (-m.quantity > ? OR -m.quantity * b.unit_cost > ?)`,
    [...w.params, t.units, t.value],
  );
  return rows.map((r) => {
    const units = -Number(r[4]);
    const value = units * Number(r[7]);
    const byUnits = units > t.units;
    return {
      rule: "large_write_off",
      key: `movement:${r[0]}`,
      subjectUserId: r[2],
      medicationId: r[5],
      storeId: r[6],
      values: {
        scope: "movement",
        measured: byUnits ? units : value,
        threshold: byUnits ? t.units : t.value,
        measure: byUnits ? "units" : "value",
        units,
        value,
        unitsThreshold: t.units,
        valueThreshold: t.value,
      },
      evidence: [evidence(r)],
      facts: { reason: r[8] },
    };
  });
}

/** 3b. One user's write-offs over a clinic-local week (Monday to Sunday) above the weekly threshold. */
export async function weeklyWriteOffs(
  db: Db,
  s: Scope,
  t: Thresholds["large_write_off"],
): Promise<Candidate[]> {
  const w = movementFilter(s, "m", WRITE_OFF_TYPES);
  const local = localSql("m.at", offsetSegments(s.timezone, Date.parse(s.from), Date.parse(s.to)));
  const rows = await all(
    db,
    `SELECT m.actor_id, date(${local.sql}, 'weekday 0', '-6 days') AS monday,
       -SUM(m.quantity) AS units, -SUM(m.quantity * b.unit_cost) AS value, json_group_array(m.id)
     FROM stock_movements m CROSS JOIN stock_batches b ON b.id = m.batch_id
     WHERE ${w.sql} AND ${WRITE_OFF} AND m.actor_id IS NOT NULL
     GROUP BY m.actor_id, monday HAVING units > ? OR value > ?`,
    [...local.params, ...w.params, t.weeklyUnits, t.weeklyValue],
  );
  const out: Candidate[] = [];
  for (const [actorId, monday, u, v, ids] of rows) {
    const units = Number(u);
    const value = Number(v);
    const byUnits = units > t.weeklyUnits;
    const movementIds = JSON.parse(ids) as string[];
    out.push({
      rule: "large_write_off",
      key: `week:${actorId}:${monday}`,
      subjectUserId: actorId,
      medicationId: null,
      storeId: null,
      values: {
        scope: "week",
        measured: byUnits ? units : value,
        threshold: byUnits ? t.weeklyUnits : t.weeklyValue,
        measure: byUnits ? "units" : "value",
        units,
        value,
        movements: movementIds.length,
        unitsThreshold: t.weeklyUnits,
        valueThreshold: t.weeklyValue,
      },
      evidence: await evidenceByIds(db, movementIds),
      facts: { monday },
    });
  }
  return out;
}

/** Stock leaving or changing by someone's hand; receipts arriving late are no loss. */
export const AFTER_HOURS_MOVEMENTS = [
  "dispense",
  "return",
  "adjust",
  "damage",
  "expire",
  "transfer_out",
  "count_variance",
  "preparation_use",
] as const;
const AFTER_HOURS_TYPES = `(${AFTER_HOURS_MOVEMENTS.map((t) => `'${t}'`).join(", ")})`;

/** 4. A movement outside its store's opening hours (clinic-local), beyond the grace minutes. */
export async function afterHours(
  db: Db,
  s: Scope,
  t: Thresholds["after_hours"],
): Promise<Candidate[]> {
  const w = movementFilter(s);
  const hours = await hoursTable(db, s.orgId, t.graceMinutes);
  const local = localMinutesSql(
    "m.at",
    offsetSegments(s.timezone, Date.parse(s.from), Date.parse(s.to)),
  );
  // The open intervals of each store and weekday (%w, 0 = Sunday) in minutes, grace included;
  // SQLite indexes the materialised table itself, so each movement checks its own few rows.
  // Day 0 (1 January 1970) was a Thursday.
  const rows = await all(
    db,
    `WITH open_hours(store_id, wd, s, e) AS MATERIALIZED (
       SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
         json_extract(value, '$[2]'), json_extract(value, '$[3]') FROM json_each(?)),
     moved AS (
       SELECT ${EV}, m.document_id, ${local.sql} AS lm FROM stock_movements m
       WHERE ${w.sql} AND m.type IN ${AFTER_HOURS_TYPES}),
     days AS (SELECT *, CAST(lm / 1440 AS INTEGER) AS dn FROM moved)
     SELECT m.*, (m.dn + 4) % 7 AS wd FROM days m
     WHERE NOT EXISTS (SELECT 1 FROM open_hours h WHERE h.store_id = m.store_id
       AND h.wd = (m.dn + 4) % 7 AND m.lm - m.dn * 1440 >= h.s AND m.lm - m.dn * 1440 < h.e)
     ORDER BY m.at, m.id`,
    [JSON.stringify(hours.rows), ...local.params, ...w.params],
  );
  // One finding per document (a dispensation taking two batches is one act) or movement.
  const groups = groupBy(rows, (r) => r[7] ?? r[0]);
  return [...groups].map(([key, rs]) => {
    const ev = rs.map((r) => evidence(r));
    const local = localParts(ev[0].at, s.timezone);
    const lt = `${local.date} ${local.time}`;
    const minutes = Number(local.time.slice(0, 2)) * 60 + Number(local.time.slice(3, 5));
    const day = String(local.weekday);
    return {
      rule: "after_hours",
      key,
      subjectUserId: ev[0].actorId,
      medicationId: ev[0].medicationId,
      storeId: ev[0].storeId,
      values: {
        measured: minutesOutside(minutes, hours.of(ev[0].storeId, day)),
        threshold: t.graceMinutes,
        localTime: lt,
      },
      evidence: ev,
      facts: { hours: hours.of(ev[0].storeId, day), localTime: lt },
    };
  });
}

/** Minutes between a local time and the nearest opening interval of its day (closed: the day). */
function minutesOutside(minutes: number, intervals: [string, string][]) {
  if (!intervals.length) return 1440;
  const toMin = (hhmm: string) =>
    hhmm === "23:59" ? ALWAYS_OPEN_END : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  return Math.min(
    ...intervals.map(([a, b]) => Math.max(toMin(a) - minutes, minutes - toMin(b), 0)),
  );
}

/** 5. A count's variance above the units or value threshold. */
export async function countVariance(
  db: Db,
  s: Scope,
  t: Thresholds["count_variance"],
): Promise<Candidate[]> {
  const w = movementFilter(s, "m", ["count_variance"]);
  const rows = await all(
    db,
    `SELECT ${EV}, b.unit_cost, m.document_id FROM stock_movements m
     CROSS JOIN stock_batches b ON b.id = m.batch_id
     WHERE ${w.sql} AND m.type = 'count_variance'
       AND (abs(m.quantity) > ? OR abs(m.quantity) * b.unit_cost > ?)`,
    [...w.params, t.units, t.value],
  );
  return rows.map((r) => {
    const units = Math.abs(Number(r[4]));
    const value = units * Number(r[7]);
    const byUnits = units > t.units;
    return {
      rule: "count_variance",
      key: r[0],
      subjectUserId: r[2],
      medicationId: r[5],
      storeId: r[6],
      values: {
        measured: byUnits ? units : value,
        threshold: byUnits ? t.units : t.value,
        measure: byUnits ? "units" : "value",
        variance: Number(r[4]),
        value,
      },
      evidence: [evidence(r)],
      facts: { countId: r[8] },
    };
  });
}

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};
const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * The modified z-score of x against its peers: 0.6745·(x − median)/MAD. Peers that all dispensed
 * the same leave MAD at 0: the mean absolute deviation stands in (scaled alike), and without
 * any spread at all a user above them is as far out as can be (capped at 1000).
 */
export function robustZ(x: number, peers: number[]) {
  const med = median(peers);
  const mad = median(peers.map((p) => Math.abs(p - med)));
  const meanAd = peers.reduce((s, p) => s + Math.abs(p - med), 0) / peers.length;
  let z: number;
  if (mad > 0) z = 0.6745 * (x - med) / mad;
  else if (meanAd > 0) z = (x - med) / (1.253314 * meanAd);
  else z = x > med ? 1000 : 0;
  return { median: med, mad, z: Math.min(1000, round2(z)) };
}

/**
 * 6. A user's dispensed volume of a medicine over a period far above the other dispensers'.
 * Only periods that have ended (before `closedBy`) are judged: a period half over compares a
 * few days' sales, where anyone may briefly lead, and a finding once raised stays raised.
 */
export async function peerVolume(
  db: Db,
  s: Scope,
  t: Thresholds["peer_volume"],
  closedBy: string,
): Promise<Candidate[]> {
  const w = movementFilter({ ...s, actorIds: undefined });
  const rows = await all(
    db,
    `SELECT ${periodSql("m.at")} AS period, m.medication_id, m.actor_id, -SUM(m.quantity)
     FROM stock_movements m
     WHERE ${w.sql} AND m.type = 'dispense' AND m.actor_id IS NOT NULL
     GROUP BY period, m.medication_id, m.actor_id`,
    [t.windowDays, ...w.params],
  );
  const out: Candidate[] = [];
  for (const group of groupBy(rows, (r) => `${r[0]}:${r[1]}`).values()) {
    if (group.length < t.minPeers + 1) continue;
    const ends = periodOf((Number(group[0][0]) * t.windowDays + 4) * 86_400_000, t.windowDays).to;
    if (ends > closedBy) continue;
    for (const [period, medicationId, actorId, q] of group) {
      const x = Number(q);
      if (x < t.minQuantity) continue;
      const peers = group.filter((g) => g[2] !== actorId).map((g) => Number(g[3]));
      const { median: med, mad, z } = robustZ(x, peers);
      if (z <= t.zScore || x < t.minRatio * med) continue;
      const days = t.windowDays;
      const start = (Number(period) * days + 4) * 86_400_000;
      const { from, to } = periodOf(start, days);
      const ev = await all(
        db,
        `SELECT ${EV} FROM stock_movements m WHERE m.org_id = ? AND m.actor_id = ?
         AND m.at >= ? AND m.at < ? AND m.medication_id = ? AND m.type = 'dispense'
         ORDER BY m.at DESC LIMIT ${EVIDENCE_LIMIT}`,
        [s.orgId, actorId, from, to, medicationId],
      );
      out.push({
        rule: "peer_volume",
        key: `${actorId}:${medicationId}:${from.slice(0, 10)}:${days}`,
        subjectUserId: actorId,
        medicationId,
        storeId: null,
        values: {
          measured: z,
          threshold: t.zScore,
          quantity: x,
          peers: peers.length,
          peerMedian: med,
          peerMad: mad,
          windowDays: days,
          from,
          to,
        },
        evidence: ev.map((r) => evidence(r)).reverse(),
        facts: { from, to },
      });
    }
  }
  return out;
}

/** 7. One user taking returns back more often than the threshold within a period. */
export async function repeatedReturns(
  db: Db,
  s: Scope,
  t: Thresholds["repeated_returns"],
): Promise<Candidate[]> {
  const w = movementFilter(s, "m", ["return"]);
  // A return of several batches at once is one act: counted by its document and time.
  const rows = await all(
    db,
    `SELECT ${periodSql("m.at")} AS period, m.actor_id,
       COUNT(DISTINCT coalesce(m.document_id, m.id) || m.at) AS n, json_group_array(m.id)
     FROM stock_movements m
     WHERE ${w.sql} AND m.type = 'return' AND m.actor_id IS NOT NULL
     GROUP BY period, m.actor_id HAVING n > ?`,
    [t.windowDays, ...w.params, t.maxReturns],
  );
  const out: Candidate[] = [];
  for (const [period, actorId, n, ids] of rows) {
    const { from, to } = periodOf((Number(period) * t.windowDays + 4) * 86_400_000, t.windowDays);
    out.push({
      rule: "repeated_returns",
      key: `${actorId}:${from.slice(0, 10)}:${t.windowDays}`,
      subjectUserId: actorId,
      medicationId: null,
      storeId: null,
      values: { measured: Number(n), threshold: t.maxReturns, windowDays: t.windowDays, from, to },
      evidence: await evidenceByIds(db, JSON.parse(ids)),
      facts: { from, to },
    });
  }
  return out;
}
