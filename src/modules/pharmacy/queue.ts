/**
 * The pharmacy's prescription queue: prescriptions with something still to dispense, newest
 * first, each item with what was prescribed, dispensed and remains. Expired prescriptions leave
 * the queue on their last day, whatever remains on them.
 */
import type { z } from "@hono/zod-openapi";
import { and, desc, eq, gte, inArray, isNull, like, lt, or, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import {
  dispensationItems,
  patients,
  prescriptionItems,
  prescriptions,
} from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import { clinicToday } from "../patients/mod.ts";
import type { QueueEntry, QueueQuery } from "./schemas-sessions.ts";

type Due = z.infer<typeof QueueEntry>["items"];

const DUE = ["active", "partially_dispensed"] as const;

/** Per prescription, its items with what was dispensed of each and what remains. */
export async function dueItems(db: Db, prescriptionIds: string[]) {
  const out = new Map<string, Due>();
  if (!prescriptionIds.length) return out;
  const items = await db.select().from(prescriptionItems).where(and(
    inArray(prescriptionItems.prescriptionId, prescriptionIds),
    isNull(prescriptionItems.deletedAt),
  )).orderBy(prescriptionItems.position);
  const given = new Map<string, number>();
  if (items.length) {
    const sums = await db.select({
      item: dispensationItems.prescriptionItemId,
      quantity: sql<number>`sum(${dispensationItems.quantity})`,
    }).from(dispensationItems)
      .where(inArray(dispensationItems.prescriptionItemId, items.map((i) => i.id)))
      .groupBy(dispensationItems.prescriptionItemId);
    for (const s of sums) given.set(s.item!, Number(s.quantity));
  }
  for (const i of items) {
    const dispensed = given.get(i.id) ?? 0;
    const list = out.get(i.prescriptionId) ?? [];
    list.push({
      id: i.id,
      medicationId: i.medicationId,
      medication: i.medication,
      genericName: i.genericName,
      prescribed: i.quantity,
      dispensed,
      remaining: Math.max(0, i.quantity - dispensed),
      durationDays: i.durationDays,
      instructions: i.instructions,
    });
    out.set(i.prescriptionId, list);
  }
  return out;
}

export async function prescriptionQueue(deps: Deps, a: Actor, q: z.infer<typeof QueueQuery>) {
  const db = deps.db.db;
  const today = await clinicToday(deps, db, a.orgId);
  const cursor = decodeCursor(q.cursor);
  const rows = await db.select({
    rx: prescriptions,
    mrn: patients.mrn,
    givenName: patients.givenName,
    familyName: patients.familyName,
  }).from(prescriptions).innerJoin(patients, eq(patients.id, prescriptions.patientId))
    .where(and(
      eq(prescriptions.orgId, a.orgId),
      q.status ? eq(prescriptions.status, q.status) : inArray(prescriptions.status, [...DUE]),
      isNull(prescriptions.deletedAt),
      gte(prescriptions.validUntil, today),
      q.patientId ? eq(prescriptions.patientId, q.patientId) : undefined,
      q.prescriberId ? eq(prescriptions.prescriberId, q.prescriberId) : undefined,
      q.number ? like(prescriptions.number, `${q.number.toUpperCase()}%`) : undefined,
      cursor
        ? or(
          lt(prescriptions.createdAt, String(cursor.v)),
          and(eq(prescriptions.createdAt, String(cursor.v)), lt(prescriptions.id, cursor.id)),
        )
        : undefined,
    ))
    .orderBy(desc(prescriptions.createdAt), desc(prescriptions.id))
    .limit(q.limit + 1);
  const shown = rows.slice(0, q.limit);
  const due = await dueItems(db, shown.map((r) => r.rx.id));
  const data = rows.map(({ rx, mrn, givenName, familyName }) => ({
    id: rx.id,
    number: rx.number,
    status: rx.status as typeof DUE[number],
    patient: { id: rx.patientId, mrn, name: `${givenName} ${familyName}` },
    prescriberId: rx.prescriberId,
    issuedOn: rx.issuedOn,
    validUntil: rx.validUntil,
    createdAt: rx.createdAt,
    items: due.get(rx.id) ?? [],
  }));
  for (const entry of shown) {
    deps.audit.recordRead(a, {
      action: "prescription.queue",
      entityType: "prescription",
      entityId: entry.rx.id,
      patientId: entry.rx.patientId,
    });
  }
  return pageOf(data, q.limit, (e) => e.createdAt);
}
