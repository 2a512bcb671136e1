/** Changes to the catalogue: a medication's fields, and codes added to it. */
import type { z } from "@hono/zod-openapi";
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { medicationCodes, medications } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound } from "../../lib/errors.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import type { CodeInput, MedicationPatch } from "./schemas-catalogue.ts";
import { readMedication, toMedication } from "./service.ts";
import { orgCurrency } from "../organizations/mod.ts";

const FIELDS = [
  "name",
  "strength",
  "category",
  "reorderLevel",
  "unitPrice",
  "prescriptionRequired",
  "active",
];

async function liveCodes(tx: Db, a: Actor, id: string) {
  return (await tx.select({ code: medicationCodes.code }).from(medicationCodes).where(and(
    eq(medicationCodes.orgId, a.orgId),
    eq(medicationCodes.medicationId, id),
    isNull(medicationCodes.deletedAt),
  ))).map((c) => c.code);
}

export async function updateMedication(
  deps: Deps,
  a: Actor,
  id: string,
  patch: z.infer<typeof MedicationPatch>,
  expectedVersion: number | undefined,
) {
  return await deps.db.transaction(async (tx) => {
    const row = await auditedUpdate(deps, tx, a, {
      table: medications,
      label: "Medication",
      id,
      expectedVersion,
      set: patch,
      action: "medication.update",
      entityType: "medication",
      fields: FIELDS,
    });
    return toMedication(row, await liveCodes(tx, a, id), await orgCurrency(tx, a.orgId));
  });
}

/** Adds a code (barcode, QR, supplier's) to a medication; another medication's answers 409. */
export async function addCode(deps: Deps, a: Actor, id: string, input: z.infer<typeof CodeInput>) {
  const now = deps.clock.now().toISOString();
  await deps.db.transaction(async (tx) => {
    const med = await findInTenant(tx, medications, a.orgId, id);
    if (!med) throw notFound("Medication");
    const [taken] = await tx.select().from(medicationCodes).where(and(
      eq(medicationCodes.orgId, a.orgId),
      eq(medicationCodes.code, input.code),
    ));
    if (taken && taken.medicationId === id && taken.deletedAt === null) return;
    if (taken) {
      throw conflict(`Code ${input.code} belongs to another medication.`, {
        codes: [input.code],
      });
    }
    await insertTracked(tx, medicationCodes, {
      ...stamp(a.orgId, a.userId, now),
      medicationId: id,
      code: input.code,
      kind: /^\d{8,14}$/.test(input.code) ? "gtin" : "other",
    });
    await deps.audit.record(tx, a, {
      action: "medication.add-code",
      entityType: "medication",
      entityId: id,
    });
  });
  return await readMedication(deps, a, id);
}
