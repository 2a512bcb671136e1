/** What the clinical module reads of the catalogue to prescribe a catalogue medication. */
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { medications } from "../../../db/schema/mod.ts";

export interface Prescribable {
  id: string;
  name: string;
  genericName: string;
  unit: string;
  active: boolean;
}

export async function prescribableMedications(
  db: Db,
  orgId: string,
  ids: string[],
): Promise<Map<string, Prescribable>> {
  if (!ids.length) return new Map();
  const rows = await db.select({
    id: medications.id,
    name: medications.name,
    genericName: medications.genericName,
    unit: medications.unit,
    active: medications.active,
  }).from(medications).where(and(
    eq(medications.orgId, orgId),
    inArray(medications.id, ids),
    isNull(medications.deletedAt),
  ));
  return new Map(rows.map((r) => [r.id, r]));
}
