/**
 * The front desk: practitioners' schedules, availability, appointments without double booking,
 * confirmations and reminders, check-in, visits (encounters) and the queue, calendars.
 * The clinical record fills the visits opened here; other modules hold a visit open with an
 * `encounter.close` gate.
 */
import {
  appointmentConfirmations,
  appointments,
  calendarFeeds,
  encounters,
  practitionerSchedules,
  scheduleExceptions,
} from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { routesOf } from "../../lib/router.ts";
import {
  registerAppointmentHandlers,
  registerEncounterHandlers,
  registerScheduleHandlers,
} from "./handlers.ts";
import { registerFeedHandlers } from "./handlers-feeds.ts";
import { onRemoteAppointment, onRemoteEncounter } from "./remote.ts";
import { lastEncounters } from "./encounters.ts";

export { Appointment, Encounter } from "./schemas.ts";
export { toAppointment, toEncounter } from "./service.ts";
export { openVisitFor, visitOf } from "./encounters.ts";
export type { EncounterRow } from "./repository.ts";

const FRONT_DESK = ["ADMIN", "RECEPTION", "DOCTOR", "NURSE"] as const;

export const schedulingModule = defineModule({
  name: "scheduling",
  events: {
    "encounter.started": "A visit's consultation began (booked or walk-in): {encounterId, " +
      "patientId, type, facilityId, practitionerId, appointmentId}. Billable.",
    "encounter.cancelled": "A visit was cancelled or the patient left unseen: {encounterId, " +
      "patientId, reason}. Reverses what the visit was charged.",
  },
  routes: routesOf(
    registerScheduleHandlers,
    registerAppointmentHandlers,
    registerEncounterHandlers,
    registerFeedHandlers,
  ),
  permissions: {
    "schedules:read": FRONT_DESK,
    "schedules:write": ["ADMIN"],
    "appointments:read": FRONT_DESK,
    "appointments:write": ["ADMIN", "RECEPTION"],
    "appointments:override": ["ADMIN"],
    "encounters:read": FRONT_DESK,
    "encounters:write": FRONT_DESK,
    "encounters:treat": ["DOCTOR", "NURSE"],
  },
  tables: [
    { table: practitionerSchedules, sync: "merge", versioned: true },
    { table: scheduleExceptions, sync: "merge", versioned: true },
    {
      table: appointments,
      sync: "merge",
      versioned: true,
      facilityColumn: appointments.facilityId,
      onRemoteApply: onRemoteAppointment,
    },
    {
      table: appointmentConfirmations,
      sync: "merge",
      notVersioned: "attempts are written once and never changed",
    },
    {
      table: encounters,
      sync: "merge",
      versioned: true,
      facilityColumn: encounters.facilityId,
      onRemoteApply: onRemoteEncounter,
    },
    {
      table: calendarFeeds,
      sync: "local",
      notVersioned: "a credential of the server that issued it; revocation is audited",
      secretFields: ["tokenHash"],
    },
  ],
  summarySections: {
    lastEncounters: { permission: "encounters:read", load: lastEncounters },
  },
  patientReferences: [
    appointments.patientId,
    appointmentConfirmations.patientId,
    encounters.patientId,
  ],
});
