/** The front desk's queries. Instants are stored as UTC ISO text, which sorts as time does. */
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type Db, prepared } from "../../../db/client.ts";
import { selectWhere } from "../../../db/rows.ts";
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
export async function overlapping(
  db: Db,
  orgId: string,
  practitionerId: string,
  start: string,
  end: string,
  exceptId?: string,
): Promise<AppointmentRow[]> {
  // The booking path's hottest read, with SQL written once (db/rows.ts) rather than built by
  // drizzle on every booking.
  const rows = await selectWhere(db, appointments, OVERLAPPING, [
    orgId,
    practitionerId,
    start,
    end,
    exceptId ?? "",
  ]);
  return rows as AppointmentRow[];
}

const ACTIVE_IN = `(${ACTIVE_STATUSES.map((s) => `'${s}'`).join(", ")})`;
const OVERLAPPING = `"org_id" = ? AND "practitioner_id" = ? AND "end_at" > ? AND "start_at" < ?
  AND "status" IN ${ACTIVE_IN} AND "deleted_at" IS NULL AND "id" != ? ORDER BY "start_at"`;

export async function schedulesOf(db: Db, orgId: string, practitionerId: string) {
  return await selectWhere(
    db,
    practitionerSchedules,
    `"org_id" = ? AND "practitioner_id" = ? AND "active" = 1 AND "deleted_at" IS NULL`,
    [orgId, practitionerId],
  ) as ScheduleRow[];
}

/** Exceptions touching [from, to] (clinic-local dates) that apply to the practitioner. */
export async function exceptionsOf(
  db: Db,
  orgId: string,
  practitionerId: string,
  from: string,
  to: string,
) {
  return await selectWhere(
    db,
    scheduleExceptions,
    `"org_id" = ? AND "deleted_at" IS NULL AND "date_from" <= ? AND "date_to" >= ?
      AND ("practitioner_id" = ? OR "practitioner_id" IS NULL)`,
    [orgId, to, from, practitionerId],
  ) as ExceptionRow[];
}

/** The practitioner's membership of the organisation, if active, with the user's. */
export async function activeMember(db: Db, orgId: string, userId: string) {
  return await memberQuery.get(db, { orgId, userId });
}
// Every booking checks its practitioner: built once.
const memberQuery = prepared<{ role: string; facilityId: string | null }>(
  new QueryBuilder().select({ role: memberships.role, facilityId: memberships.facilityId })
    .from(memberships).innerJoin(users, eq(users.id, memberships.userId))
    .where(and(
      eq(memberships.orgId, sql.placeholder("orgId")),
      eq(memberships.userId, sql.placeholder("userId")),
      eq(memberships.active, true),
      isNull(memberships.deletedAt),
      isNull(users.deletedAt),
    )),
);

/** The patient's active encounter at a facility (null facility: the organisation's). */
export async function activeEncounter(
  db: Db,
  orgId: string,
  patientId: string,
  facilityId: string | null,
) {
  return await (facilityId === null ? activeAnywhere : activeAtFacility)
    .get(db, { orgId, patientId, facilityId });
}
// Every arrival checks for a visit already open: built once per shape.
const activeVisit = (atFacility: boolean) =>
  prepared<typeof encounters.$inferSelect>(
    new QueryBuilder().select().from(encounters).where(and(
      eq(encounters.orgId, sql.placeholder("orgId")),
      eq(encounters.patientId, sql.placeholder("patientId")),
      atFacility
        ? eq(encounters.facilityId, sql.placeholder("facilityId"))
        : isNull(encounters.facilityId),
      inArray(encounters.status, ["waiting", "in_consultation"]),
      isNull(encounters.deletedAt),
    )),
  );
const activeAtFacility = activeVisit(true);
const activeAnywhere = activeVisit(false);
