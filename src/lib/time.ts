/**
 * Clinic-local dates. Days that staff see (a registration's "today", ages, "this week") are
 * computed in the organisation's timezone, never in UTC (CONTRIBUTING.md, "Conventions"). Timezones are validated
 * when an organisation is saved, so these functions take them as valid.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

/** One cached formatter per key: building an Intl.DateTimeFormat costs ~0.5 ms. */
function formatter(key: string, make: () => Intl.DateTimeFormat) {
  let f = formats.get(key);
  if (!f) {
    if (formats.size > 500) formats.clear();
    formats.set(key, f = make());
  }
  return f;
}

const days = new Map<string, { minute: number; day: string }>();

/**
 * Today's date (YYYY-MM-DD) in `timezone`. Every write asks (numbering, dates checked against
 * today) and a formatted date costs ~20 µs, so each timezone's answer is kept for the UTC minute
 * it was asked in: UTC offsets and their changes fall on whole minutes, so the local date cannot
 * change within one.
 */
export function todayIn(timezone: string, now: Date): string {
  const minute = Math.floor(now.getTime() / 60_000);
  const known = days.get(timezone);
  if (known?.minute === minute) return known.day;
  const day = formatter(
    `day:${timezone}`,
    () => new Intl.DateTimeFormat("en-CA", { timeZone: timezone }),
  ).format(now);
  if (days.size > 500) days.clear();
  days.set(timezone, { minute, day });
  return day;
}

/** `date` moved back by `years` whole years (29 February falls back to the 28th). */
export function yearsBefore(date: string, years: number): string {
  const [y, m, d] = date.split("-").map(Number);
  const yy = y - years;
  const leap = (yy % 4 === 0 && yy % 100 !== 0) || yy % 400 === 0;
  const day = m === 2 && d === 29 && !leap ? 28 : d;
  return `${String(yy).padStart(4, "0")}-${String(m).padStart(2, "0")}-${
    String(day).padStart(2, "0")
  }`;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function wallClock(timezone: string) {
  return formatter(`clock:${timezone}`, () =>
    new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }));
}

/** The local wall-clock time at instant `t`, as if it were UTC (ms). */
function wallAt(timezone: string, t: number): number {
  const parts = wallClock(timezone).formatToParts(new Date(t));
  const v = (k: string) => Number(parts.find((p) => p.type === k)?.value);
  return Date.UTC(v("year"), v("month") - 1, v("day"), v("hour"), v("minute"), v("second"));
}

/** The UTC instant of local midnight starting `date` in `timezone`. */
export function startOfLocalDay(date: string, timezone: string): string {
  const guess = Date.parse(`${date}T00:00:00Z`);
  let t = guess - (wallAt(timezone, guess) - guess);
  t = guess - (wallAt(timezone, t) - t); // second pass settles a DST change between guess and result
  return new Date(t).toISOString();
}

/** What a clock in `timezone` shows at `instant`: the date, "HH:MM" and the ISO weekday. */
export function localParts(instant: string | number | Date, timezone: string) {
  const t = typeof instant === "number" ? instant : new Date(instant).getTime();
  const wall = new Date(wallAt(timezone, t));
  const iso = wall.toISOString();
  return {
    date: iso.slice(0, 10),
    time: iso.slice(11, 16),
    /** 1 Monday … 7 Sunday */
    weekday: wall.getUTCDay() === 0 ? 7 : wall.getUTCDay(),
  };
}

/**
 * The instant (ms) a clock in `timezone` shows `date` `time` ("HH:MM"), or null when that local
 * time does not exist that day (skipped by a daylight-saving change). A time shown twice (the
 * hour repeated in autumn) is its first occurrence.
 */
export function zonedInstant(date: string, time: string, timezone: string): number | null {
  const wall = Date.parse(`${date}T${time}:00Z`);
  if (Number.isNaN(wall)) return null;
  // The offset half a day either side covers any one change of offset on that day.
  const offsets = new Set([
    wallAt(timezone, wall - DAY / 2) - (wall - DAY / 2),
    wallAt(timezone, wall + DAY / 2) - (wall + DAY / 2),
  ]);
  const found = [...offsets].map((o) => wall - o).filter((t) => wallAt(timezone, t) === wall);
  return found.length ? Math.min(...found) : null;
}

/** `date` plus `days` (YYYY-MM-DD, calendar arithmetic). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}

/** Minutes since midnight of "HH:MM". */
export const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** "HH:MM" of minutes since midnight. */
export const timeOf = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

export { MINUTE };
