/**
 * The problem list as other modules feed it: a diagnosis confirmed in a signed consultation note
 * becomes an active condition of the patient, unless one with that code is already active.
 */
import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { patientHistoryEntries as h } from "../../../db/schema/mod.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";

/** In the caller's transaction; answers the new entry's id, or null when it was there. */
export async function recordProblem(
  deps: Deps,
  tx: Db,
  a: Actor,
  patientId: string,
  problem: { code: string; name: string; onsetDate: string | null; note: string },
): Promise<string | null> {
  const [known] = await tx.select({ id: h.id }).from(h).where(and(
    eq(h.orgId, a.orgId),
    eq(h.patientId, patientId),
    eq(h.kind, "condition"),
    eq(h.code, problem.code),
    eq(h.status, "active"),
    isNull(h.deletedAt),
  ));
  if (known) return null;
  const row = await insertTracked(tx, h, {
    ...stamp(a.orgId, a.userId, deps.clock.now().toISOString()),
    patientId,
    kind: "condition",
    name: problem.name,
    code: problem.code,
    status: "active",
    onsetDate: problem.onsetDate,
    notes: problem.note,
  });
  await deps.audit.record(tx, a, {
    action: "patient-history-entry.create",
    entityType: "patient-history-entry",
    entityId: row.id,
    patientId,
  });
  return row.id;
}
