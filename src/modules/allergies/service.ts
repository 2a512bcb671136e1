/**
 * Allergy rules: enums are checked by the schema (400); here, dates (422) and one active allergy
 * per substance, compared folded ("Penicillin" = "penicillin " = "Pénicillin") so that spelling
 * variants cannot hide a duplicate (409).
 */
import { and, eq, isNull, ne } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { type AllergyRow, patientAllergies } from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict } from "../../lib/errors.ts";
import { foldText } from "../../lib/normalize.ts";
import {
  ALLERGY_FIELDS,
  type AllergyInputT,
  type AllergyPatchT,
  type AllergyT,
} from "./schemas.ts";
import {
  addEntry,
  changeEntry,
  dateProblems,
  type EntryKind,
  type EntryTarget,
  listOf,
  type PageRequest,
  refuseIfAny,
} from "../patients/mod.ts";

export function toAllergy(r: AllergyRow): AllergyT {
  return {
    id: r.id,
    patientId: r.patientId,
    substance: r.substance,
    category: r.category as AllergyT["category"],
    reaction: r.reaction,
    severity: r.severity as AllergyT["severity"],
    status: r.status as AllergyT["status"],
    onsetDate: r.onsetDate,
    notes: r.notes,
    version: r.version,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    createdBy: r.createdBy,
    updatedBy: r.updatedBy,
  };
}

export const ALLERGY: EntryKind<typeof patientAllergies, AllergyT> = {
  table: patientAllergies,
  label: "Allergy",
  fields: ALLERGY_FIELDS,
  view: toAllergy,
};

/** 409 when the patient already has another active allergy to the same substance. */
async function refuseDuplicate(
  tx: Db,
  orgId: string,
  patientId: string,
  substance: string,
  exceptId?: string,
) {
  const t = patientAllergies;
  const where = [
    eq(t.orgId, orgId),
    eq(t.patientId, patientId),
    eq(t.status, "active"),
    isNull(t.deletedAt),
  ];
  if (exceptId) where.push(ne(t.id, exceptId));
  const active = await tx.select({ id: t.id, substance: t.substance }).from(t).where(and(...where));
  const folded = foldText(substance);
  const same = active.find((r) => foldText(r.substance) === folded);
  if (same) {
    throw conflict(`An active allergy to ${same.substance} is already recorded; update it.`, {
      type: "https://clinic-api.dev/problems/duplicate-allergy",
      existingId: same.id,
    });
  }
}

export function listAllergies(
  deps: Deps,
  a: Actor,
  patientId: string,
  q: PageRequest & { status?: string },
) {
  const filters = q.status ? [eq(patientAllergies.status, q.status)] : [];
  return listOf(deps, a, ALLERGY, patientId, q, filters);
}

export function addAllergy(deps: Deps, a: Actor, patientId: string, input: AllergyInputT) {
  return addEntry(deps, a, ALLERGY, patientId, async (tx, today) => {
    refuseIfAny(dateProblems(input, today));
    if (input.status === "active") {
      await refuseDuplicate(tx, a.orgId, patientId, input.substance);
    }
    return {
      substance: input.substance,
      category: input.category,
      reaction: input.reaction ?? null,
      severity: input.severity,
      status: input.status,
      onsetDate: input.onsetDate ?? null,
      notes: input.notes ?? null,
    };
  });
}

export function updateAllergy(
  deps: Deps,
  a: Actor,
  target: EntryTarget,
  patch: AllergyPatchT,
) {
  return changeEntry(deps, a, ALLERGY, target, {
    set: async (tx, current, today) => {
      const next = { ...current, ...patch };
      refuseIfAny(dateProblems(next, today));
      const becomesDuplicate = patch.substance !== undefined || patch.status !== undefined;
      if (next.status === "active" && becomesDuplicate) {
        await refuseDuplicate(tx, a.orgId, target.patientId, next.substance, current.id);
      }
      return patch;
    },
  });
}
