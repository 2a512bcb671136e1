/**
 * Prescriptions: numbered per organisation and month, written on an open visit, checked for
 * safety before they exist. The check (safety/check.ts) runs inside the creating transaction on
 * the patient's record as it is then; any warning answers 409 with all of them unless every
 * kind is acknowledged with a reason, and acknowledgements are kept on the prescription and
 * audited. `expired` is derived at read time from the clinic-local date.
 */
import type { z } from "@hono/zod-openapi";
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type Db, prepared } from "../../../db/client.ts";
import { nextSequence } from "../../../db/changes.ts";
import { selectWhere } from "../../../db/rows.ts";
import {
  type Acknowledgement,
  patientAllergies,
  patientHistoryEntries,
  patients,
  prescriptionItems,
  prescriptions,
  vitalObservations,
} from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import {
  conflict,
  type FieldError,
  notFound,
  ProblemError,
  unprocessable,
} from "../../lib/errors.ts";
import { numberingSite } from "../../lib/site.ts";
import { addDays } from "../../lib/time.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { clinicToday, readablePatient } from "../patients/mod.ts";
import { openVisitFor } from "../scheduling/mod.ts";
import { type Prescribable, prescribableMedications } from "../pharmacy/mod.ts";
import { courseQuantity, type ROUTES } from "./prescription-rules.ts";
import { checkPractice, practiceSystemsOf } from "./practice.ts";
import { checkPrescription, type SafetyInput, type Warning } from "./safety/check.ts";
import type { PrescriptionInput } from "./schemas-prescriptions.ts";
import { ageOn } from "./vitals.ts";

export type PrescriptionRow = typeof prescriptions.$inferSelect;
export type ItemRow = typeof prescriptionItems.$inferSelect;
const ENTITY = "prescription";
const LIVE = ["active", "partially_dispensed"];

export function toPrescription(p: PrescriptionRow, items: ItemRow[], today: string) {
  const expired = LIVE.includes(p.status) && p.validUntil < today;
  return {
    id: p.id,
    number: p.number,
    encounterId: p.encounterId,
    patientId: p.patientId,
    prescriberId: p.prescriberId,
    status: (expired ? "expired" : p.status) as
      | "active"
      | "partially_dispensed"
      | "dispensed"
      | "cancelled"
      | "expired",
    issuedOn: p.issuedOn,
    validUntil: p.validUntil,
    notes: p.notes,
    acknowledgements: p.acknowledgements,
    cancelledAt: p.cancelledAt,
    cancelReason: p.cancelReason,
    items: items.sort((a, b) => a.position - b.position).map((i) => ({
      id: i.id,
      medicationId: i.medicationId,
      medication: i.medication,
      genericName: i.genericName,
      dose: i.dose,
      unit: i.unit,
      route: i.route as typeof ROUTES[number],
      frequency: i.frequency,
      durationDays: i.durationDays,
      quantity: i.quantity,
      instructions: i.instructions,
      practice: i.practice ?? null,
    })),
    version: p.version,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

// Read by every prescription's safety check: built once.
const patientQueries = (() => {
  const p = sql.placeholder;
  const q = new QueryBuilder();
  return {
    allergies: prepared<{ substance: string; status: string }>(
      q.select({ substance: patientAllergies.substance, status: patientAllergies.status })
        .from(patientAllergies).where(and(
          eq(patientAllergies.orgId, p("orgId")),
          eq(patientAllergies.patientId, p("patientId")),
          isNull(patientAllergies.deletedAt),
        )),
    ),
    medications: prepared<{ name: string }>(
      q.select({ name: patientHistoryEntries.name }).from(patientHistoryEntries).where(and(
        eq(patientHistoryEntries.orgId, p("orgId")),
        eq(patientHistoryEntries.patientId, p("patientId")),
        eq(patientHistoryEntries.kind, "medication"),
        eq(patientHistoryEntries.status, "active"),
        isNull(patientHistoryEntries.deletedAt),
      )),
    ),
    live: prepared<{ id: string; number: string }>(
      q.select({ id: prescriptions.id, number: prescriptions.number }).from(prescriptions)
        .where(and(
          eq(prescriptions.orgId, p("orgId")),
          eq(prescriptions.patientId, p("patientId")),
          inArray(prescriptions.status, LIVE),
          isNull(prescriptions.deletedAt),
        )),
    ),
  };
})();

/** What the safety check needs to know about the patient, as the record is in `tx`. */
async function patientContext(
  tx: Db,
  orgId: string,
  patientId: string,
  encounterId: string,
  today: string,
): Promise<SafetyInput["patient"]> {
  const patient = await findInTenant(tx, patients, orgId, patientId);
  const allergies = await patientQueries.allergies.all(tx, { orgId, patientId });
  const medications = await patientQueries.medications.all(tx, { orgId, patientId });
  const live = await patientQueries.live.all(tx, { orgId, patientId });
  const liveItems = live.length
    ? await tx.select({
      prescriptionId: prescriptionItems.prescriptionId,
      genericName: prescriptionItems.genericName,
    })
      .from(prescriptionItems).where(and(
        inArray(prescriptionItems.prescriptionId, live.map((p) => p.id)),
        isNull(prescriptionItems.deletedAt),
      ))
    : [];
  const validLive = new Map(live.map((p) => [p.id, p.number]));
  const [weight] = await selectWhere(
    tx,
    vitalObservations,
    `"encounter_id" = ? AND "code" = 'weight' AND "deleted_at" IS NULL ORDER BY "recorded_at" DESC LIMIT 1`,
    [encounterId],
  );
  return {
    ageYears: ageOn(patient?.birthDate ?? null, today),
    weightKg: (weight?.value as number | undefined) ?? null,
    allergies: allergies.map((a) => ({
      substance: a.substance,
      status: a.status as "active" | "inactive" | "resolved",
    })),
    currentMedications: medications,
    activePrescriptionItems: liveItems.map((i) => ({
      genericName: i.genericName,
      prescriptionNumber: validLive.get(i.prescriptionId)!,
    })),
  };
}

/** The acknowledgements that cover every warning, or the 409 that lists them. */
function acknowledged(
  warnings: Warning[],
  unchecked: string[],
  given: { kind: Warning["kind"]; reason: string }[] = [],
): Acknowledgement[] {
  const byKind = new Map(given.map((g) => [g.kind, g.reason]));
  const open = warnings.filter((w) => !byKind.has(w.kind));
  if (open.length) {
    throw conflict(
      `The prescription has ${warnings.length} safety warning(s); acknowledge each kind with a reason to go ahead.`,
      {
        type: "https://clinic-api.dev/problems/prescription-warnings",
        warnings: warnings.map((w) => ({
          kind: w.kind,
          severity: w.severity,
          detail: w.detail,
          item: w.item ?? null,
          acknowledged: byKind.has(w.kind),
        })),
        unchecked,
      },
    );
  }
  const kinds = [...new Set(warnings.map((w) => w.kind))];
  return kinds.map((kind) => ({
    kind,
    reason: byKind.get(kind)!,
    warnings: warnings.filter((w) => w.kind === kind).map((w) => ({
      severity: w.severity,
      detail: w.detail,
    })),
  }));
}

type ItemInput = z.infer<typeof PrescriptionInput>["items"][number];

/**
 * An item naming a catalogue medication takes its names from the catalogue; a generic name
 * given with it must agree, or the pharmacy would dispense something else than was meant.
 */
function fromCatalogue(
  item: ItemInput,
  med: Prescribable | undefined,
  i: number,
  problems: FieldError[],
): ItemInput & { medication: string; genericName: string } {
  if (!item.medicationId) {
    return { ...item, medication: item.medication!, genericName: item.genericName! };
  }
  if (!med || !med.active) {
    problems.push({
      path: `items.${i}.medicationId`,
      in: "body",
      message: med
        ? "is no longer in use in the catalogue"
        : "is not in this organisation's catalogue",
    });
    return { ...item, medication: item.medication ?? "", genericName: item.genericName ?? "" };
  }
  if (item.genericName && item.genericName.toLowerCase() !== med.genericName.toLowerCase()) {
    problems.push({
      path: `items.${i}.genericName`,
      in: "body",
      message: `does not match the catalogue medication's generic name (${med.genericName})`,
    });
  }
  return { ...item, medication: item.medication ?? med.name, genericName: med.genericName };
}

export async function prescribe(
  deps: Deps,
  a: Actor,
  input: z.infer<typeof PrescriptionInput>,
) {
  const problems: FieldError[] = [];
  const systems = await practiceSystemsOf(deps.db.db, a.orgId);
  const linked = await prescribableMedications(
    deps.db.db,
    a.orgId,
    input.items.flatMap((i) => i.medicationId ? [i.medicationId] : []),
  );
  const items = input.items.map((given, i) => {
    const item = fromCatalogue(given, linked.get(given.medicationId ?? ""), i, problems);
    const practice = checkPractice("item", item.practice, systems, `items.${i}.practice`, problems);
    const quantity = item.quantity ?? courseQuantity(item);
    if (quantity === null) {
      problems.push({
        path: `items.${i}.quantity`,
        in: "body",
        message: item.durationDays
          ? `give the quantity: ${item.unit} is not counted one by one`
          : "give the quantity or the duration in days",
      });
    }
    return { ...item, practice, quantity: quantity ?? 0 };
  });
  if (problems.length) throw unprocessable("Some items cannot be prescribed.", problems);
  const site = numberingSite(deps);
  const now = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const visit = await openVisitFor(tx, a.orgId, input.encounterId).catch((err) => {
      // A reference in the body, not the resource of the URL.
      if (err instanceof ProblemError && err.status === 404) {
        throw unprocessable("Unknown visit.", [
          { path: "encounterId", in: "body", message: "is not a visit of this organisation" },
        ]);
      }
      throw err;
    });
    const today = await clinicToday(deps, tx, a.orgId);
    if (input.validUntil && input.validUntil < today) {
      throw unprocessable("The prescription would be expired already.", [
        { path: "validUntil", in: "body", message: `must not be before today (${today})` },
      ]);
    }
    const safety = checkPrescription({
      items: items.map((i) => ({ ...i, durationDays: i.durationDays ?? 0 })),
      patient: await patientContext(tx, a.orgId, visit.patientId, visit.id, today),
    });
    const acks = acknowledged(safety.warnings, safety.unchecked, input.acknowledgeWarnings);
    const month = today.slice(0, 7).replace("-", "");
    const counter = site ? `rx:${site}:${month}` : `rx:${month}`;
    const n = await nextSequence(tx, a.orgId, counter);
    const number = `RX-${site ? `${site}-` : ""}${month}-${String(n).padStart(4, "0")}`;
    const row = await insertTracked(tx, prescriptions, {
      ...stamp(a.orgId, a.userId, now),
      number,
      encounterId: visit.id,
      patientId: visit.patientId,
      prescriberId: a.userId,
      status: "active",
      issuedOn: today,
      validUntil: input.validUntil ?? addDays(today, deps.config.clinical.prescriptionValidDays),
      notes: input.notes ?? null,
      acknowledgements: acks,
    });
    const rows: ItemRow[] = [];
    for (const [position, item] of items.entries()) {
      rows.push(
        await insertTracked(tx, prescriptionItems, {
          ...stamp(a.orgId, a.userId, now),
          prescriptionId: row.id,
          position,
          medication: item.medication,
          genericName: item.genericName,
          medicationId: item.medicationId ?? null,
          dose: item.dose,
          unit: item.unit,
          route: item.route,
          frequency: item.frequency,
          durationDays: item.durationDays ?? null,
          quantity: item.quantity,
          instructions: item.instructions ?? null,
          practice: item.practice ?? null,
        }),
      );
    }
    await deps.audit.record(tx, a, {
      action: `${ENTITY}.create`,
      entityType: ENTITY,
      entityId: row.id,
      patientId: row.patientId,
    });
    if (acks.length) {
      await deps.audit.record(tx, a, {
        action: `${ENTITY}.acknowledge-warnings`,
        entityType: ENTITY,
        entityId: row.id,
        patientId: row.patientId,
        changedFields: acks.map((k) => k.kind),
      });
    }
    return { ...toPrescription(row, rows, today), unchecked: safety.unchecked };
  });
}

async function itemsOf(db: Db, ids: string[]) {
  if (!ids.length) return [];
  return await db.select().from(prescriptionItems).where(and(
    inArray(prescriptionItems.prescriptionId, ids),
    isNull(prescriptionItems.deletedAt),
  ));
}

export async function readPrescription(deps: Deps, a: Actor, id: string) {
  const db = deps.db.db;
  const row = await findInTenant(db, prescriptions, a.orgId, id);
  if (!row) throw notFound("Prescription");
  deps.audit.recordRead(a, {
    action: `${ENTITY}.read`,
    entityType: ENTITY,
    entityId: id,
    patientId: row.patientId,
  });
  return toPrescription(row, await itemsOf(db, [id]), await clinicToday(deps, db, a.orgId));
}

/** A patient's prescriptions, newest first (`live`: those that can still be dispensed). */
export async function patientPrescriptions(
  deps: Deps,
  a: Actor,
  patientId: string,
  opts: { live?: boolean; limit?: number } = {},
) {
  const db = deps.db.db;
  await readablePatient(deps, a.orgId, patientId);
  const today = await clinicToday(deps, db, a.orgId);
  const rows = await db.select().from(prescriptions).where(and(
    eq(prescriptions.orgId, a.orgId),
    eq(prescriptions.patientId, patientId),
    isNull(prescriptions.deletedAt),
    ...(opts.live ? [inArray(prescriptions.status, LIVE)] : []),
  )).orderBy(desc(prescriptions.createdAt), desc(prescriptions.id)).limit(opts.limit ?? 100);
  const items = await itemsOf(db, rows.map((r) => r.id));
  deps.audit.recordRead(a, { action: `${ENTITY}.list`, entityType: ENTITY, patientId });
  return rows.map((r) => toPrescription(r, items.filter((i) => i.prescriptionId === r.id), today))
    .filter((p) => !opts.live || p.status !== "expired");
}

export async function cancelPrescription(deps: Deps, a: Actor, id: string, reason: string) {
  const now = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const current = await findInTenant(tx, prescriptions, a.orgId, id);
    if (!current) throw notFound("Prescription");
    const row = await auditedUpdate(deps, tx, a, {
      table: prescriptions,
      label: "Prescription",
      id,
      expectedVersion: undefined,
      action: `${ENTITY}.cancel`,
      entityType: ENTITY,
      patientId: current.patientId,
      fields: ["status"],
      check: (before) => {
        if (before.status !== "active") {
          throw conflict(
            `A ${before.status.replaceAll("_", " ")} prescription cannot be cancelled.`,
            {
              state: before.status,
            },
          );
        }
      },
      set: { status: "cancelled", cancelledAt: now, cancelReason: reason },
    });
    return toPrescription(row, await itemsOf(tx, [id]), await clinicToday(deps, tx, a.orgId));
  });
}
