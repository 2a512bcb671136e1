/** Dashboard counts of the patients an organisation lists. */
import type { Actor, Deps } from "../../lib/context.ts";
import { startOfLocalDay, todayIn, yearsBefore } from "../../lib/time.ts";
import { orgSettings } from "../organizations/mod.ts";
import { countRegisteredSince, statsGroups } from "./repository.ts";

const AGE_BANDS = [
  { name: "0-4", from: 0 },
  { name: "5-14", from: 5 },
  { name: "15-24", from: 15 },
  { name: "25-44", from: 25 },
  { name: "45-64", from: 45 },
  { name: "65+", from: 65 },
] as const;

/** Dashboard counts of listed patients (merged and deleted excluded). */
export async function patientStats(deps: Deps, actor: Actor) {
  const db = deps.db.db;
  const { timezone: tz } = await orgSettings(db, actor.orgId);
  const today = todayIn(tz, deps.clock.now());
  // Born after yearsBefore(today, n) means younger than n: youngest band first.
  const bounds = AGE_BANDS.slice(1).map((b) => yearsBefore(today, b.from));
  const [every, hidden] = await Promise.all([
    statsGroups(db, actor.orgId, bounds, false),
    statsGroups(db, actor.orgId, bounds, true),
  ]);
  const byStatus: Record<string, number> = { active: 0, inactive: 0, deceased: 0, moved: 0 };
  const bySex: Record<string, number> = { female: 0, male: 0, other: 0, unknown: 0 };
  const byAgeBand: Record<string, number> = Object.fromEntries(
    [...AGE_BANDS.map((b) => [b.name, 0]), ["unknown", 0]],
  );
  let total = 0;
  const tally = (groups: unknown[], sign: 1 | -1) => {
    for (const g of groups as Record<string, number | string>[]) {
      const n = sign * Number(g.n);
      total += n;
      byStatus[g.status] = (byStatus[g.status] ?? 0) + n;
      bySex[g.sex] = (bySex[g.sex] ?? 0) + n;
      byAgeBand.unknown += sign * Number(g.unknown ?? 0);
      AGE_BANDS.forEach((b, i) => byAgeBand[b.name] += sign * Number(g[`b${i}`] ?? 0));
    }
  };
  tally(every, 1);
  tally(hidden, -1);
  const [y, m, d] = today.split("-").map(Number);
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // Monday = 0
  const monday = new Date(Date.UTC(y, m - 1, d - weekday)).toISOString().slice(0, 10);
  const [newThisWeek, newThisMonth] = await Promise.all([
    countRegisteredSince(db, actor.orgId, startOfLocalDay(monday, tz)),
    countRegisteredSince(db, actor.orgId, startOfLocalDay(today.slice(0, 8) + "01", tz)),
  ]);
  return { total, byStatus, bySex, byAgeBand, newThisWeek, newThisMonth };
}
