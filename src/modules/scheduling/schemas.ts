import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/openapi.ts";
import { isoDate } from "../patients/mod.ts";

export const APPOINTMENT_TYPES = [
  "consultation",
  "follow_up",
  "emergency",
  "procedure",
  "vaccination",
  "teleconsultation",
] as const;
export const APPOINTMENT_STATUSES = [
  "scheduled",
  "confirmed",
  "checked_in",
  "in_progress",
  "completed",
  "cancelled",
  "no_show",
] as const;
/** Statuses that hold the practitioner's time: two of them may not overlap. */
export const ACTIVE_STATUSES = ["scheduled", "confirmed", "checked_in", "in_progress"] as const;
export const CONFIRMATION_METHODS = ["call", "sms", "whatsapp", "email", "in_person"] as const;
export const CONFIRMATION_OUTCOMES = [
  "confirmed",
  "declined",
  "no_answer",
  "reschedule_requested",
] as const;
export const ENCOUNTER_STATUSES = [
  "waiting",
  "in_consultation",
  "closed",
  "cancelled",
  "left_without_being_seen",
] as const;
export const ENCOUNTER_TYPES = [...APPOINTMENT_TYPES, "walk_in"] as const;
export const PRIORITIES = ["emergency", "urgent", "normal"] as const;
export const EXCEPTION_KINDS = ["leave", "holiday", "extra_session"] as const;

const Id = z.string().uuid();
const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time as HH:MM");
/** An instant with its offset, as a clinic frontend sends it. */
const Instant = z.string().datetime({ offset: true }).openapi({
  example: "2026-12-01T09:00:00+03:00",
});
const Types = z.array(z.enum(APPOINTMENT_TYPES)).max(APPOINTMENT_TYPES.length);
const Meta = {
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
};

// --- Schedules ---------------------------------------------------------------------------

const ScheduleFields = z.object({
  practitionerId: Id,
  facilityId: Id.nullable().optional(),
  weekday: z.number().int().min(1).max(7).openapi({ description: "1 Monday … 7 Sunday" }),
  startTime: Time.openapi({ example: "08:30" }),
  endTime: Time.openapi({ example: "12:30" }),
  slotMinutes: z.number().int().min(5).max(240).openapi({ example: 15 }),
  appointmentTypes: Types.default([]).openapi({ description: "Empty: every type." }),
  validFrom: isoDate.nullable().optional(),
  validTo: isoDate.nullable().optional(),
});

const endsAfterStart = (o: { startTime?: string | null; endTime?: string | null }) =>
  !o.startTime || !o.endTime || o.endTime > o.startTime;
const TIME_ORDER = { message: "must be after startTime", path: ["endTime"] };

export const ScheduleInput = ScheduleFields.refine(endsAfterStart, TIME_ORDER)
  .openapi("ScheduleInput");
export const SchedulePatch = ScheduleFields.omit({ practitionerId: true }).partial()
  .extend({ active: z.boolean().optional() })
  .refine((o) => Object.keys(o).length > 0, "send at least one field")
  .refine(endsAfterStart, TIME_ORDER)
  .openapi("SchedulePatch");

export const Schedule = z.object({
  id: z.string(),
  practitionerId: z.string(),
  facilityId: z.string().nullable(),
  weekday: z.number().int(),
  startTime: z.string(),
  endTime: z.string(),
  slotMinutes: z.number().int(),
  appointmentTypes: z.array(z.string()),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
  active: z.boolean(),
  ...Meta,
}).openapi("Schedule");

export const ScheduleListQuery = z.object({
  ...PageQuery,
  practitionerId: Id.optional(),
  facilityId: Id.optional(),
});

export const ExceptionInput = z.object({
  practitionerId: Id.nullable().optional().openapi({
    description: "Null or absent: every practitioner (a holiday of the organisation or facility).",
  }),
  facilityId: Id.nullable().optional(),
  kind: z.enum(EXCEPTION_KINDS),
  dateFrom: isoDate,
  dateTo: isoDate,
  startTime: Time.nullable().optional().openapi({
    description: "Part of each day; absent: all day.",
  }),
  endTime: Time.nullable().optional(),
  slotMinutes: z.number().int().min(5).max(240).nullable().optional(),
  appointmentTypes: Types.nullable().optional(),
  reason: z.string().trim().max(500).nullable().optional(),
}).refine((o) => o.dateTo >= o.dateFrom, {
  message: "must not be before dateFrom",
  path: ["dateTo"],
})
  .refine((o) => !o.startTime === !o.endTime, {
    message: "give both startTime and endTime, or neither",
    path: ["endTime"],
  })
  .refine(endsAfterStart, TIME_ORDER)
  .refine((o) => o.kind !== "extra_session" || (o.startTime && o.slotMinutes && o.practitionerId), {
    message: "an extra session needs practitionerId, startTime, endTime and slotMinutes",
    path: ["kind"],
  })
  .openapi("ScheduleExceptionInput");

export const ScheduleException = z.object({
  id: z.string(),
  practitionerId: z.string().nullable(),
  facilityId: z.string().nullable(),
  kind: z.enum(EXCEPTION_KINDS),
  dateFrom: z.string(),
  dateTo: z.string(),
  startTime: z.string().nullable(),
  endTime: z.string().nullable(),
  slotMinutes: z.number().int().nullable(),
  appointmentTypes: z.array(z.string()).nullable(),
  reason: z.string().nullable(),
  ...Meta,
}).openapi("ScheduleException");

export const ExceptionListQuery = z.object({
  ...PageQuery,
  practitionerId: Id.optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

export const AvailabilityQuery = z.object({
  practitionerId: Id,
  from: isoDate.openapi({ description: "First clinic-local day", example: "2026-12-01" }),
  to: isoDate.openapi({ description: "Last clinic-local day (at most 31 days)" }),
  type: z.enum(APPOINTMENT_TYPES).optional(),
  facilityId: Id.optional(),
}).refine((q) => q.to >= q.from, { message: "must not be before from", path: ["to"] });

export const Slot = z.object({
  start: z.string(),
  end: z.string(),
  facilityId: z.string().nullable(),
}).openapi("Slot");

export const Availability = z.object({
  timezone: z.string(),
  data: z.array(Slot),
}).openapi("Availability");

// --- Appointments ------------------------------------------------------------------------

export const AppointmentInput = z.object({
  patientId: Id,
  practitionerId: Id.openapi({ description: "The practitioner's user id." }),
  facilityId: Id.nullable().optional(),
  start: Instant,
  durationMinutes: z.number().int().openapi({ description: "15 to 240", example: 20 }),
  type: z.enum(APPOINTMENT_TYPES),
  reason: z.string().trim().max(1000).nullable().optional(),
  override: z.boolean().optional().openapi({
    description: "Book outside the practitioner's schedule (appointments:override).",
  }),
}).openapi("AppointmentInput");

export const AppointmentPatch = z.object({
  start: Instant.optional(),
  durationMinutes: z.number().int().optional(),
  practitionerId: Id.optional(),
  facilityId: Id.nullable().optional(),
  type: z.enum(APPOINTMENT_TYPES).optional(),
  reason: z.string().trim().max(1000).nullable().optional(),
  override: z.boolean().optional(),
}).refine((o) => Object.keys(o).length > 0, "send at least one field")
  .openapi("AppointmentPatch");

export const Appointment = z.object({
  id: z.string(),
  patientId: z.string(),
  practitionerId: z.string(),
  facilityId: z.string().nullable(),
  start: z.string(),
  end: z.string(),
  durationMinutes: z.number().int(),
  type: z.enum(APPOINTMENT_TYPES),
  status: z.enum(APPOINTMENT_STATUSES),
  reason: z.string().nullable(),
  override: z.boolean(),
  rescheduleCount: z.number().int(),
  confirmedAt: z.string().nullable(),
  checkedInAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  cancelReason: z.string().nullable(),
  noShowAt: z.string().nullable(),
  encounterId: z.string().nullable(),
  ...Meta,
}).openapi("Appointment");

export const AppointmentListQuery = z.object({
  ...PageQuery,
  practitionerId: Id.optional(),
  facilityId: Id.optional(),
  patientId: Id.optional(),
  status: z.enum(APPOINTMENT_STATUSES).optional(),
  type: z.enum(APPOINTMENT_TYPES).optional(),
  from: Instant.optional().openapi({ description: "Appointments starting at or after" }),
  to: Instant.optional().openapi({ description: "Appointments starting before" }),
});

export const CancelInput = z.object({
  reason: z.string().trim().min(1).max(500),
}).openapi("CancelInput");

export const ConfirmInput = z.object({
  method: z.enum(CONFIRMATION_METHODS),
  outcome: z.enum(CONFIRMATION_OUTCOMES),
  notes: z.string().trim().max(1000).nullable().optional(),
}).openapi("ConfirmationInput");

export const Confirmation = z.object({
  id: z.string(),
  appointmentId: z.string(),
  patientId: z.string(),
  method: z.enum(CONFIRMATION_METHODS),
  outcome: z.enum(CONFIRMATION_OUTCOMES),
  notes: z.string().nullable(),
  operatorId: z.string().nullable(),
  at: z.string(),
}).openapi("Confirmation");

export const ConfirmResult = z.object({
  appointment: Appointment,
  confirmation: Confirmation,
}).openapi("ConfirmResult");

export const PatientAppointmentStats = z.object({
  patientId: z.string(),
  appointments: z.number().int(),
  completed: z.number().int(),
  cancelled: z.number().int(),
  noShows: z.number().int(),
  noShowRate: z.number().nullable().openapi({
    description: "No-shows over appointments whose time has come (completed or no-show).",
  }),
  confirmationAttempts: z.number().int(),
  confirmationRate: z.number().nullable().openapi({
    description: "Attempts that reached a confirmation, over all attempts.",
  }),
}).openapi("PatientAppointmentStats");

export const CalendarQuery = z.object({
  view: z.enum(["day", "week"]).default("day"),
  date: isoDate.optional().openapi({ description: "A clinic-local day; default today" }),
  practitionerId: Id.optional(),
  facilityId: Id.optional(),
  patientId: Id.optional(),
});

export const Calendar = z.object({
  view: z.enum(["day", "week"]),
  timezone: z.string(),
  from: z.string(),
  to: z.string(),
  days: z.array(z.object({ date: z.string(), appointments: z.array(Appointment) })),
}).openapi("Calendar");

export const StatsQuery = z.object({
  from: isoDate.optional(),
  to: isoDate.optional(),
  facilityId: Id.optional(),
  practitionerId: Id.optional(),
});

export const AppointmentStats = z.object({
  from: z.string(),
  to: z.string(),
  appointments: z.number().int(),
  byStatus: z.record(z.string(), z.number().int()),
  byType: z.record(z.string(), z.number().int()),
  visits: z.object({ scheduled: z.number().int(), walkIn: z.number().int() }),
  noShowRate: z.number().nullable(),
}).openapi("AppointmentStats");

// --- Encounters and the queue ------------------------------------------------------------

export const EncounterInput = z.object({
  patientId: Id,
  practitionerId: Id.nullable().optional(),
  facilityId: Id.nullable().optional(),
  appointmentId: Id.optional().openapi({ description: "Check in this appointment instead." }),
  type: z.enum(ENCOUNTER_TYPES).optional(),
  priority: z.enum(PRIORITIES).optional(),
}).openapi("EncounterInput");

export const CheckInInput = z.object({
  priority: z.enum(PRIORITIES).optional(),
}).openapi("CheckInInput");

export const Encounter = z.object({
  id: z.string(),
  patientId: z.string(),
  practitionerId: z.string().nullable(),
  facilityId: z.string().nullable(),
  appointmentId: z.string().nullable(),
  type: z.enum(ENCOUNTER_TYPES),
  priority: z.enum(PRIORITIES),
  status: z.enum(ENCOUNTER_STATUSES),
  arrivedAt: z.string(),
  startedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  cancelReason: z.string().nullable(),
  ...Meta,
}).openapi("Encounter");

export const CheckInResult = Appointment.extend({ encounter: Encounter })
  .openapi("CheckInResult");

export const EncounterCancelInput = z.object({
  reason: z.string().trim().min(1).max(500),
  leftWithoutBeingSeen: z.boolean().optional(),
}).openapi("EncounterCancelInput");

export const EncounterListQuery = z.object({
  ...PageQuery,
  status: z.enum(ENCOUNTER_STATUSES).optional(),
  patientId: Id.optional(),
  practitionerId: Id.optional(),
  facilityId: Id.optional(),
  day: isoDate.optional().openapi({ description: "Clinic-local day of arrival" }),
});

export const QueueQuery = z.object({
  facilityId: Id.optional(),
  practitionerId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100).openapi({
    description: "The first so many in the queue",
  }),
});

export const QueueEntry = z.object({
  encounterId: z.string(),
  patientId: z.string(),
  practitionerId: z.string().nullable(),
  facilityId: z.string().nullable(),
  appointmentId: z.string().nullable(),
  priority: z.enum(PRIORITIES),
  status: z.enum(ENCOUNTER_STATUSES),
  arrivedAt: z.string(),
  waitingMinutes: z.number().int(),
}).openapi("QueueEntry");

export const Queue = z.object({ data: z.array(QueueEntry) }).openapi("Queue");

export const CallNextInput = z.object({
  facilityId: Id.optional(),
  practitionerId: Id.optional().openapi({
    description: "Whose queue; default the caller's own. Unassigned patients come with it.",
  }),
}).openapi("CallNextInput");

// --- Calendar feeds ----------------------------------------------------------------------

export const CalendarFeed = z.object({
  id: z.string(),
  userId: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  version: z.number().int(),
}).openapi("CalendarFeed");

export const NewCalendarFeed = CalendarFeed.extend({
  token: z.string().openapi({ description: "Shown once; the feed URL holds it." }),
  url: z.string().openapi({ description: "Subscribe to this URL in a calendar app." }),
}).openapi("NewCalendarFeed");

export const FeedTokenParam = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/).openapi({
    param: { name: "token", in: "path" },
  }),
});
