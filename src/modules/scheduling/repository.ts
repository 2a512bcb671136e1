/** The front desk's queries. Instants are stored as UTC ISO text, which sorts as time does. */
import { and, asc, eq, gt, gte, inArray, isNull, lt, lte, ne, or, type SQL } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import {
  appointments,
  encounters,
  memberships,
  practitionerSchedules,
  scheduleExceptions,
  users,
} from "../../../db/schema/mod.ts";
import { ACTIVE_STATUSES } from "./schemas.ts";

export type AppointmentRow = typeof appointments.$inferSelect;
export type EncounterRow = typeof encounters.$inferSelect;
export type ScheduleRow = typeof practitionerSchedules.$inferSelect;
export type ExceptionRow = typeof scheduleExceptions.$inferSelect;

/**
 * A practitioner's active appointments overlapping [start, end): half-open, so one ending at
 * 10:30 does not overlap one starting at 10:30. Read inside the booking's write transaction,
 * which holds the database's write lock: no other booking can commit between this read and the
 * insert that follows it.
 */
export function overlapping(
  db: Db,
  orgId: string,
  practitionerId: string,
  start: string,
  end: string,
  exceptId?: string,
): Promise<AppointmentRow[]> {
  const where: SQL[] = [
    eq(appointments.orgId, orgId),
    eq(appointments.practitionerId, practitionerId),
    gt(appointments.endAt, start),
    lt(appointments.startAt, end),
    inArray(appointments.status, [...ACTIVE_STATUSES]),
    isNull(appointments.deletedAt),
  ];
  if (exceptId) where.push(ne(appointments.id, exceptId));
  return db.select().from(appointments).where(and(...where)).orderBy(asc(appointments.startAt));
}

/** A practitioner's active appointments between two instants (availability). */
export function activeBetween(
  db: Db,
  orgId: string,
  practitionerId: string,
  from: string,
  to: string,
) {
  return overlapping(db, orgId, practitionerId, from, to);
}

export function schedulesOf(db: Db, orgId: string, practitionerId: string) {
  return db.select().from(practitionerSchedules).where(and(
    eq(practitionerSchedules.orgId, orgId),
    eq(practitionerSchedules.practitionerId, practitionerId),
    eq(practitionerSchedules.active, true),
    isNull(practitionerSchedules.deletedAt),
  ));
}

/** Exceptions touching [from, to] (clinic-local dates) that apply to the practitioner. */
export function exceptionsOf(
  db: Db,
  orgId: string,
  practitionerId: string,
  from: string,
  to: string,
) {
  return db.select().from(scheduleExceptions).where(and(
    eq(scheduleExceptions.orgId, orgId),
    isNull(scheduleExceptions.deletedAt),
    lte(scheduleExceptions.dateFrom, to),
    gte(scheduleExceptions.dateTo, from),
    or(
      eq(scheduleExceptions.practitionerId, practitionerId),
      isNull(scheduleExceptions.practitionerId),
    ),
  ));
}

/** The practitioner's membership of the organisation, if active, with the user's. */
export async function activeMember(db: Db, orgId: string, userId: string) {
  const [row] = await db.select({ role: memberships.role, facilityId: memberships.facilityId })
    .from(memberships).innerJoin(users, eq(users.id, memberships.userId))
    .where(and(
      eq(memberships.orgId, orgId),
      eq(memberships.userId, userId),
      eq(memberships.active, true),
      isNull(memberships.deletedAt),
      isNull(users.deletedAt),
    ));
  return row;
}

/** The patient's active encounter at a facility (null facility: the organisation's). */
export async function activeEncounter(
  db: Db,
  orgId: string,
  patientId: string,
  facilityId: string | null,
) {
  const [row] = await db.select().from(encounters).where(and(
    eq(encounters.orgId, orgId),
    eq(encounters.patientId, patientId),
    facilityId === null ? isNull(encounters.facilityId) : eq(encounters.facilityId, facilityId),
    inArray(encounters.status, ["waiting", "in_consultation"]),
    isNull(encounters.deletedAt),
  ));
  return row;
}
