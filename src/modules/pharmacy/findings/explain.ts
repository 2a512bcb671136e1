/**
 * The sentence each finding carries, in words a pharmacist reads without the ledger open: who
 * (name and employee number), what (medication and quantity), where (store) and when (clinic
 * time), and the figure compared with its threshold.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../../../../db/client.ts";
import { organizations } from "../../../../db/schema/mod.ts";
import { localParts } from "../../../lib/time.ts";
import { all, type Candidate } from "./sql.ts";

const DAYS = ["", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export interface Names {
  user(id: string | null | undefined): string;
  medication(id: string | null | undefined): string;
  unit(id: string | null | undefined): string;
  store(id: string | null | undefined): string;
  /** "Tuesday 2026-03-03 22:14" in the clinic's time. */
  local(at: string): string;
  money(minor: number): string;
}

/** Names of everyone and everything the candidates mention, in four queries. */
export async function namesFor(
  db: Db,
  orgId: string,
  timezone: string,
  candidates: Candidate[],
): Promise<Names> {
  const ids = (pick: (c: Candidate) => (string | null | undefined)[]) =>
    JSON.stringify([...new Set(candidates.flatMap(pick).filter(Boolean))]);
  const users = new Map(
    (await all(
      db,
      `SELECT u.id, u.full_name, mb.employee_id FROM users u
       LEFT JOIN memberships mb ON mb.user_id = u.id AND mb.org_id = ?
       WHERE u.id IN (SELECT value FROM json_each(?))`,
      [orgId, ids((c) => [c.subjectUserId, ...c.evidence.map((e) => e.actorId)])],
    )).map((r) => [r[0], r[2] ? `${r[1]} (${r[2]})` : String(r[1])]),
  );
  const meds = new Map(
    (await all(
      db,
      `SELECT id, name, unit FROM medications WHERE id IN (SELECT value FROM json_each(?))`,
      [ids((c) => [c.medicationId, ...c.evidence.map((e) => e.medicationId)])],
    )).map((r) => [r[0], { name: String(r[1]), unit: String(r[2]) }]),
  );
  const storeNames = new Map(
    (await all(
      db,
      `SELECT id, name FROM stores WHERE id IN (SELECT value FROM json_each(?))`,
      [ids((c) => [c.storeId, ...c.evidence.map((e) => e.storeId)])],
    )).map((r) => [r[0], String(r[1])]),
  );
  const [org] = await db.select({ currency: organizations.currency }).from(organizations)
    .where(eq(organizations.id, orgId));
  return {
    user: (id) => id ? users.get(id) ?? "an unknown user" : "a user not recorded",
    medication: (id) => (id && meds.get(id)?.name) || "a medication",
    unit: (id) => (id && meds.get(id)?.unit) || "units",
    store: (id) => (id && storeNames.get(id)) || "a store",
    local: (at) => {
      const p = localParts(at, timezone);
      return `${DAYS[p.weekday]} ${p.date} ${p.time}`;
    },
    money: (minor) => `${org?.currency ?? ""} ${(minor / 100).toFixed(2)}`.trim(),
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const TYPE_WORDS: Record<string, string> = {
  dispense: "dispensed",
  return: "took back",
  adjust: "adjusted",
  damage: "wrote off as damaged",
  expire: "wrote off as expired",
  transfer_out: "transferred out",
  count_variance: "posted a count variance of",
  preparation_use: "used in a preparation",
};

export function explain(c: Candidate, n: Names): string {
  const v = c.values as Record<string, any>;
  const f = c.facts as Record<string, any>;
  const e0 = c.evidence[0];
  const med = n.medication(c.medicationId);
  const unit = n.unit(c.medicationId);
  const who = n.user(c.subjectUserId);
  switch (c.rule) {
    case "dispensed_without_prescription":
      return `${who} dispensed ${v.measured} ${unit} of ${med}, which needs a prescription, ` +
        `without one at ${n.store(c.storeId)} on ${n.local(e0.at)}` +
        (f.overrideReason ? `, overriding with the reason "${f.overrideReason}".` : ".");
    case "dispensed_more_than_prescribed":
      return `${v.measured} ${unit} of ${med} were dispensed against prescription ` +
        `${f.prescriptionNumber}, which prescribes ${v.prescribed}` +
        (v.excessUnits ? ` (${v.excessUnits} more tolerated)` : "") +
        `; ${who} went over it on ${n.local(f.at ?? e0.at)}` +
        (f.overrideReason ? ` with the override reason "${f.overrideReason}".` : ".");
    case "large_write_off":
      if (v.scope === "week") {
        return `${who} wrote off ${v.units} units worth ${n.money(v.value)} in ` +
          `${plural(v.movements, "movement")} in the week starting Monday ${f.monday}, above ` +
          `the weekly threshold of ` +
          (v.measure === "units" ? `${v.threshold} units.` : `${n.money(v.threshold)}.`);
      }
      return `${who} ${TYPE_WORDS[e0.type] ?? e0.type} ${v.units} ${unit} of ${med} worth ` +
        `${n.money(v.value)} at ${n.store(c.storeId)} on ${n.local(e0.at)}` +
        (f.reason ? ` ("${f.reason}")` : "") + `, above the threshold of ` +
        (v.measure === "units"
          ? `${v.threshold} ${unit}.`
          : `${n.money(v.threshold)} per write-off.`);
    case "after_hours": {
      const hours = (f.hours as [string, string][]).map(([a, b]) => `${a}-${b}`).join(", ");
      return `${who} ${TYPE_WORDS[e0.type] ?? e0.type} ${Math.abs(sum(c))} ${unit} of ${med} ` +
        `at ${n.store(c.storeId)} on ${n.local(e0.at)}, ` +
        (hours ? `outside its opening hours that day (${hours})` : "a day it is closed") +
        ` by ${plural(v.measured, "minute")}, more than the ${v.threshold} minutes of grace.`;
    }
    case "count_variance":
      return `A count at ${n.store(c.storeId)} posted ${Math.abs(v.variance)} ${unit} of ${med} ` +
        `${v.variance < 0 ? "missing" : "more than expected"} (worth ${n.money(v.value)}) on ` +
        `${n.local(e0.at)}, posted by ${who}; the threshold is ` +
        (v.measure === "units" ? `${v.threshold} ${unit}.` : `${n.money(v.threshold)}.`);
    case "peer_volume":
      return `${who} dispensed ${v.quantity} ${unit} of ${med} from ${n.local(v.from)} to ` +
        `${n.local(v.to)}; the ${plural(v.peers, "other user")} who dispensed it had a median of ` +
        `${v.peerMedian} (median absolute deviation ${v.peerMad}), a robust z-score of ` +
        `${v.measured}, above ${v.threshold}.`;
    case "repeated_returns":
      return `${who} took medicines back ${plural(v.measured, "time")} from ${
        n.local(v.from)
      } to ` +
        `${n.local(v.to)}, more than ${v.threshold} in ${v.windowDays} days.`;
    case "negative_stock":
      return `Batch ${f.batchNumber} of ${med} at ${n.store(c.storeId)} stands at ${v.measured} ` +
        `${unit} after movements made at clinics apart (the last: ${who} ` +
        `${TYPE_WORDS[e0.type] ?? e0.type} ${Math.abs(e0.quantity)} on ${n.local(e0.at)}): ` +
        `count it and adjust.`;
  }
}

const sum = (c: Candidate) => c.evidence.reduce((s, e) => s + e.quantity, 0);
