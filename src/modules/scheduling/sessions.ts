/**
 * A practitioner's working sessions on given clinic-local days: the weekly templates, plus extra
 * sessions, minus leave and holidays. Sessions are kept in local minutes and turned into
 * instants slot by slot, so a daylight-saving change neither shifts a slot (09:00 stays 09:00)
 * nor drops one; a local time that does not exist that day (02:30 when clocks jump from 02:00 to
 * 03:00) is simply not offered.
 */
import type { Db } from "../../../db/client.ts";
import { addDays, localParts, MINUTE, minutesOf, zonedInstant } from "../../lib/time.ts";
import { type ExceptionRow, exceptionsOf, type ScheduleRow, schedulesOf } from "./repository.ts";

export interface Session {
  date: string;
  facilityId: string | null;
  /** Local minutes since midnight, [start, end). */
  start: number;
  end: number;
  slotMinutes: number;
  /** Empty: every type. */
  types: string[];
}

const weekdayOf = (date: string) => {
  const d = new Date(`${date}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
};

/** [start, end) minus [cutStart, cutEnd), as 0, 1 or 2 pieces. */
function cut(s: Session, cutStart: number, cutEnd: number): Session[] {
  if (cutEnd <= s.start || cutStart >= s.end) return [s];
  const out: Session[] = [];
  if (cutStart > s.start) out.push({ ...s, end: cutStart });
  if (cutEnd < s.end) out.push({ ...s, start: cutEnd });
  return out;
}

const applies = (e: ExceptionRow, date: string, facilityId: string | null) =>
  e.dateFrom <= date && date <= e.dateTo &&
  (e.facilityId === null || facilityId === null || e.facilityId === facilityId);

/** Sessions of one day from already loaded templates and exceptions. */
export function sessionsOfDay(
  date: string,
  templates: ScheduleRow[],
  exceptions: ExceptionRow[],
): Session[] {
  const weekday = weekdayOf(date);
  let sessions: Session[] = templates
    .filter((t) =>
      t.weekday === weekday && (!t.validFrom || t.validFrom <= date) &&
      (!t.validTo || date <= t.validTo)
    )
    .map((t) => ({
      date,
      facilityId: t.facilityId,
      start: minutesOf(t.startTime),
      end: minutesOf(t.endTime),
      slotMinutes: t.slotMinutes,
      types: t.appointmentTypes,
    }));
  for (const e of exceptions) {
    if (e.kind !== "extra_session" || !applies(e, date, null) || !e.startTime || !e.endTime) {
      continue;
    }
    sessions.push({
      date,
      facilityId: e.facilityId,
      start: minutesOf(e.startTime),
      end: minutesOf(e.endTime),
      slotMinutes: e.slotMinutes ?? 15,
      types: e.appointmentTypes ?? [],
    });
  }
  for (const e of exceptions) {
    if (e.kind === "extra_session") continue;
    sessions = sessions.flatMap((s) => {
      if (!applies(e, date, s.facilityId)) return [s];
      if (!e.startTime || !e.endTime) return [];
      return cut(s, minutesOf(e.startTime), minutesOf(e.endTime));
    });
  }
  return sessions.sort((a, b) => a.start - b.start);
}

/** Every session of the practitioner on the days from `from` to `to` (inclusive). */
export async function sessionsBetween(
  db: Db,
  orgId: string,
  practitionerId: string,
  from: string,
  to: string,
): Promise<Session[]> {
  const [templates, exceptions] = await Promise.all([
    schedulesOf(db, orgId, practitionerId),
    exceptionsOf(db, orgId, practitionerId, from, to),
  ]);
  const out: Session[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    out.push(...sessionsOfDay(d, templates, exceptions));
  }
  return out;
}

export interface SlotInstant {
  start: number;
  end: number;
  facilityId: string | null;
  types: string[];
}

/** A session's slots as instants; local times that do not exist that day are left out. */
export function slotsOf(s: Session, timezone: string): SlotInstant[] {
  const out: SlotInstant[] = [];
  for (let m = s.start; m + s.slotMinutes <= s.end; m += s.slotMinutes) {
    const hh = String(Math.floor(m / 60)).padStart(2, "0");
    const mm = String(m % 60).padStart(2, "0");
    const start = zonedInstant(s.date, `${hh}:${mm}`, timezone);
    if (start === null) continue;
    out.push({
      start,
      end: start + s.slotMinutes * MINUTE,
      facilityId: s.facilityId,
      types: s.types,
    });
  }
  return out;
}

/** The first instant at or after local `minutes` that exists on `date` (a DST gap moves it). */
function instantFrom(date: string, minutes: number, timezone: string): number {
  for (let m = minutes; m < minutes + 180; m++) {
    const t = zonedInstant(
      date,
      `${String(Math.floor(m / 60) % 24).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`,
      timezone,
    );
    if (t !== null) return t;
  }
  throw new Error(`no local time near ${minutes} min on ${date} in ${timezone}`);
}

/**
 * The session an interval falls within, if any: it starts on the session's day, within its
 * hours, and ends by the session's end.
 */
export function sessionHolding(
  sessions: Session[],
  start: number,
  end: number,
  timezone: string,
): Session | undefined {
  const { date } = localParts(start, timezone);
  return sessions.find((s) => {
    if (s.date !== date) return false;
    const from = instantFrom(s.date, s.start, timezone);
    const until = s.end >= 24 * 60
      ? instantFrom(addDays(s.date, 1), 0, timezone)
      : instantFrom(s.date, s.end, timezone);
    return from <= start && end <= until;
  });
}
