/**
 * Visits (encounters) and the queue. Check-in of an appointment, or a walk-in, opens a visit:
 * waiting → in_consultation → closed, or cancelled / left_without_being_seen. A patient has at
 * most one open visit per facility: checked inside the opening transaction, which holds the
 * write lock, so two desks checking the same patient in at once open one visit. A visit that came
 * from an appointment carries it along: start → in_progress, close → completed, cancel →
 * cancelled.
 *
 * Closing runs every module's `encounter.close` gate in the closing transaction (the clinical
 * record refuses while a note is unsigned) and answers 409 naming what is open.
 */
import type { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, gt, isNull, or, type Placeholder, type SQL, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type Db, prepared } from "../../../db/client.ts";
import { appointments, encounters } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound, ProblemError, unprocessable } from "../../lib/errors.ts";
import { localParts, MINUTE, todayIn } from "../../lib/time.ts";
import { emit } from "../../lib/events.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { livePatient } from "../patients/mod.ts";
import { activeEncounter, type EncounterRow } from "./repository.ts";
import type { EncounterInput } from "./schemas.ts";
import {
  assertBookable,
  assertFacility,
  bodyPatient,
  timezoneOf,
  toAppointment,
  toEncounter,
} from "./service.ts";
import { cancelReminders } from "./reminders.ts";

const ENTITY = "encounter";
const PRIORITY_RANK: Record<string, number> = { emergency: 0, urgent: 1, normal: 2 };
const OPEN = ["waiting", "in_consultation"];

async function findEncounter(db: Db, orgId: string, id: string) {
  const row = await findInTenant(db, encounters, orgId, id);
  if (!row) throw notFound("Encounter");
  return row;
}

/** Opens a visit in `tx`; 409 with the open one when the patient already has one there. */
async function openVisit(
  deps: Deps,
  tx: Db,
  a: Actor,
  v: {
    patientId: string;
    practitionerId: string | null;
    facilityId: string | null;
    appointmentId: string | null;
    type: string;
    priority: string;
  },
) {
  const open = await activeEncounter(tx, a.orgId, v.patientId, v.facilityId);
  if (open) {
    throw conflict("The patient already has an open visit at this facility.", {
      encounterId: open.id,
    });
  }
  const now = deps.clock.now();
  const row = await insertTracked(tx, encounters, {
    ...stamp(a.orgId, a.userId, now.toISOString()),
    ...v,
    status: "waiting",
    arrivedAt: now.toISOString(),
    localDay: todayIn(await timezoneOf(tx, a.orgId), now),
  });
  await deps.audit.record(tx, a, {
    action: `${ENTITY}.create`,
    entityType: ENTITY,
    entityId: row.id,
    patientId: row.patientId,
  });
  return row;
}

/** Checks an appointment's patient in, on the appointment's clinic-local day. */
export async function checkIn(
  deps: Deps,
  a: Actor,
  appointmentId: string,
  opts: { priority?: string; patientId?: string },
) {
  return await deps.db.transaction(async (tx) => {
    const appt = await findInTenant(tx, appointments, a.orgId, appointmentId);
    if (!appt) throw notFound("Appointment");
    if (opts.patientId && opts.patientId !== appt.patientId) {
      throw unprocessable("The appointment is another patient's.", [
        { path: "appointmentId", in: "body", message: "belongs to another patient" },
      ]);
    }
    if (!["scheduled", "confirmed"].includes(appt.status)) {
      throw conflict(`A ${appt.status} appointment cannot be checked in.`, {
        state: appt.status,
      });
    }
    const timezone = await timezoneOf(tx, a.orgId);
    const today = todayIn(timezone, deps.clock.now());
    const day = localParts(appt.startAt, timezone).date;
    if (day !== today) {
      throw conflict(`Check-in is on the appointment's day (${day}); today is ${today}.`);
    }
    await livePatient(tx, a.orgId, appt.patientId);
    const visit = await openVisit(deps, tx, a, {
      patientId: appt.patientId,
      practitionerId: appt.practitionerId,
      facilityId: appt.facilityId,
      appointmentId: appt.id,
      type: appt.type,
      priority: opts.priority ?? (appt.type === "emergency" ? "emergency" : "normal"),
    });
    const row = await auditedUpdate(deps, tx, a, {
      table: appointments,
      label: "Appointment",
      id: appt.id,
      expectedVersion: undefined,
      action: "appointment.check-in",
      entityType: "appointment",
      patientId: appt.patientId,
      fields: ["status"],
      set: {
        status: "checked_in",
        checkedInAt: visit.arrivedAt,
        encounterId: visit.id,
      },
    });
    await cancelReminders(deps, tx, a, appt.id);
    return { ...toAppointment(row), encounter: toEncounter(visit) };
  });
}

/** A walk-in, or (with `appointmentId`) the check-in of that appointment. */
export async function openEncounter(
  deps: Deps,
  a: Actor,
  input: z.infer<typeof EncounterInput>,
) {
  if (input.appointmentId) {
    try {
      const checked = await checkIn(deps, a, input.appointmentId, {
        priority: input.priority,
        patientId: input.patientId,
      });
      return checked.encounter;
    } catch (err) {
      // A reference in the body, not the resource of the URL.
      if (err instanceof ProblemError && err.status === 404) {
        throw unprocessable("Unknown appointment.", [
          {
            path: "appointmentId",
            in: "body",
            message: "is not an appointment of this organisation",
          },
        ]);
      }
      throw err;
    }
  }
  return await deps.db.transaction(async (tx) => {
    await bodyPatient(tx, a.orgId, input.patientId);
    await assertFacility(tx, a.orgId, input.facilityId);
    if (input.practitionerId) await assertBookable(deps, tx, a.orgId, input.practitionerId);
    const row = await openVisit(deps, tx, a, {
      patientId: input.patientId,
      practitionerId: input.practitionerId ?? null,
      facilityId: input.facilityId ?? a.facilityId ?? null,
      appointmentId: null,
      type: input.type ?? "walk_in",
      priority: input.priority ?? "normal",
    });
    return toEncounter(row);
  });
}

/** The appointment a visit came from follows it. */
async function carryAppointment(
  deps: Deps,
  tx: Db,
  a: Actor,
  visit: EncounterRow,
  operation: string,
  set: Partial<typeof appointments.$inferInsert>,
) {
  if (!visit.appointmentId) return;
  const appt = await findInTenant(tx, appointments, a.orgId, visit.appointmentId);
  if (!appt || ["completed", "cancelled", "no_show"].includes(appt.status)) return;
  await auditedUpdate(deps, tx, a, {
    table: appointments,
    label: "Appointment",
    id: appt.id,
    expectedVersion: undefined,
    action: `appointment.${operation}`,
    entityType: "appointment",
    patientId: appt.patientId,
    fields: ["status"],
    set,
  });
}

async function moveVisit(
  deps: Deps,
  tx: Db,
  a: Actor,
  id: string,
  spec: {
    from: string[];
    doing: string;
    operation: string;
    set: (row: EncounterRow) => Partial<typeof encounters.$inferInsert>;
    check?: (row: EncounterRow) => Promise<void>;
  },
) {
  const current = await findEncounter(tx, a.orgId, id);
  return await auditedUpdate(deps, tx, a, {
    table: encounters,
    label: "Encounter",
    id,
    expectedVersion: undefined,
    action: `${ENTITY}.${spec.operation}`,
    entityType: ENTITY,
    patientId: current.patientId,
    fields: ["status", "practitionerId"],
    check: async (before) => {
      if (!spec.from.includes(before.status)) {
        throw conflict(`A ${before.status} visit cannot be ${spec.doing}.`, {
          state: before.status,
        });
      }
      await spec.check?.(before);
    },
    set: (before) => Promise.resolve(spec.set(before)),
  });
}

/** The billable moment of a visit: walk-ins and booked visits alike. */
async function emitStarted(deps: Deps, tx: Db, a: Actor, row: typeof encounters.$inferSelect) {
  await emit(deps, tx, a, "encounter.started", {
    encounterId: row.id,
    patientId: row.patientId,
    type: row.type,
    facilityId: row.facilityId,
    practitionerId: row.practitionerId,
    appointmentId: row.appointmentId,
  });
}

/** Starts the consultation; an unassigned visit goes to whoever starts it. */
export async function startEncounter(deps: Deps, a: Actor, id: string) {
  return await deps.db.transaction(async (tx) => {
    const now = deps.clock.now().toISOString();
    const row = await moveVisit(deps, tx, a, id, {
      from: ["waiting"],
      doing: "started",
      operation: "start",
      set: (before) => ({
        status: "in_consultation",
        startedAt: now,
        practitionerId: before.practitionerId ?? a.userId,
      }),
    });
    await carryAppointment(deps, tx, a, row, "start", { status: "in_progress", startedAt: now });
    await emitStarted(deps, tx, a, row);
    return toEncounter(row);
  });
}

/** Closes the visit once no module's gate holds it open. */
export async function closeEncounter(deps: Deps, a: Actor, id: string) {
  return await deps.db.transaction(async (tx) => {
    const now = deps.clock.now().toISOString();
    const row = await moveVisit(deps, tx, a, id, {
      from: ["in_consultation"],
      doing: "closed",
      operation: "close",
      check: async (before) => {
        const open: string[] = [];
        for (const gate of deps.registry.gates.get("encounter.close") ?? []) {
          open.push(...await gate(tx, { orgId: a.orgId, id: before.id }));
        }
        if (open.length) {
          throw conflict(`The visit cannot be closed: ${open.join("; ")}.`, { open });
        }
      },
      set: () => ({ status: "closed", closedAt: now }),
    });
    await carryAppointment(deps, tx, a, row, "complete", {
      status: "completed",
      completedAt: now,
    });
    return toEncounter(row);
  });
}

export async function cancelEncounter(
  deps: Deps,
  a: Actor,
  id: string,
  input: { reason: string; leftWithoutBeingSeen?: boolean },
) {
  return await deps.db.transaction(async (tx) => {
    const now = deps.clock.now().toISOString();
    const left = input.leftWithoutBeingSeen ?? false;
    const row = await moveVisit(deps, tx, a, id, {
      from: left ? ["waiting"] : OPEN,
      doing: left ? "marked as left without being seen" : "cancelled",
      operation: left ? "leave" : "cancel",
      set: () => ({
        status: left ? "left_without_being_seen" : "cancelled",
        closedAt: now,
        cancelReason: input.reason,
      }),
    });
    await carryAppointment(deps, tx, a, row, "cancel", {
      status: "cancelled",
      cancelledAt: now,
      cancelReason: left ? `left without being seen: ${input.reason}` : input.reason,
    });
    await emit(deps, tx, a, "encounter.cancelled", {
      encounterId: row.id,
      patientId: row.patientId,
      reason: input.reason,
    });
    return toEncounter(row);
  });
}

export async function readEncounter(deps: Deps, a: Actor, id: string) {
  const row = await findEncounter(deps.db.db, a.orgId, id);
  deps.audit.recordRead(a, {
    action: `${ENTITY}.read`,
    entityType: ENTITY,
    entityId: id,
    patientId: row.patientId,
  });
  return toEncounter(row);
}

function queueWhere(
  orgId: string | Placeholder,
  q: { facilityId?: string | Placeholder; practitionerId?: string | Placeholder },
) {
  const where: SQL[] = [
    eq(encounters.orgId, orgId),
    eq(encounters.status, "waiting"),
    isNull(encounters.deletedAt),
  ];
  if (q.facilityId) where.push(eq(encounters.facilityId, q.facilityId));
  if (q.practitionerId) {
    // A practitioner's queue includes the walk-ins nobody has been assigned yet.
    where.push(
      or(eq(encounters.practitionerId, q.practitionerId), isNull(encounters.practitionerId))!,
    );
  }
  return and(...where);
}

/**
 * The queue's order in SQL (PRIORITY_RANK, then arrival, then id), so that calling the next
 * patient reads one row instead of every waiting visit of the facility.
 */
const queueOrder = [
  sql`CASE ${encounters.priority} ${
    sql.raw(Object.entries(PRIORITY_RANK).map(([p, n]) => `WHEN '${p}' THEN ${n}`).join(" "))
  } ELSE 9 END`,
  asc(encounters.arrivedAt),
  asc(encounters.id),
];

/** Who is waiting, in the order to be seen: emergencies first, then by arrival. */
export async function queue(
  deps: Deps,
  a: Actor,
  q: { facilityId?: string; practitionerId?: string; limit?: number },
) {
  const rows = await deps.db.db.select().from(encounters).where(queueWhere(a.orgId, q))
    .orderBy(...queueOrder).limit(q.limit ?? 100);
  const now = deps.clock.now().getTime();
  for (const r of rows) {
    deps.audit.recordRead(a, {
      action: `${ENTITY}.list`,
      entityType: ENTITY,
      entityId: r.id,
      patientId: r.patientId,
    });
  }
  return {
    data: rows.map((r) => ({
      encounterId: r.id,
      patientId: r.patientId,
      practitionerId: r.practitionerId,
      facilityId: r.facilityId,
      appointmentId: r.appointmentId,
      priority: r.priority as "emergency" | "urgent" | "normal",
      status: r.status as "waiting",
      arrivedAt: r.arrivedAt,
      waitingMinutes: Math.max(0, Math.floor((now - Date.parse(r.arrivedAt)) / MINUTE)),
    })),
  };
}

// Every call of the next patient picks one: built once per shape.
const nextWaiting = (atFacility: boolean) =>
  prepared<EncounterRow>(
    new QueryBuilder().select().from(encounters).where(queueWhere(sql.placeholder("orgId"), {
      facilityId: atFacility ? sql.placeholder("facilityId") : undefined,
      practitionerId: sql.placeholder("practitionerId"),
    })).orderBy(...queueOrder).limit(1),
  );
const nextAtFacility = nextWaiting(true);
const nextAnywhere = nextWaiting(false);

/**
 * Calls the next patient in: starts the first waiting visit of the queue. Decided in one write
 * transaction, so two doctors calling at once get two different patients.
 */
export async function callNext(
  deps: Deps,
  a: Actor,
  q: { facilityId?: string; practitionerId?: string },
) {
  const practitionerId = q.practitionerId ?? a.userId;
  const started = await deps.db.transaction(async (tx) => {
    const next = await (q.facilityId ? nextAtFacility : nextAnywhere).get(tx, {
      orgId: a.orgId,
      facilityId: q.facilityId,
      practitionerId,
    });
    if (!next) return null;
    const now = deps.clock.now().toISOString();
    const row = await moveVisit(deps, tx, a, next.id, {
      from: ["waiting"],
      doing: "started",
      operation: "start",
      set: (before) => ({
        status: "in_consultation",
        startedAt: now,
        practitionerId: before.practitionerId ?? practitionerId,
      }),
    });
    await carryAppointment(deps, tx, a, row, "start", { status: "in_progress", startedAt: now });
    await emitStarted(deps, tx, a, row);
    return toEncounter(row);
  });
  if (!started) throw notFound("Waiting patient");
  return started;
}

export async function listEncounters(
  deps: Deps,
  a: Actor,
  q: {
    limit: number;
    cursor?: string;
    status?: string;
    patientId?: string;
    practitionerId?: string;
    facilityId?: string;
    day?: string;
  },
) {
  const where: SQL[] = [eq(encounters.orgId, a.orgId), isNull(encounters.deletedAt)];
  if (q.status) where.push(eq(encounters.status, q.status));
  if (q.patientId) where.push(eq(encounters.patientId, q.patientId));
  if (q.practitionerId) where.push(eq(encounters.practitionerId, q.practitionerId));
  if (q.facilityId) where.push(eq(encounters.facilityId, q.facilityId));
  if (q.day) where.push(eq(encounters.localDay, q.day));
  const cursor = decodeCursor(q.cursor);
  if (cursor) where.push(gt(encounters.id, cursor.id));
  const rows = await deps.db.db.select().from(encounters).where(and(...where))
    .orderBy(asc(encounters.id)).limit(q.limit + 1);
  const page = pageOf(rows.map(toEncounter), q.limit, (e) => e.id);
  for (const e of page.data) {
    deps.audit.recordRead(a, {
      action: `${ENTITY}.list`,
      entityType: ENTITY,
      entityId: e.id,
      patientId: e.patientId,
    });
  }
  return page;
}

/**
 * A visit another module writes to (the clinical record), read in the caller's transaction:
 * 404 when missing or another organisation's, 409 once it is closed or cancelled.
 */
export async function openVisitFor(tx: Db, orgId: string, id: string) {
  const row = await findEncounter(tx, orgId, id);
  if (!OPEN.includes(row.status)) {
    throw conflict(`The visit is ${row.status.replaceAll("_", " ")}; nothing more is recorded.`, {
      state: row.status,
    });
  }
  return row;
}

/** A visit of the organisation, whatever its state (reads of the clinical record). */
export const visitOf = findEncounter;

/** The patient's five latest visits: the patient summary's "lastEncounters". */
export async function lastEncounters(deps: Deps, a: Actor, patientId: string) {
  const rows = await deps.db.db.select().from(encounters).where(and(
    eq(encounters.orgId, a.orgId),
    eq(encounters.patientId, patientId),
    isNull(encounters.deletedAt),
  )).orderBy(desc(encounters.arrivedAt)).limit(5);
  return rows.map(toEncounter);
}
