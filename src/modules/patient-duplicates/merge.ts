/**
 * Merge and unmerge. A merge re-points every row that references the duplicate (see
 * patient references the modules declare) to the survivor, freezes the duplicate with `mergedInto`, and records exactly
 * which rows it moved in `patient_merges`, so that an unmerge moves back those rows and nothing
 * else: rows added to the survivor since stay with it. Each step is a versioned write through
 * updateInTenant (change log for sync, row version, row hooks: the search index drops the
 * duplicate and gives its MRN to the survivor), all in one transaction with the audit entries.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { patientMerges, type PatientRow, patients } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp, updateInTenant } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound, unprocessable } from "../../lib/errors.ts";
import { auditedUpdate, unwrapUpdate } from "../../lib/writes.ts";
import { viewPatient } from "../patients/mod.ts";
import { latestOpenMerge, referencingRowIds } from "./repository.ts";
import type { MergeResultT, UnmergeResultT } from "./schemas.ts";

type Moved = { table: string; id: string };

async function bothPatients(tx: Db, a: Actor, survivorId: string, duplicateId: string) {
  const survivor = await findInTenant(tx, patients, a.orgId, survivorId);
  const duplicate = await findInTenant(tx, patients, a.orgId, duplicateId);
  if (!survivor || !duplicate) throw notFound("Patient");
  return { survivor, duplicate };
}

/**
 * Re-points one row from `from` to `to` as a versioned write; false when it is gone or points
 * elsewhere by now (the scope: one read, in updateInTenant).
 */
async function repoint(
  deps: Deps,
  tx: Db,
  a: Actor,
  at: string,
  moved: Moved,
  from: string,
  to: string,
) {
  const ref = deps.registry.patientReferences.find((r) => r.tableName === moved.table);
  if (!ref) throw new Error(`no module declares a patient reference on ${moved.table}`);
  const result = await updateInTenant(tx, ref.table, {
    orgId: a.orgId,
    id: moved.id,
    scope: eq(ref.column, from),
    set: { [ref.key]: to } as never,
    actorId: a.userId,
    at,
  });
  return result.ok;
}

/**
 * Sets or clears the duplicate's merge columns (a versioned, audited write) and audits the
 * survivor's side of it: both records' trails show the merge.
 */
async function markMerge(
  deps: Deps,
  tx: Db,
  a: Actor,
  action: string,
  survivor: PatientRow,
  duplicateId: string,
  into: string | null,
  at: string,
) {
  const duplicate = await auditedUpdate(deps, tx, a, {
    table: patients,
    label: "Patient",
    entityType: "patient",
    id: duplicateId,
    expectedVersion: undefined,
    set: { mergedInto: into, mergedAt: into ? at : null },
    action,
    patientId: duplicateId,
    fields: ["mergedInto", "mergedAt"],
  });
  await deps.audit.record(tx, a, {
    action,
    entityType: "patient",
    entityId: survivor.id,
    patientId: survivor.id,
  });
  return duplicate;
}

/** Merges `duplicateId` into `survivorId` (see the module comment). */
export async function mergePatients(
  deps: Deps,
  a: Actor,
  survivorId: string,
  input: { duplicateId: string; reason?: string | null },
): Promise<MergeResultT> {
  return await deps.db.transaction(async (tx) => {
    const at = deps.clock.now().toISOString();
    const { survivor, duplicate } = await bothPatients(tx, a, survivorId, input.duplicateId);
    if (survivor.id === duplicate.id) {
      throw unprocessable("A record cannot be merged into itself.", [
        { path: "duplicateId", in: "body", message: "must differ from the survivor" },
      ]);
    }
    for (const p of [survivor, duplicate]) {
      if (p.mergedInto) {
        throw conflict(`Patient ${p.id} is already merged into ${p.mergedInto}.`, {
          patientId: p.id,
          mergedInto: p.mergedInto,
        });
      }
    }
    const moved: Moved[] = [];
    for (const ref of deps.registry.patientReferences) {
      const table = ref.tableName;
      for (const id of await referencingRowIds(tx, ref, a.orgId, duplicate.id)) {
        if (await repoint(deps, tx, a, at, { table, id }, duplicate.id, survivor.id)) {
          moved.push({ table, id });
        }
      }
    }
    const merge = await insertTracked(tx, patientMerges, {
      ...stamp(a.orgId, a.userId, at),
      survivorId: survivor.id,
      duplicateId: duplicate.id,
      moved,
      reason: input.reason ?? null,
    });
    const merged = await markMerge(
      deps,
      tx,
      a,
      "patient.merge",
      survivor,
      duplicate.id,
      survivor.id,
      at,
    );
    const movedByTable: Record<string, number> = {};
    for (const m of moved) movedByTable[m.table] = (movedByTable[m.table] ?? 0) + 1;
    return {
      survivor: viewPatient(survivor, a.role),
      duplicate: viewPatient(merged, a.role),
      merge: {
        id: merge.id,
        survivorId: survivor.id,
        duplicateId: duplicate.id,
        moved: moved.length,
        movedByTable,
        reason: merge.reason,
        mergedAt: at,
        mergedBy: a.userId,
      },
    };
  });
}

/**
 * Reverses the latest open merge of `duplicateId` into `survivorId`: moves back the rows it
 * moved that still point at the survivor, and unfreezes the duplicate.
 */
export async function unmergePatients(
  deps: Deps,
  a: Actor,
  survivorId: string,
  input: { duplicateId: string },
): Promise<UnmergeResultT> {
  return await deps.db.transaction(async (tx) => {
    const at = deps.clock.now().toISOString();
    const { survivor, duplicate } = await bothPatients(tx, a, survivorId, input.duplicateId);
    const merge = await latestOpenMerge(tx, a.orgId, survivor.id, duplicate.id);
    if (!merge || duplicate.mergedInto !== survivor.id) {
      throw conflict(`Patient ${duplicate.id} is not merged into ${survivor.id}.`);
    }
    if (survivor.mergedInto) {
      // Its rows (ours among them) moved on to another record; unmerge that one first.
      throw conflict(
        `Patient ${survivor.id} was itself merged into ${survivor.mergedInto}; unmerge it first.`,
        { mergedInto: survivor.mergedInto },
      );
    }
    let restored = 0;
    for (const m of merge.moved) {
      if (await repoint(deps, tx, a, at, m, survivor.id, duplicate.id)) restored++;
    }
    const unmerged = await markMerge(
      deps,
      tx,
      a,
      "patient.unmerge",
      survivor,
      duplicate.id,
      null,
      at,
    );
    unwrapUpdate(
      await updateInTenant(tx, patientMerges, {
        orgId: a.orgId,
        id: merge.id,
        set: { unmergedAt: at, unmergedBy: a.userId },
        actorId: a.userId,
        at,
      }),
      "Merge",
    );
    return {
      survivor: viewPatient(survivor, a.role),
      duplicate: viewPatient(unmerged, a.role),
      unmerge: { mergeId: merge.id, restored, unmergedAt: at, unmergedBy: a.userId },
    };
  });
}
