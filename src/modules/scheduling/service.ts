/**
 * What the front desk's services share: row → API mappers, the organisation's timezone, and the
 * checks on who can be booked. The rules themselves live in appointments.ts (booking and its
 * state machine), encounters.ts (visits and the queue), schedules.ts and availability.ts.
 */
import type { Db } from "../../../db/client.ts";
import { facilities } from "../../../db/schema/mod.ts";
import { findInTenant } from "../../../db/tenant.ts";
import type { Deps } from "../../lib/context.ts";
import { unprocessable } from "../../lib/errors.ts";
import { orgSettings } from "../organizations/mod.ts";
import { livePatient } from "../patients/mod.ts";
import { ProblemError } from "../../lib/errors.ts";
import {
  activeMember,
  type AppointmentRow,
  type EncounterRow,
  type ExceptionRow,
  type ScheduleRow,
} from "./repository.ts";
import type { APPOINTMENT_STATUSES, APPOINTMENT_TYPES, ENCOUNTER_STATUSES } from "./schemas.ts";

const meta = (r: { version: number; createdAt: string; updatedAt: string }) => ({
  version: r.version,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const toAppointment = (a: AppointmentRow) => ({
  id: a.id,
  patientId: a.patientId,
  practitionerId: a.practitionerId,
  facilityId: a.facilityId,
  start: a.startAt,
  end: a.endAt,
  durationMinutes: a.durationMinutes,
  type: a.type as typeof APPOINTMENT_TYPES[number],
  status: a.status as typeof APPOINTMENT_STATUSES[number],
  reason: a.reason,
  override: a.override,
  rescheduleCount: a.rescheduleCount,
  confirmedAt: a.confirmedAt,
  checkedInAt: a.checkedInAt,
  startedAt: a.startedAt,
  completedAt: a.completedAt,
  cancelledAt: a.cancelledAt,
  cancelReason: a.cancelReason,
  noShowAt: a.noShowAt,
  encounterId: a.encounterId,
  ...meta(a),
});
export type AppointmentT = ReturnType<typeof toAppointment>;

export const toEncounter = (e: EncounterRow) => ({
  id: e.id,
  patientId: e.patientId,
  practitionerId: e.practitionerId,
  facilityId: e.facilityId,
  appointmentId: e.appointmentId,
  type: e.type as typeof APPOINTMENT_TYPES[number] | "walk_in",
  priority: e.priority as "emergency" | "urgent" | "normal",
  status: e.status as typeof ENCOUNTER_STATUSES[number],
  arrivedAt: e.arrivedAt,
  startedAt: e.startedAt,
  closedAt: e.closedAt,
  cancelReason: e.cancelReason,
  ...meta(e),
});

export const toSchedule = (s: ScheduleRow) => ({
  id: s.id,
  practitionerId: s.practitionerId,
  facilityId: s.facilityId,
  weekday: s.weekday,
  startTime: s.startTime,
  endTime: s.endTime,
  slotMinutes: s.slotMinutes,
  appointmentTypes: s.appointmentTypes,
  validFrom: s.validFrom,
  validTo: s.validTo,
  active: s.active,
  ...meta(s),
});

export const toException = (e: ExceptionRow) => ({
  id: e.id,
  practitionerId: e.practitionerId,
  facilityId: e.facilityId,
  kind: e.kind as "leave" | "holiday" | "extra_session",
  dateFrom: e.dateFrom,
  dateTo: e.dateTo,
  startTime: e.startTime,
  endTime: e.endTime,
  slotMinutes: e.slotMinutes,
  appointmentTypes: e.appointmentTypes,
  reason: e.reason,
  ...meta(e),
});

export async function timezoneOf(db: Db, orgId: string): Promise<string> {
  return (await orgSettings(db, orgId)).timezone;
}

/**
 * A practitioner who can be booked: an active member of the organisation whose role takes
 * appointments (BOOKABLE_ROLES, DOCTOR by default). Another organisation's user is refused the
 * same way as an unknown one.
 */
export async function assertBookable(deps: Deps, db: Db, orgId: string, userId: string) {
  const member = await activeMember(db, orgId, userId);
  if (!member || !deps.config.scheduling.bookableRoles.includes(member.role)) {
    throw unprocessable("The practitioner cannot take appointments.", [{
      path: "practitionerId",
      in: "body",
      message: member
        ? `has role ${member.role}; appointments are taken by ${
          deps.config.scheduling.bookableRoles.join(", ")
        }`
        : "is not an active member of this organisation",
    }]);
  }
  return member;
}

/** A facility of the organisation, or 422 naming the field. */
export async function assertFacility(
  db: Db,
  orgId: string,
  facilityId: string | null | undefined,
  path = "facilityId",
) {
  if (!facilityId) return;
  const row = await findInTenant(db, facilities, orgId, facilityId);
  if (!row) {
    throw unprocessable("Unknown facility.", [{
      path,
      in: "body",
      message: "is not a facility of this organisation",
    }]);
  }
}

/**
 * The patient a booking or visit names in its body: 422 naming `patientId` when it is unknown or
 * another organisation's (a reference in a body, not the resource of the URL), 409 when merged.
 */
export async function bodyPatient(db: Db, orgId: string, patientId: string) {
  try {
    return await livePatient(db, orgId, patientId);
  } catch (err) {
    if (err instanceof ProblemError && err.status === 404) {
      throw unprocessable("Unknown patient.", [{
        path: "patientId",
        in: "body",
        message: "is not a patient of this organisation",
      }]);
    }
    throw err;
  }
}
