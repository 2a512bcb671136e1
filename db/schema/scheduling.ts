/**
 * Scheduling and the front desk: practitioners' weekly schedules and their exceptions,
 * appointments with their confirmation attempts, the visits (encounters) that check-in opens,
 * and the calendar feeds a practitioner reads on a phone.
 *
 * Times of day in schedules are clinic-local ("08:30" in the organisation's timezone); instants
 * (an appointment's start) are UTC ISO-8601, so a daylight-saving change moves neither.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { businessColumns } from "./columns.ts";
import { facilities, users } from "./identity.ts";
import { patients } from "./patients.ts";

/** One weekly session of a practitioner: every `weekday`, from `start_time` to `end_time`. */
export const practitionerSchedules = sqliteTable("practitioner_schedules", {
  ...businessColumns(),
  practitionerId: text("practitioner_id").notNull().references(() => users.id),
  /** Where the session is held; null: the organisation as a whole (no facility named). */
  facilityId: text("facility_id").references(() => facilities.id),
  /** ISO weekday: 1 Monday … 7 Sunday. */
  weekday: integer("weekday").notNull(),
  /** Clinic-local "HH:MM". */
  startTime: text("start_time").notNull(),
  endTime: text("end_time").notNull(),
  slotMinutes: integer("slot_minutes").notNull(),
  /** Appointment types bookable in the session; empty: every type. */
  appointmentTypes: text("appointment_types", { mode: "json" }).$type<string[]>().notNull(),
  /** Clinic-local dates the template applies from / until (inclusive); null: open-ended. */
  validFrom: text("valid_from"),
  validTo: text("valid_to"),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
}, (t) => [index("practitioner_schedules_practitioner_idx").on(t.orgId, t.practitionerId)]);

/**
 * Leave, a holiday or an extra session. A practitioner's own, or (practitioner null) every
 * practitioner's: a public holiday of the organisation or of one facility.
 */
export const scheduleExceptions = sqliteTable("schedule_exceptions", {
  ...businessColumns(),
  practitionerId: text("practitioner_id").references(() => users.id),
  facilityId: text("facility_id").references(() => facilities.id),
  /** leave | holiday | extra_session */
  kind: text("kind").notNull(),
  /** Clinic-local dates, inclusive. */
  dateFrom: text("date_from").notNull(),
  dateTo: text("date_to").notNull(),
  /** Part of each day ("HH:MM"); null for leave and holidays: the whole day. */
  startTime: text("start_time"),
  endTime: text("end_time"),
  /** An extra session's slot length and types. */
  slotMinutes: integer("slot_minutes"),
  appointmentTypes: text("appointment_types", { mode: "json" }).$type<string[]>(),
  reason: text("reason"),
}, (t) => [index("schedule_exceptions_org_dates_idx").on(t.orgId, t.dateTo, t.dateFrom)]);

export const appointments = sqliteTable("appointments", {
  ...businessColumns(),
  patientId: text("patient_id").notNull().references(() => patients.id),
  practitionerId: text("practitioner_id").notNull().references(() => users.id),
  facilityId: text("facility_id").references(() => facilities.id),
  /** UTC instants; the interval is half-open: [start, end). */
  startAt: text("start_at").notNull(),
  endAt: text("end_at").notNull(),
  durationMinutes: integer("duration_minutes").notNull(),
  /** consultation | follow_up | emergency | procedure | vaccination | teleconsultation */
  type: text("type").notNull(),
  /** scheduled | confirmed | checked_in | in_progress | completed | cancelled | no_show */
  status: text("status").notNull(),
  reason: text("reason"),
  /** Booked outside the practitioner's schedule by someone allowed to. */
  override: integer("override", { mode: "boolean" }).notNull().default(false),
  rescheduleCount: integer("reschedule_count").notNull().default(0),
  confirmedAt: text("confirmed_at"),
  checkedInAt: text("checked_in_at"),
  startedAt: text("started_at"),
  completedAt: text("completed_at"),
  cancelledAt: text("cancelled_at"),
  cancelReason: text("cancel_reason"),
  noShowAt: text("no_show_at"),
  /** The visit check-in opened. */
  encounterId: text("encounter_id"),
}, (t) => [
  // The overlap check: a practitioner's appointments ending after a start, in one range scan.
  index("appointments_practitioner_time_idx").on(t.orgId, t.practitionerId, t.endAt),
  index("appointments_patient_idx").on(t.patientId, t.startAt),
  index("appointments_org_start_idx").on(t.orgId, t.startAt),
]);

/** Each attempt to confirm an appointment with the patient (*lab-scheduling* did it by phone). */
export const appointmentConfirmations = sqliteTable("appointment_confirmations", {
  ...businessColumns(),
  appointmentId: text("appointment_id").notNull().references(() => appointments.id),
  patientId: text("patient_id").notNull().references(() => patients.id),
  /** call | sms | whatsapp | email | in_person */
  method: text("method").notNull(),
  /** confirmed | declined | no_answer | reschedule_requested */
  outcome: text("outcome").notNull(),
  notes: text("notes"),
  operatorId: text("operator_id"),
  at: text("at").notNull(),
}, (t) => [
  index("appointment_confirmations_appointment_idx").on(t.appointmentId),
  index("appointment_confirmations_patient_idx").on(t.patientId),
]);

/** A visit: opened by check-in (or a walk-in), seen, closed. The clinical record fills it. */
export const encounters = sqliteTable("encounters", {
  ...businessColumns(),
  patientId: text("patient_id").notNull().references(() => patients.id),
  practitionerId: text("practitioner_id").references(() => users.id),
  facilityId: text("facility_id").references(() => facilities.id),
  appointmentId: text("appointment_id"),
  /** The appointment types, plus walk_in. */
  type: text("type").notNull(),
  /** emergency | urgent | normal: the queue sees emergencies first. */
  priority: text("priority").notNull(),
  /** waiting | in_consultation | closed | cancelled | left_without_being_seen */
  status: text("status").notNull(),
  arrivedAt: text("arrived_at").notNull(),
  /** The clinic-local day of arrival, for day lists and statistics. */
  localDay: text("local_day").notNull(),
  startedAt: text("started_at"),
  closedAt: text("closed_at"),
  cancelReason: text("cancel_reason"),
}, (t) => [
  index("encounters_patient_idx").on(t.patientId, t.status),
  index("encounters_queue_idx").on(t.orgId, t.status, t.facilityId),
  index("encounters_org_day_idx").on(t.orgId, t.localDay),
]);

/**
 * A practitioner's iCalendar feed: the token in its URL is the credential, stored only as its
 * hash, and revocable.
 */
export const calendarFeeds = sqliteTable("calendar_feeds", {
  ...businessColumns(),
  userId: text("user_id").notNull().references(() => users.id),
  tokenHash: text("token_hash").notNull(),
  revokedAt: text("revoked_at"),
  lastUsedAt: text("last_used_at"),
}, (t) => [
  uniqueIndex("calendar_feeds_token_uq").on(t.tokenHash),
  index("calendar_feeds_user_idx").on(t.orgId, t.userId),
]);
