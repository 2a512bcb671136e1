/** Merge queries: the rows that point at a patient, and the merges recorded. */
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { patientMerges } from "../../../db/schema/mod.ts";
import type { PatientReference } from "../../lib/context.ts";

/** Ids of the live rows of `table` whose `column` points at `patientId`. */
export async function referencingRowIds(
  tx: Db,
  ref: PatientReference,
  orgId: string,
  patientId: string,
): Promise<string[]> {
  const t = ref.table;
  const rows = await tx.select({ id: t.id }).from(t as never).where(and(
    eq(t.orgId, orgId),
    eq(ref.column, patientId),
    isNull(t.deletedAt),
  )) as { id: string }[];
  return rows.map((r) => r.id);
}

/** The latest merge of `duplicateId` into `survivorId` that has not been reversed. */
export async function latestOpenMerge(
  tx: Db,
  orgId: string,
  survivorId: string,
  duplicateId: string,
) {
  const [row] = await tx.select().from(patientMerges).where(and(
    eq(patientMerges.orgId, orgId),
    eq(patientMerges.duplicateId, duplicateId),
    eq(patientMerges.survivorId, survivorId),
    isNull(patientMerges.unmergedAt),
    isNull(patientMerges.deletedAt),
  )).orderBy(desc(patientMerges.createdAt), desc(patientMerges.id)).limit(1);
  return row;
}
