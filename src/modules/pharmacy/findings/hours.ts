/** Stores' opening hours as minute intervals per weekday, for the after-hours rule's SQL. */
import { eq, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type Db, prepared } from "../../../../db/client.ts";
import { stores } from "../../../../db/schema/mod.ts";

/** "23:59" closes at midnight: a store open all day is open to the last second. */
export const ALWAYS_OPEN_END = 1440;

const minutes = (hhmm: string) =>
  hhmm === "23:59" ? ALWAYS_OPEN_END : Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

type Hours = Record<string, [string, string][]>;

// Read by every stock movement's after-hours rule: built once.
const storeHours = prepared<{ id: string; hours: Hours }>(
  new QueryBuilder().select({ id: stores.id, hours: stores.openingHours }).from(stores)
    .where(eq(stores.orgId, sql.placeholder("orgId"))),
);

/**
 * Every store's open intervals as [storeId, weekday (0 Sunday … 6), from, to) in minutes, each
 * widened by the grace minutes; a widening past midnight opens the neighbouring day's edge.
 */
export async function hoursTable(db: Db, orgId: string, grace: number) {
  const list = await storeHours.all(db, { orgId });
  const byStore = new Map<string, Hours>();
  const rows: [string, number, number, number][] = [];
  for (const s of list) {
    byStore.set(s.id, s.hours);
    for (let iso = 1; iso <= 7; iso++) {
      const wd = iso % 7;
      // A day left out is open all day (how stores are saved); an empty one is closed.
      const day = s.hours[String(iso)] ?? [["00:00", "23:59"]];
      for (const [a, b] of day) {
        const from = minutes(a) - grace;
        const to = minutes(b) + grace;
        rows.push([s.id, wd, Math.max(0, from), Math.min(1440, to)]);
        if (from < 0) rows.push([s.id, (wd + 6) % 7, 1440 + from, 1440]);
        if (to > 1440) rows.push([s.id, (wd + 1) % 7, 0, to - 1440]);
      }
    }
  }
  return {
    rows,
    /** The store's intervals of an ISO weekday ("1".."7"), as saved. */
    of: (storeId: string, isoDay: string) =>
      byStore.get(storeId)?.[isoDay] ?? [["00:00", "23:59"]] as [string, string][],
  };
}
