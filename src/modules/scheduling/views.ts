/** Lists, day and week calendars and statistics of appointments and visits. */
import { and, asc, count, eq, gte, isNotNull, isNull, lt, type SQL, sql } from "drizzle-orm";
import { appointmentConfirmations, appointments, encounters } from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { decodeCursor, encodeCursor } from "../../lib/pagination.ts";
import { addDays, localParts, todayIn, zonedInstant } from "../../lib/time.ts";
import { readablePatient } from "../patients/mod.ts";
import type { AppointmentRow } from "./repository.ts";
import { timezoneOf, toAppointment } from "./service.ts";

interface Filter {
  practitionerId?: string;
  facilityId?: string;
  patientId?: string;
  status?: string;
  type?: string;
}

function filterWhere(orgId: string, f: Filter): SQL[] {
  const where: SQL[] = [eq(appointments.orgId, orgId), isNull(appointments.deletedAt)];
  if (f.practitionerId) where.push(eq(appointments.practitionerId, f.practitionerId));
  if (f.facilityId) where.push(eq(appointments.facilityId, f.facilityId));
  if (f.patientId) where.push(eq(appointments.patientId, f.patientId));
  if (f.status) where.push(eq(appointments.status, f.status));
  if (f.type) where.push(eq(appointments.type, f.type));
  return where;
}

/** Each appointment shown is a read of its patient's data. */
function auditShown(deps: Deps, a: Actor, rows: AppointmentRow[], action = "appointment.list") {
  for (const r of rows) {
    deps.audit.recordRead(a, {
      action,
      entityType: "appointment",
      entityId: r.id,
      patientId: r.patientId,
    });
  }
}

/** Appointments by start time (keyset on start, id). */
export async function listAppointments(
  deps: Deps,
  a: Actor,
  q: Filter & { limit: number; cursor?: string; from?: string; to?: string },
) {
  const where = filterWhere(a.orgId, q);
  if (q.from) where.push(gte(appointments.startAt, new Date(q.from).toISOString()));
  if (q.to) where.push(lt(appointments.startAt, new Date(q.to).toISOString()));
  const cursor = decodeCursor(q.cursor);
  if (cursor) {
    where.push(
      sql`(${appointments.startAt}, ${appointments.id}) > (${String(cursor.v)}, ${cursor.id})`,
    );
  }
  const rows = await deps.db.db.select().from(appointments).where(and(...where))
    .orderBy(asc(appointments.startAt), asc(appointments.id)).limit(q.limit + 1);
  const shown = rows.slice(0, q.limit);
  auditShown(deps, a, shown);
  const last = shown[shown.length - 1];
  return {
    data: shown.map(toAppointment),
    nextCursor: rows.length > q.limit && last
      ? encodeCursor({ v: last.startAt, id: last.id })
      : null,
  };
}

/** The instants bounding clinic-local days [from, to]. */
function dayBounds(from: string, to: string, timezone: string) {
  const start = zonedInstant(from, "00:00", timezone) ?? Date.parse(`${from}T00:00:00Z`);
  const endDay = addDays(to, 1);
  const end = zonedInstant(endDay, "00:00", timezone) ?? Date.parse(`${endDay}T00:00:00Z`);
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/** A day, or the Monday-to-Sunday week holding `date`, grouped by clinic-local day. */
export async function calendar(
  deps: Deps,
  a: Actor,
  q: {
    view: "day" | "week";
    date?: string;
    practitionerId?: string;
    facilityId?: string;
    patientId?: string;
  },
) {
  const timezone = await timezoneOf(deps.db.db, a.orgId);
  const date = q.date ?? todayIn(timezone, deps.clock.now());
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
  const from = q.view === "day" ? date : addDays(date, 1 - weekday);
  const to = q.view === "day" ? date : addDays(from, 6);
  const bounds = dayBounds(from, to, timezone);
  const rows = await deps.db.db.select().from(appointments).where(and(
    ...filterWhere(a.orgId, q),
    gte(appointments.startAt, bounds.start),
    lt(appointments.startAt, bounds.end),
  )).orderBy(asc(appointments.startAt), asc(appointments.id)).limit(2000);
  auditShown(deps, a, rows);
  const days: { date: string; appointments: ReturnType<typeof toAppointment>[] }[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) days.push({ date: d, appointments: [] });
  for (const r of rows) {
    days.find((d) => d.date === localParts(r.startAt, timezone).date)?.appointments.push(
      toAppointment(r),
    );
  }
  return { view: q.view, timezone, from, to, days };
}

/** Counts for the dashboard over clinic-local days (default: the last 30). */
export async function appointmentStats(
  deps: Deps,
  a: Actor,
  q: { from?: string; to?: string; facilityId?: string; practitionerId?: string },
) {
  const db = deps.db.db;
  const timezone = await timezoneOf(db, a.orgId);
  const to = q.to ?? todayIn(timezone, deps.clock.now());
  const from = q.from ?? addDays(to, -29);
  const bounds = dayBounds(from, to, timezone);
  const where = [
    ...filterWhere(a.orgId, q),
    gte(appointments.startAt, bounds.start),
    lt(appointments.startAt, bounds.end),
  ];
  const byStatusRows = await db.select({ key: appointments.status, n: count() })
    .from(appointments).where(and(...where)).groupBy(appointments.status);
  const byTypeRows = await db.select({ key: appointments.type, n: count() })
    .from(appointments).where(and(...where)).groupBy(appointments.type);
  const visitWhere: SQL[] = [
    eq(encounters.orgId, a.orgId),
    isNull(encounters.deletedAt),
    gte(encounters.localDay, from),
    sql`${encounters.localDay} <= ${to}`,
  ];
  if (q.facilityId) visitWhere.push(eq(encounters.facilityId, q.facilityId));
  if (q.practitionerId) visitWhere.push(eq(encounters.practitionerId, q.practitionerId));
  const [visits] = await db.select({
    scheduled: sql<number>`count(${encounters.appointmentId})`,
    all: count(),
  }).from(encounters).where(and(...visitWhere));
  const byStatus = Object.fromEntries(byStatusRows.map((r) => [r.key, r.n]));
  const byType = Object.fromEntries(byTypeRows.map((r) => [r.key, r.n]));
  const due = (byStatus.completed ?? 0) + (byStatus.no_show ?? 0);
  return {
    from,
    to,
    appointments: byStatusRows.reduce((s, r) => s + r.n, 0),
    byStatus,
    byType,
    visits: { scheduled: Number(visits.scheduled), walkIn: visits.all - Number(visits.scheduled) },
    noShowRate: due ? (byStatus.no_show ?? 0) / due : null,
  };
}

/** A patient's record at the front desk: how often they come, and confirm. */
export async function patientStats(deps: Deps, a: Actor, patientId: string) {
  await readablePatient(deps, a.orgId, patientId);
  const db = deps.db.db;
  const rows = await db.select({ key: appointments.status, n: count() }).from(appointments)
    .where(and(
      eq(appointments.orgId, a.orgId),
      eq(appointments.patientId, patientId),
      isNull(appointments.deletedAt),
    )).groupBy(appointments.status);
  const by = Object.fromEntries(rows.map((r) => [r.key, r.n]));
  const [attempts] = await db.select({
    all: count(),
    confirmed: sql<number>`sum(${appointmentConfirmations.outcome} = 'confirmed')`,
  }).from(appointmentConfirmations).where(and(
    eq(appointmentConfirmations.orgId, a.orgId),
    eq(appointmentConfirmations.patientId, patientId),
    isNull(appointmentConfirmations.deletedAt),
    isNotNull(appointmentConfirmations.outcome),
  ));
  deps.audit.recordRead(a, {
    action: "appointment.stats",
    entityType: "appointment",
    patientId,
  });
  const due = (by.completed ?? 0) + (by.no_show ?? 0);
  return {
    patientId,
    appointments: rows.reduce((s, r) => s + r.n, 0),
    completed: by.completed ?? 0,
    cancelled: by.cancelled ?? 0,
    noShows: by.no_show ?? 0,
    noShowRate: due ? (by.no_show ?? 0) / due : null,
    confirmationAttempts: attempts.all,
    confirmationRate: attempts.all ? Number(attempts.confirmed ?? 0) / attempts.all : null,
  };
}
