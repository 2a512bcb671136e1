/**
 * Appointments: booking without double booking, rescheduling, cancelling, confirming and
 * no-shows. Check-in, start and completion go through the visit (encounters.ts).
 *
 * States: scheduled → confirmed → checked_in → in_progress → completed, and from scheduled or
 * confirmed to cancelled or no_show. Completed, cancelled and no-show are final. Every other move
 * answers 409 naming the status.
 *
 * No double booking: the overlap check and the insert run in one write transaction, which holds
 * the database's write lock (BEGIN IMMEDIATE on the embedded file, a write transaction on a
 * libSQL server) from the check to the commit, so of two racing bookings the second sees the
 * first. tests/scheduling_race.test.ts fires 60 at once.
 */
import type { z } from "@hono/zod-openapi";
import type { Db } from "../../../db/client.ts";
import { appointmentConfirmations, appointments } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, forbidden, notFound, unprocessable } from "../../lib/errors.ts";
import { localParts, MINUTE } from "../../lib/time.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { overlapping } from "./repository.ts";
import type { AppointmentInput, AppointmentPatch, ConfirmInput } from "./schemas.ts";
import {
  type AppointmentT,
  assertBookable,
  assertFacility,
  bodyPatient,
  timezoneOf,
  toAppointment,
} from "./service.ts";
import { sessionHolding, sessionsBetween } from "./sessions.ts";
import { cancelReminders, moveReminders, scheduleReminders } from "./reminders.ts";

export type AppointmentRow = typeof appointments.$inferSelect;
const ENTITY = "appointment";
const FIELDS = ["startAt", "endAt", "durationMinutes", "practitionerId", "facilityId", "type"];
/** No reschedule this close to the start (cancel and check-in stay possible). */
const RESCHEDULE_CUTOFF_MINUTES = 30;

const field = (path: string, message: string) => ({ path, in: "body", message });

/** The interval's own rules: within 15–240 minutes, not in the past. */
function checkInterval(deps: Deps, startIso: string, durationMinutes: number) {
  const problems = [];
  if (!Number.isInteger(durationMinutes) || durationMinutes < 15 || durationMinutes > 240) {
    problems.push(field("durationMinutes", "must be between 15 and 240 minutes"));
  }
  const start = Date.parse(startIso);
  if (start < deps.clock.now().getTime()) problems.push(field("start", "must not be in the past"));
  if (problems.length) throw unprocessable("The appointment time is not valid.", problems);
  return { start, end: start + durationMinutes * MINUTE };
}

interface Slot {
  practitionerId: string;
  facilityId: string | null;
  type: string;
  start: number;
  end: number;
  override: boolean;
}

/**
 * Fits the interval in the practitioner's schedule (422 outside it unless overridden by someone
 * allowed to) and refuses an overlap with one of their active appointments (409 with them).
 * Answers the facility, taken from the session when the booking named none.
 */
async function claimSlot(
  deps: Deps,
  tx: Db,
  a: Actor,
  slot: Slot,
  exceptId?: string,
): Promise<{ facilityId: string | null; override: boolean }> {
  const timezone = await timezoneOf(tx, a.orgId);
  const day = localParts(slot.start, timezone).date;
  const sessions = (await sessionsBetween(tx, a.orgId, slot.practitionerId, day, day))
    .filter((s) => !slot.facilityId || !s.facilityId || s.facilityId === slot.facilityId);
  const session = sessionHolding(sessions, slot.start, slot.end, timezone);
  const fits = session && (session.types.length === 0 || session.types.includes(slot.type));
  let override = false;
  if (!fits) {
    if (!slot.override) {
      throw unprocessable("The time is outside the practitioner's schedule.", [
        field(
          "start",
          session
            ? `the session does not take ${slot.type} appointments`
            : "is not within a session of the practitioner's schedule",
        ),
      ]);
    }
    if (!deps.registry.permissions.can(a.role, "appointments:override")) {
      throw forbidden("Booking outside the schedule needs the appointments:override permission.");
    }
    override = true;
  }
  const startIso = new Date(slot.start).toISOString();
  const endIso = new Date(slot.end).toISOString();
  const clash = await overlapping(tx, a.orgId, slot.practitionerId, startIso, endIso, exceptId);
  if (clash.length) {
    throw conflict("The practitioner already has an appointment at that time.", {
      conflicts: clash.map(toAppointment),
    });
  }
  return { facilityId: slot.facilityId ?? session?.facilityId ?? null, override };
}

export async function bookAppointment(
  deps: Deps,
  a: Actor,
  input: z.infer<typeof AppointmentInput>,
): Promise<AppointmentT> {
  const { start, end } = checkInterval(deps, input.start, input.durationMinutes);
  const now = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const patient = await bodyPatient(tx, a.orgId, input.patientId);
    await assertBookable(deps, tx, a.orgId, input.practitionerId);
    await assertFacility(tx, a.orgId, input.facilityId);
    const { facilityId, override } = await claimSlot(deps, tx, a, {
      practitionerId: input.practitionerId,
      facilityId: input.facilityId ?? null,
      type: input.type,
      start,
      end,
      override: input.override ?? false,
    });
    const row = await insertTracked(tx, appointments, {
      ...stamp(a.orgId, a.userId, now),
      patientId: input.patientId,
      practitionerId: input.practitionerId,
      facilityId,
      startAt: new Date(start).toISOString(),
      endAt: new Date(end).toISOString(),
      durationMinutes: input.durationMinutes,
      type: input.type,
      status: "scheduled",
      reason: input.reason ?? null,
      override,
    });
    await deps.audit.record(tx, a, {
      action: `${ENTITY}.create`,
      entityType: ENTITY,
      entityId: row.id,
      patientId: row.patientId,
    });
    await scheduleReminders(deps, tx, a, row, patient);
    return toAppointment(row);
  });
}

async function findAppointment(db: Db, orgId: string, id: string) {
  const row = await findInTenant(db, appointments, orgId, id);
  if (!row) throw notFound("Appointment");
  return row;
}

export async function readAppointment(deps: Deps, a: Actor, id: string) {
  const row = await findAppointment(deps.db.db, a.orgId, id);
  deps.audit.recordRead(a, {
    action: `${ENTITY}.read`,
    entityType: ENTITY,
    entityId: id,
    patientId: row.patientId,
  });
  return toAppointment(row);
}

const refuseUnless = (row: AppointmentRow, allowed: string[], doing: string) => {
  if (!allowed.includes(row.status)) {
    throw conflict(`A ${row.status} appointment cannot be ${doing}.`, { state: row.status });
  }
};

/** Reschedule (a new time, duration or practitioner) or amend the type and reason. */
export async function changeAppointment(
  deps: Deps,
  a: Actor,
  id: string,
  patch: z.infer<typeof AppointmentPatch>,
  expectedVersion: number | undefined,
) {
  const nowMs = deps.clock.now().getTime();
  return await deps.db.transaction(async (tx) => {
    const current = await findAppointment(tx, a.orgId, id);
    const moves = (patch.start !== undefined &&
      Date.parse(patch.start) !== Date.parse(current.startAt)) ||
      (patch.durationMinutes !== undefined &&
        patch.durationMinutes !== current.durationMinutes) ||
      (patch.practitionerId !== undefined && patch.practitionerId !== current.practitionerId) ||
      (patch.facilityId !== undefined && patch.facilityId !== current.facilityId) ||
      (patch.type !== undefined && patch.type !== current.type);
    const row = await auditedUpdate(deps, tx, a, {
      table: appointments,
      label: "Appointment",
      id,
      expectedVersion,
      action: `${ENTITY}.${moves ? "reschedule" : "update"}`,
      entityType: ENTITY,
      patientId: current.patientId,
      fields: [...FIELDS, "reason"],
      check: (before) => {
        refuseUnless(before, ["scheduled", "confirmed"], "changed");
        if (moves && Date.parse(before.startAt) - nowMs < RESCHEDULE_CUTOFF_MINUTES * MINUTE) {
          throw conflict(
            `An appointment cannot be moved within ${RESCHEDULE_CUTOFF_MINUTES} minutes of its ` +
              "start; cancel it or check the patient in.",
          );
        }
      },
      set: async (before) => {
        const reason = patch.reason !== undefined ? { reason: patch.reason } : {};
        if (!moves) return reason;
        const startIso = patch.start ?? before.startAt;
        const duration = patch.durationMinutes ?? before.durationMinutes;
        const { start, end } = checkInterval(deps, startIso, duration);
        const practitionerId = patch.practitionerId ?? before.practitionerId;
        if (practitionerId !== before.practitionerId) {
          await assertBookable(deps, tx, a.orgId, practitionerId);
        }
        const facility = patch.facilityId !== undefined ? patch.facilityId : before.facilityId;
        await assertFacility(tx, a.orgId, facility);
        const type = patch.type ?? before.type;
        const claimed = await claimSlot(deps, tx, a, {
          practitionerId,
          facilityId: facility,
          type,
          start,
          end,
          override: patch.override ?? false,
        }, id);
        return {
          ...reason,
          practitionerId,
          facilityId: claimed.facilityId,
          type,
          startAt: new Date(start).toISOString(),
          endAt: new Date(end).toISOString(),
          durationMinutes: duration,
          override: claimed.override,
          // A confirmation was for the old time.
          status: "scheduled",
          confirmedAt: null,
          rescheduleCount: before.rescheduleCount + (start !== Date.parse(before.startAt) ? 1 : 0),
        };
      },
    });
    if (moves) await moveReminders(deps, tx, a, row);
    return toAppointment(row);
  });
}

/** A move of the state machine that needs no other input: cancel, no-show. */
async function transition(
  deps: Deps,
  a: Actor,
  id: string,
  spec: {
    from: string[];
    doing: string;
    operation: string;
    check?: (row: AppointmentRow) => void;
    set: Partial<AppointmentRow>;
  },
) {
  return await deps.db.transaction(async (tx) => {
    const current = await findAppointment(tx, a.orgId, id);
    const row = await auditedUpdate(deps, tx, a, {
      table: appointments,
      label: "Appointment",
      id,
      expectedVersion: undefined,
      action: `${ENTITY}.${spec.operation}`,
      entityType: ENTITY,
      patientId: current.patientId,
      fields: ["status"],
      check: (before) => {
        refuseUnless(before, spec.from, spec.doing);
        spec.check?.(before);
      },
      set: spec.set,
    });
    await cancelReminders(deps, tx, a, row.id);
    return toAppointment(row);
  });
}

export function cancelAppointment(deps: Deps, a: Actor, id: string, reason: string) {
  const now = deps.clock.now().toISOString();
  return transition(deps, a, id, {
    from: ["scheduled", "confirmed"],
    doing: "cancelled (a checked-in patient's visit is cancelled instead)",
    operation: "cancel",
    set: { status: "cancelled", cancelledAt: now, cancelReason: reason },
  });
}

export function markNoShow(deps: Deps, a: Actor, id: string) {
  const now = deps.clock.now();
  return transition(deps, a, id, {
    from: ["scheduled", "confirmed"],
    doing: "marked as a no-show",
    operation: "no-show",
    check: (row) => {
      if (Date.parse(row.startAt) > now.getTime()) {
        throw conflict("A patient can be marked as a no-show only after the start time.", {
          start: row.startAt,
        });
      }
    },
    set: { status: "no_show", noShowAt: now.toISOString() },
  });
}

/** Records a confirmation attempt; an attempt that reached a confirmation confirms. */
export async function confirmAppointment(
  deps: Deps,
  a: Actor,
  id: string,
  input: z.infer<typeof ConfirmInput>,
) {
  const now = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    let row = await findAppointment(tx, a.orgId, id);
    refuseUnless(row, ["scheduled", "confirmed"], "confirmed");
    const attempt = await insertTracked(tx, appointmentConfirmations, {
      ...stamp(a.orgId, a.userId, now),
      appointmentId: id,
      patientId: row.patientId,
      method: input.method,
      outcome: input.outcome,
      notes: input.notes ?? null,
      operatorId: a.userId,
      at: now,
    });
    await deps.audit.record(tx, a, {
      action: "appointment-confirmation.create",
      entityType: "appointment-confirmation",
      entityId: attempt.id,
      patientId: row.patientId,
    });
    if (input.outcome === "confirmed" && row.status === "scheduled") {
      row = await auditedUpdate(deps, tx, a, {
        table: appointments,
        label: "Appointment",
        id,
        expectedVersion: undefined,
        action: `${ENTITY}.confirm`,
        entityType: ENTITY,
        patientId: row.patientId,
        fields: ["status"],
        set: { status: "confirmed", confirmedAt: now },
      });
    }
    return {
      appointment: toAppointment(row),
      confirmation: {
        id: attempt.id,
        appointmentId: attempt.appointmentId,
        patientId: attempt.patientId,
        method: attempt.method as z.infer<typeof ConfirmInput>["method"],
        outcome: attempt.outcome as z.infer<typeof ConfirmInput>["outcome"],
        notes: attempt.notes,
        operatorId: attempt.operatorId,
        at: attempt.at,
      },
    };
  });
}
