/**
 * Vital signs recorded on a visit: each value converted to its stored unit and flagged for the
 * patient's age (vital-rules.ts), BMI derived when weight and height are known, impossible
 * values refused with 422 naming the observation.
 */
import type { z } from "@hono/zod-openapi";
import type { Db } from "../../../db/client.ts";
import { selectWhere } from "../../../db/rows.ts";
import { patients, vitalObservations } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { type FieldError, notFound, unprocessable } from "../../lib/errors.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { clinicToday, readablePatient } from "../patients/mod.ts";
import { openVisitFor, visitOf } from "../scheduling/mod.ts";
import type { PatientVitalsQuery, VitalsInput } from "./schemas.ts";
import { bmiOf, flagOf, MEASURES, normalise, type VitalCode } from "./vital-rules.ts";

export type ObservationRow = typeof vitalObservations.$inferSelect;
const ENTITY = "vital-observation";

export const toObservation = (o: ObservationRow) => ({
  id: o.id,
  encounterId: o.encounterId,
  patientId: o.patientId,
  code: o.code,
  value: o.value,
  unit: o.unit,
  enteredValue: o.enteredValue,
  enteredUnit: o.enteredUnit,
  flag: o.flag as ReturnType<typeof flagOf>,
  derived: o.derived,
  recordedAt: o.recordedAt,
  recordedBy: o.createdBy,
  version: o.version,
});

/** Whole years from a birth date to a day (YYYY-MM-DD strings). */
export function ageOn(birthDate: string | null, day: string): number | null {
  if (!birthDate) return null;
  const [by, bm, bd] = birthDate.split("-").map(Number);
  const [y, m, d] = day.split("-").map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export async function recordVitals(
  deps: Deps,
  a: Actor,
  encounterId: string,
  input: z.infer<typeof VitalsInput>,
) {
  const now = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const visit = await openVisitFor(tx, a.orgId, encounterId);
    const patient = await findInTenant(tx, patients, a.orgId, visit.patientId);
    if (!patient) throw notFound("Patient");
    const age = ageOn(patient.birthDate, await clinicToday(deps, tx, a.orgId));
    const problems: FieldError[] = [];
    const seen = new Set<string>();
    const values = new Map<
      VitalCode,
      { value: number; unit: string; entered: number; enteredUnit: string }
    >();
    input.observations.forEach((o, i) => {
      const path = `observations.${i}`;
      if (seen.has(o.code)) {
        problems.push({ path: `${path}.code`, in: "body", message: `${o.code} is given twice` });
        return;
      }
      seen.add(o.code);
      if (o.code === "head-circumference" && age !== null && age >= 16) {
        problems.push({
          path: `${path}.code`,
          in: "body",
          message: "head circumference is recorded for children (under 16)",
        });
        return;
      }
      const n = normalise(o.code, o.value, o.unit);
      if ("problem" in n) {
        problems.push({ path: `${path}.value`, in: "body", message: n.problem });
        return;
      }
      values.set(o.code, { ...n, entered: o.value, enteredUnit: o.unit });
    });
    const sys = values.get("bp-systolic"), dia = values.get("bp-diastolic");
    if (sys && dia && dia.value >= sys.value) {
      const i = input.observations.findIndex((o) => o.code === "bp-diastolic");
      problems.push({
        path: `observations.${i}.value`,
        in: "body",
        message: "diastolic pressure must be below systolic",
      });
    }
    if (problems.length) throw unprocessable("Some vital signs cannot be recorded.", problems);

    const rows: ObservationRow[] = [];
    const add = async (code: VitalCode | "bmi", v: {
      value: number;
      unit: string;
      entered?: number;
      enteredUnit?: string;
    }, derived = false) => {
      const row = await insertTracked(tx, vitalObservations, {
        ...stamp(a.orgId, a.userId, now),
        encounterId,
        patientId: visit.patientId,
        code,
        value: v.value,
        unit: v.unit,
        enteredValue: v.entered ?? null,
        enteredUnit: v.enteredUnit ?? null,
        flag: flagOf(code, v.value, age),
        derived,
        recordedAt: now,
      });
      rows.push(row);
    };
    for (const [code, v] of values) await add(code, v);
    // BMI from this visit's latest weight and height, when either was just measured.
    if (values.has("weight") || values.has("height")) {
      const latest = async (code: string) =>
        values.get(code as VitalCode)?.value ??
          ((await selectWhere(
            tx,
            vitalObservations,
            `"encounter_id" = ? AND "code" = ? AND "deleted_at" IS NULL ORDER BY "recorded_at" DESC LIMIT 1`,
            [encounterId, code],
          ))[0]?.value as number | undefined);
      const kg = await latest("weight"), cm = await latest("height");
      if (kg !== undefined && cm !== undefined) {
        const bmi = bmiOf(kg, cm);
        if (bmi >= MEASURES.bmi.min && bmi <= MEASURES.bmi.max) {
          await add("bmi", { value: bmi, unit: MEASURES.bmi.unit }, true);
        }
      }
    }
    // One entry per observation, as for any other row written.
    for (const r of rows) {
      await deps.audit.record(tx, a, {
        action: `${ENTITY}.create`,
        entityType: ENTITY,
        entityId: r.id,
        patientId: visit.patientId,
      });
    }
    return { encounterId, observations: rows.map(toObservation) };
  });
}

function audited(deps: Deps, a: Actor, rows: ObservationRow[], patientId: string) {
  deps.audit.recordRead(a, { action: `${ENTITY}.list`, entityType: ENTITY, patientId });
  return { data: rows.map(toObservation) };
}

export async function visitVitals(deps: Deps, a: Actor, encounterId: string) {
  const visit = await visitOf(deps.db.db, a.orgId, encounterId);
  const rows = await selectWhere(
    deps.db.db,
    vitalObservations,
    `"encounter_id" = ? AND "org_id" = ? AND "deleted_at" IS NULL ORDER BY "recorded_at", "id"`,
    [encounterId, a.orgId],
  ) as ObservationRow[];
  return audited(deps, a, rows, visit.patientId);
}

/** A patient's values over time, oldest first, for charts. */
export async function patientVitals(
  deps: Deps,
  a: Actor,
  patientId: string,
  q: z.infer<typeof PatientVitalsQuery>,
) {
  await readablePatient(deps, a.orgId, patientId);
  const where = [`"patient_id" = ?`, `"org_id" = ?`, `"deleted_at" IS NULL`];
  const params: unknown[] = [patientId, a.orgId];
  if (q.code) (where.push(`"code" = ?`), params.push(q.code));
  if (q.from) (where.push(`"recorded_at" >= ?`), params.push(new Date(q.from).toISOString()));
  if (q.to) (where.push(`"recorded_at" < ?`), params.push(new Date(q.to).toISOString()));
  const rows = await selectWhere(
    deps.db.db,
    vitalObservations,
    `${where.join(" AND ")} ORDER BY "recorded_at", "id" LIMIT ?`,
    [...params, q.limit],
  ) as ObservationRow[];
  return audited(deps, a, rows, patientId);
}

export async function readObservation(deps: Deps, a: Actor, id: string) {
  const row = await findInTenant(deps.db.db, vitalObservations, a.orgId, id);
  if (!row) throw notFound("Observation");
  deps.audit.recordRead(a, {
    action: `${ENTITY}.read`,
    entityType: ENTITY,
    entityId: id,
    patientId: row.patientId,
  });
  return toObservation(row);
}

/** An observation entered in error: removed from charts, kept in its versions. */
export async function removeObservation(
  deps: Deps,
  a: Actor,
  id: string,
  expectedVersion: number | undefined,
) {
  return await deps.db.transaction(async (tx: Db) => {
    const row = await findInTenant(tx, vitalObservations, a.orgId, id);
    if (!row) throw notFound("Observation");
    await openVisitFor(tx, a.orgId, row.encounterId);
    const gone = await auditedUpdate(deps, tx, a, {
      table: vitalObservations,
      label: "Observation",
      id,
      expectedVersion,
      operation: "delete",
      action: `${ENTITY}.delete`,
      entityType: ENTITY,
      patientId: row.patientId,
      set: { deletedAt: deps.clock.now().toISOString() },
    });
    return toObservation(gone);
  });
}

/** The latest value of each measurement: the patient summary's "latestVitals". */
export async function latestVitals(deps: Deps, a: Actor, patientId: string) {
  const rows = await selectWhere(
    deps.db.db,
    vitalObservations,
    `"id" IN (SELECT "id" FROM "vital_observations" v WHERE v."patient_id" = ? AND v."org_id" = ?
      AND v."deleted_at" IS NULL AND v."recorded_at" = (SELECT max(w."recorded_at")
        FROM "vital_observations" w WHERE w."patient_id" = v."patient_id" AND w."code" = v."code"
          AND w."deleted_at" IS NULL)) ORDER BY "code"`,
    [patientId, a.orgId],
  ) as ObservationRow[];
  return rows.map(toObservation);
}
