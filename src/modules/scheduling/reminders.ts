/**
 * Appointment reminders, queued in the notification outbox in the booking's own transaction at
 * REMINDER_OFFSETS_MINUTES before the start (24 h and 2 h by default): a moved appointment moves
 * them, a cancelled one (or one checked in, or a no-show) cancels them.
 *
 * The channel follows the patient: email when they prefer it and have an address (and SMTP is
 * configured); otherwise the webhook, whose receiver (an SMS or WhatsApp gateway) gets the phone
 * number in `data`. A patient whose contact preference is `none` gets nothing; so does a clinic
 * with neither channel configured.
 */
import type { Db } from "../../../db/client.ts";
import type { PatientRow } from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { localParts, MINUTE } from "../../lib/time.ts";
import {
  cancelNotifications,
  enqueueNotification,
  rescheduleNotifications,
} from "../notifications/mod.ts";
import type { AppointmentRow } from "./repository.ts";
import { timezoneOf } from "./service.ts";

const KIND = "appointment.reminder";
const about = (id: string) => ({ relatedType: "appointment", relatedId: id, kind: KIND });

function channelFor(deps: Deps, patient: PatientRow) {
  const { webhook, smtp } = deps.config.notifications;
  const preference = patient.preferences?.contactMethod ?? null;
  if (preference === "none") return null;
  if (smtp && patient.email && (preference === "email" || !webhook)) {
    return { channel: "email" as const, recipient: patient.email };
  }
  if (webhook) return { channel: "webhook" as const, recipient: null };
  return null;
}

function message(row: AppointmentRow, timezone: string, offsetMinutes: number) {
  const local = localParts(row.startAt, timezone);
  const when = `${local.date} at ${local.time}`;
  return {
    subject: "Appointment reminder",
    body: `Reminder: your ${row.type.replaceAll("_", " ")} appointment is on ${when} ` +
      `(${timezone}). Please arrive 10 minutes early, or call the clinic to reschedule.`,
    payload: {
      appointmentId: row.id,
      patientId: row.patientId,
      practitionerId: row.practitionerId,
      facilityId: row.facilityId,
      type: row.type,
      start: row.startAt,
      end: row.endAt,
      localDate: local.date,
      localTime: local.time,
      timezone,
      minutesBefore: offsetMinutes,
    },
  };
}

export async function scheduleReminders(
  deps: Deps,
  tx: Db,
  a: Actor,
  row: AppointmentRow,
  patient: PatientRow,
) {
  const target = channelFor(deps, patient);
  if (!target) return;
  const timezone = await timezoneOf(tx, a.orgId);
  const now = deps.clock.now().getTime();
  for (const offset of deps.config.scheduling.reminderOffsetsMinutes) {
    const due = Date.parse(row.startAt) - offset * MINUTE;
    if (due <= now) continue;
    const text = message(row, timezone, offset);
    await enqueueNotification(deps, tx, a, {
      ...target,
      ...text,
      patientId: row.patientId,
      relatedType: "appointment",
      relatedId: row.id,
      kind: KIND,
      dueAt: new Date(due).toISOString(),
    });
  }
}

/**
 * A rescheduled appointment: each pending reminder keeps its distance from the start; one whose
 * new time has passed is cancelled.
 */
export async function moveReminders(deps: Deps, tx: Db, a: Actor, row: AppointmentRow) {
  const timezone = await timezoneOf(tx, a.orgId);
  const now = deps.clock.now().getTime();
  await rescheduleNotifications(deps, tx, a, about(row.id), (n) => {
    const offset = Number((n.payload as { minutesBefore?: number }).minutesBefore ?? 0);
    const due = Date.parse(row.startAt) - offset * MINUTE;
    if (due <= now) return null;
    return { dueAt: new Date(due).toISOString(), ...message(row, timezone, offset) };
  });
}

export async function cancelReminders(deps: Deps, tx: Db, a: Actor, appointmentId: string) {
  await cancelNotifications(deps, tx, a, about(appointmentId));
}
