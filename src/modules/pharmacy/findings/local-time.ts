/**
 * Clinic-local time inside SQL. Opening hours and weeks are the clinic's, so a scan over a
 * million movements must turn each UTC instant into local time in the query itself: the
 * timezone's offsets over the scanned range (usually one, two around daylight saving) become a
 * CASE over instants, found here once with the timezone database.
 */
import { addDays, localParts, startOfLocalDay } from "../../../lib/time.ts";

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;

/** Minutes ahead of UTC at instant `t` (ms) in `timezone`. */
function offsetAt(timezone: string, t: number): number {
  const { date, time } = localParts(t, timezone);
  return Math.round((Date.parse(`${date}T${time}:00Z`) - (t - (t % MINUTE))) / MINUTE);
}

export interface Segment {
  /** The offset holds before this instant (ISO); null: to the end. */
  until: string | null;
  minutes: number;
}

/** The timezone's offsets over [from, to], each change found to the minute. */
export function offsetSegments(timezone: string, from: number, to: number): Segment[] {
  const out: Segment[] = [];
  let t = from;
  let current = offsetAt(timezone, t);
  while (t < to) {
    const next = Math.min(t + DAY, to);
    const o = offsetAt(timezone, next);
    if (o !== current) {
      let lo = t;
      let hi = next;
      while (hi - lo > MINUTE) {
        const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
        if (offsetAt(timezone, mid) === current) lo = mid;
        else hi = mid;
      }
      out.push({ until: new Date(hi).toISOString(), minutes: current });
      current = o;
    }
    t = next;
  }
  out.push({ until: null, minutes: current });
  return out;
}

const modifier = (minutes: number) => `${minutes >= 0 ? "+" : ""}${minutes} minutes`;

/** SQL for the local date-time ("YYYY-MM-DD HH:MM:SS") of an ISO instant column. */
export function localSql(column: string, segments: Segment[]) {
  if (segments.length === 1) {
    return { sql: `datetime(${column}, ?)`, params: [modifier(segments[0].minutes)] };
  }
  const params: unknown[] = [];
  let sql = "CASE";
  for (const s of segments) {
    if (s.until === null) {
      sql += " ELSE ?";
      params.push(modifier(s.minutes));
    } else {
      sql += ` WHEN ${column} < ? THEN ?`;
      params.push(s.until, modifier(s.minutes));
    }
  }
  return { sql: `datetime(${column}, ${sql} END)`, params };
}

/**
 * SQL for the clinic-local minutes since 1970-01-01 00:00 (fractional) of an ISO instant column:
 * arithmetic on one julianday() per row, cheaper than formatting a date-time per row.
 */
export function localMinutesSql(column: string, segments: Segment[]) {
  const params: unknown[] = [];
  let offset = "?";
  if (segments.length === 1) params.push(segments[0].minutes);
  else {
    offset = "CASE";
    for (const s of segments) {
      if (s.until === null) {
        offset += " ELSE ?";
        params.push(s.minutes);
      } else {
        offset += ` WHEN ${column} < ? THEN ?`;
        params.push(s.until, s.minutes);
      }
    }
    offset += " END";
  }
  return { sql: `((julianday(${column}) - 2440587.5) * 1440 + ${offset})`, params };
}

/** The clinic-local week (Monday to Monday) holding `at`: its Monday and its UTC bounds. */
export function weekOf(at: string, timezone: string) {
  const { date, weekday } = localParts(at, timezone);
  const monday = addDays(date, 1 - weekday);
  return {
    monday,
    from: startOfLocalDay(monday, timezone),
    to: startOfLocalDay(addDays(monday, 7), timezone),
  };
}

/**
 * Windowed rules count in fixed periods of `days` (UTC days from Monday 5 January 1970), so a
 * finding is raised once per user and period however often the rule runs.
 */
export function periodOf(t: number, days: number) {
  const index = Math.floor((t / DAY - 4) / days);
  const start = (index * days + 4) * DAY;
  return {
    index,
    from: new Date(start).toISOString(),
    to: new Date(start + days * DAY).toISOString(),
  };
}

/** SQL for the period index of an ISO instant column (see periodOf). */
export const periodSql = (column: string) =>
  `CAST(((julianday(${column}) - 2440587.5) - 4) / ? + 1000000 AS INTEGER) - 1000000`;
