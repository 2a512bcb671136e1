/** Weekly schedule templates and their exceptions (leave, holidays, extra sessions). */
import type { z } from "@hono/zod-openapi";
import { and, asc, eq, gt, gte, isNull, lte, type SQL } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { practitionerSchedules, scheduleExceptions } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound, unprocessable } from "../../lib/errors.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import type { ScheduleRow } from "./repository.ts";
import type { ExceptionInput, ScheduleInput, SchedulePatch } from "./schemas.ts";
import { assertBookable, assertFacility, toException, toSchedule } from "./service.ts";

const SCHEDULE = "practitioner-schedule";
const EXCEPTION = "schedule-exception";
const SCHEDULE_FIELDS = [
  "facilityId",
  "weekday",
  "startTime",
  "endTime",
  "slotMinutes",
  "appointmentTypes",
  "validFrom",
  "validTo",
  "active",
];

/** Two sessions of one practitioner on the same weekday may not overlap (slots would repeat). */
async function refuseOverlap(tx: Db, orgId: string, s: Omit<ScheduleRow, "id">, id?: string) {
  if (!s.active) return;
  const others = await tx.select().from(practitionerSchedules).where(and(
    eq(practitionerSchedules.orgId, orgId),
    eq(practitionerSchedules.practitionerId, s.practitionerId),
    eq(practitionerSchedules.weekday, s.weekday),
    eq(practitionerSchedules.active, true),
    isNull(practitionerSchedules.deletedAt),
  ));
  const clash = others.find((o) =>
    o.id !== id && o.startTime < s.endTime && s.startTime < o.endTime &&
    (!o.validTo || !s.validFrom || s.validFrom <= o.validTo) &&
    (!s.validTo || !o.validFrom || o.validFrom <= s.validTo)
  );
  if (clash) {
    throw conflict("The session overlaps another of the practitioner's sessions that day.", {
      conflicts: [toSchedule(clash)],
    });
  }
}

function validRange(s: { validFrom?: string | null; validTo?: string | null }) {
  if (s.validFrom && s.validTo && s.validTo < s.validFrom) {
    throw unprocessable("The validity range is empty.", [
      { path: "validTo", in: "body", message: "must not be before validFrom" },
    ]);
  }
}

export async function createSchedule(deps: Deps, a: Actor, input: z.infer<typeof ScheduleInput>) {
  validRange(input);
  const now = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    await assertBookable(deps, tx, a.orgId, input.practitionerId);
    await assertFacility(tx, a.orgId, input.facilityId);
    const values = {
      practitionerId: input.practitionerId,
      facilityId: input.facilityId ?? null,
      weekday: input.weekday,
      startTime: input.startTime,
      endTime: input.endTime,
      slotMinutes: input.slotMinutes,
      appointmentTypes: input.appointmentTypes,
      validFrom: input.validFrom ?? null,
      validTo: input.validTo ?? null,
      active: true,
    };
    await refuseOverlap(tx, a.orgId, { ...stamp(a.orgId, a.userId, now), ...values } as never);
    const row = await insertTracked(tx, practitionerSchedules, {
      ...stamp(a.orgId, a.userId, now),
      ...values,
    });
    await deps.audit.record(tx, a, {
      action: `${SCHEDULE}.create`,
      entityType: SCHEDULE,
      entityId: row.id,
    });
    return toSchedule(row);
  });
}

export async function listSchedules(
  db: Db,
  orgId: string,
  q: { limit: number; cursor?: string; practitionerId?: string; facilityId?: string },
) {
  const where: SQL[] = [
    eq(practitionerSchedules.orgId, orgId),
    isNull(practitionerSchedules.deletedAt),
  ];
  if (q.practitionerId) where.push(eq(practitionerSchedules.practitionerId, q.practitionerId));
  if (q.facilityId) where.push(eq(practitionerSchedules.facilityId, q.facilityId));
  const cursor = decodeCursor(q.cursor);
  if (cursor) where.push(gt(practitionerSchedules.id, cursor.id));
  const rows = await db.select().from(practitionerSchedules).where(and(...where))
    .orderBy(asc(practitionerSchedules.id)).limit(q.limit + 1);
  return pageOf(rows.map(toSchedule), q.limit, (s) => s.id);
}

export async function readSchedule(db: Db, orgId: string, id: string) {
  const row = await findInTenant(db, practitionerSchedules, orgId, id);
  if (!row) throw notFound("Schedule");
  return toSchedule(row);
}

export async function updateSchedule(
  deps: Deps,
  a: Actor,
  id: string,
  patch: z.infer<typeof SchedulePatch> | { deletedAt: string },
  expectedVersion: number | undefined,
) {
  return await deps.db.transaction(async (tx) => {
    const deleting = "deletedAt" in patch;
    const row = await auditedUpdate(deps, tx, a, {
      table: practitionerSchedules,
      label: "Schedule",
      id,
      expectedVersion,
      operation: deleting ? "delete" : "update",
      action: `${SCHEDULE}.${deleting ? "delete" : "update"}`,
      entityType: SCHEDULE,
      fields: SCHEDULE_FIELDS,
      set: async (before) => {
        if (deleting) return patch;
        const next = { ...before, ...patch };
        if (next.endTime <= next.startTime) {
          throw unprocessable("The session ends before it starts.", [
            { path: "endTime", in: "body", message: "must be after startTime" },
          ]);
        }
        validRange(next);
        if ("facilityId" in patch) await assertFacility(tx, a.orgId, patch.facilityId);
        await refuseOverlap(tx, a.orgId, next, id);
        return patch;
      },
    });
    return toSchedule(row);
  });
}

export async function createException(
  deps: Deps,
  a: Actor,
  input: z.infer<typeof ExceptionInput>,
) {
  const now = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    if (input.practitionerId) await assertBookable(deps, tx, a.orgId, input.practitionerId);
    await assertFacility(tx, a.orgId, input.facilityId);
    const row = await insertTracked(tx, scheduleExceptions, {
      ...stamp(a.orgId, a.userId, now),
      practitionerId: input.practitionerId ?? null,
      facilityId: input.facilityId ?? null,
      kind: input.kind,
      dateFrom: input.dateFrom,
      dateTo: input.dateTo,
      startTime: input.startTime ?? null,
      endTime: input.endTime ?? null,
      slotMinutes: input.slotMinutes ?? null,
      appointmentTypes: input.appointmentTypes ?? null,
      reason: input.reason ?? null,
    });
    await deps.audit.record(tx, a, {
      action: `${EXCEPTION}.create`,
      entityType: EXCEPTION,
      entityId: row.id,
    });
    return toException(row);
  });
}

export async function listExceptions(
  db: Db,
  orgId: string,
  q: { limit: number; cursor?: string; practitionerId?: string; from?: string; to?: string },
) {
  const where: SQL[] = [eq(scheduleExceptions.orgId, orgId), isNull(scheduleExceptions.deletedAt)];
  if (q.practitionerId) where.push(eq(scheduleExceptions.practitionerId, q.practitionerId));
  if (q.from) where.push(gte(scheduleExceptions.dateTo, q.from));
  if (q.to) where.push(lte(scheduleExceptions.dateFrom, q.to));
  const cursor = decodeCursor(q.cursor);
  if (cursor) where.push(gt(scheduleExceptions.id, cursor.id));
  const rows = await db.select().from(scheduleExceptions).where(and(...where))
    .orderBy(asc(scheduleExceptions.id)).limit(q.limit + 1);
  return pageOf(rows.map(toException), q.limit, (e) => e.id);
}

export async function deleteException(
  deps: Deps,
  a: Actor,
  id: string,
  expectedVersion: number | undefined,
) {
  return await deps.db.transaction(async (tx) => {
    const row = await auditedUpdate(deps, tx, a, {
      table: scheduleExceptions,
      label: "Schedule exception",
      id,
      expectedVersion,
      operation: "delete",
      action: `${EXCEPTION}.delete`,
      entityType: EXCEPTION,
      set: { deletedAt: deps.clock.now().toISOString() },
    });
    return toException(row);
  });
}
