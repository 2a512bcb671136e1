/** Appointments, availability, calendars and statistics. Visits: routes-encounters.ts. */
import { IdParam, IfMatchHeader, json, jsonBody, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  Appointment,
  AppointmentInput,
  AppointmentListQuery,
  AppointmentPatch,
  AppointmentStats,
  Availability,
  AvailabilityQuery,
  Calendar,
  CalendarQuery,
  CancelInput,
  CheckInInput,
  CheckInResult,
  ConfirmInput,
  ConfirmResult,
  PatientAppointmentStats,
  StatsQuery,
} from "./schemas.ts";

const tags = ["Appointments"];
const STATES = "States: scheduled → confirmed → checked_in → in_progress → completed; " +
  "scheduled or confirmed → cancelled or no_show. Completed, cancelled and no-show are final; " +
  "an illegal move answers 409 naming the current status.";

export const availability = defineRoute({
  method: "get",
  path: "/availability",
  tags,
  access: "appointments:read",
  summary: "Free slots of a practitioner",
  description: "The practitioner's sessions (weekly schedule plus extra sessions, less leave " +
    "and holidays) cut into slots, less those in the past and those booked. Days are " +
    "clinic-local; a local time that does not exist that day (a daylight-saving jump) is left " +
    "out. 422 when the practitioner cannot take appointments or the range is over 31 days.",
  request: { query: AvailabilityQuery },
  responses: { 200: json(Availability, "Free slots, earliest first") },
});

export const book = defineRoute({
  method: "post",
  path: "/appointments",
  tags,
  access: "appointments:write",
  summary: "Book an appointment",
  description:
    "422: an unknown patient, a start in the past, a duration outside 15–240 minutes, a practitioner " +
    "who does not take appointments, or a time outside their schedule (unless `override: true` " +
    "from someone with `appointments:override`, else 403). 409: the practitioner already has " +
    "an active appointment overlapping it (`conflicts` lists them; intervals are half-open) or " +
    "the patient was merged. An unknown patient is a 422 naming patientId. Reminders are queued.",
  request: { body: jsonBody(AppointmentInput) },
  responses: { 201: json(Appointment, "The new appointment (status scheduled)") },
});

export const list = defineRoute({
  method: "get",
  path: "/appointments",
  tags,
  access: "appointments:read",
  summary: "List appointments by start time",
  request: { query: AppointmentListQuery },
  responses: { 200: json(PageSchema(Appointment, "AppointmentPage"), "A page of appointments") },
});

export const stats = defineRoute({
  method: "get",
  path: "/appointments/stats",
  tags,
  access: "appointments:read",
  summary: "Appointment statistics for the dashboard",
  description: "By status and type, scheduled visits against walk-ins, and the no-show rate " +
    "(no-shows over completed plus no-shows), over clinic-local days (default the last 30).",
  request: { query: StatsQuery },
  responses: { 200: json(AppointmentStats, "Counts over the period") },
});

export const calendar = defineRoute({
  method: "get",
  path: "/appointments/calendar",
  tags,
  access: "appointments:read",
  summary: "A day or week of appointments",
  description: "Per practitioner or facility (or the whole organisation), grouped by " +
    "clinic-local day; a week runs Monday to Sunday.",
  request: { query: CalendarQuery },
  responses: { 200: json(Calendar, "The days with their appointments") },
});

export const read = defineRoute({
  method: "get",
  path: "/appointments/{id}",
  tags,
  access: "appointments:read",
  summary: "Read an appointment",
  request: { params: IdParam },
  responses: { 200: json(Appointment, "The appointment") },
});

export const update = defineRoute({
  method: "patch",
  path: "/appointments/{id}",
  tags,
  access: "appointments:write",
  summary: "Reschedule or amend an appointment",
  description: "A new start, duration, practitioner, facility or type is a reschedule: the " +
    "same rules as booking (422, 409 on overlap), not within 30 minutes of the current start " +
    "(409; cancel or check in instead), and the appointment goes back to scheduled (its " +
    "confirmation was for the old time). Only scheduled and confirmed appointments change. " +
    STATES,
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(AppointmentPatch) },
  responses: { 200: json(Appointment, "The appointment as it is now") },
  errors: [409, 412, 422],
});

export const confirm = defineRoute({
  method: "post",
  path: "/appointments/{id}/confirm",
  tags,
  access: "appointments:write",
  summary: "Record a confirmation attempt",
  description: "Every attempt is kept (method, outcome, operator, notes); the outcome " +
    "`confirmed` moves a scheduled appointment to confirmed. " + STATES,
  request: { params: IdParam, body: jsonBody(ConfirmInput) },
  responses: { 200: json(ConfirmResult, "The appointment and the attempt recorded") },
});

export const cancel = defineRoute({
  method: "post",
  path: "/appointments/{id}/cancel",
  tags,
  access: "appointments:write",
  summary: "Cancel an appointment",
  description: "Allowed up to the start, and after it; its reminders are cancelled. A " +
    "checked-in patient's visit is cancelled instead. " + STATES,
  request: { params: IdParam, body: jsonBody(CancelInput) },
  responses: { 200: json(Appointment, "The cancelled appointment") },
});

export const checkIn = defineRoute({
  method: "post",
  path: "/appointments/{id}/check-in",
  tags,
  access: "appointments:write",
  summary: "Check the patient in",
  description: "Only on the appointment's clinic-local day (409 otherwise). Opens the visit " +
    "(`encounter`, status waiting, in the queue) unless the patient already has an open visit " +
    "at the facility (409 with its `encounterId`). " + STATES,
  request: { params: IdParam, body: jsonBody(CheckInInput) },
  responses: { 200: json(CheckInResult, "The checked-in appointment with its visit") },
});

export const noShow = defineRoute({
  method: "post",
  path: "/appointments/{id}/no-show",
  tags,
  access: "appointments:write",
  summary: "Mark a no-show",
  description: "Only after the start time (409 before). " + STATES,
  request: { params: IdParam },
  responses: { 200: json(Appointment, "The appointment, status no_show") },
});

export const patientStats = defineRoute({
  method: "get",
  path: "/patients/{id}/appointment-stats",
  tags,
  access: "appointments:read",
  summary: "A patient's appointment, no-show and confirmation rates",
  request: { params: IdParam },
  responses: { 200: json(PatientAppointmentStats, "The patient's figures") },
});
