/**
 * Undoing an import: the patients it registered deleted again, in transactions as short as those
 * that wrote them, each deletion audited (`patient.import-undo`) and in the change log like any
 * deletion, so sync replicas lose them too. The same for an import that undoes itself (a row
 * refused midway, a failure) and for one a crash interrupted (import-recovery.ts).
 */
import type { Db } from "../../../db/client.ts";
import { patients } from "../../../db/schema/mod.ts";
import { updateInTenant } from "../../../db/tenant.ts";
import type { Deps } from "../../lib/context.ts";
import type { AuditSubject } from "../../lib/services.ts";
import { pause } from "./import-check.ts";
import { renewImport, UNFINISHED } from "./import-record.ts";

/** The pause between two transactions: long enough for a waiting request to reach the queue. */
export const GAP_MS = 5;

/** Runs one write transaction, handing it the time it started (publishRows counts them). */
export type Timed = <T>(fn: (tx: Db, start: number) => Promise<T>) => Promise<T>;

export interface Undoing {
  orgId: string;
  /** The import's record, when one was committed; the last transaction marks it undone. */
  importId: string | null;
  /** Who the audit entries name; the server itself at start-up. */
  who: AuditSubject;
  /** The patients' `updated_by`: the person undoing, or null for the server. */
  actorId: string | null;
  /** What the audit entries add (the import's id, why it was undone). */
  detail: string[];
  chunkMs: number;
}

/** Deletes `ids` again; answers how many were still there to delete. */
export async function undoPatients(deps: Deps, u: Undoing, ids: string[], timed: Timed) {
  if (ids.length === 0 && !u.importId) return 0;
  let next = 0;
  let deletedCount = 0;
  do {
    if (next > 0) await pause(GAP_MS);
    next = await timed(async (tx, start) => {
      const at = deps.clock.now().toISOString();
      let i = next;
      while (i < ids.length && (i === next || performance.now() - start < u.chunkMs)) {
        const id = ids[i++];
        const deleted = await updateInTenant(tx, patients, {
          orgId: u.orgId,
          id,
          set: { deletedAt: at },
          actorId: u.actorId as string,
          at,
          operation: "delete",
        });
        // Not found: someone deleted it meanwhile, which is the end wanted.
        if (!deleted.ok) continue;
        deletedCount++;
        await deps.audit.record(tx, u.who, {
          action: "patient.import-undo",
          entityType: "patient",
          entityId: id,
          patientId: id,
          changedFields: u.detail,
        });
      }
      if (u.importId) {
        const last = i === ids.length;
        await renewImport(deps, tx, u.importId, at, UNFINISHED, {
          status: last ? "undone" : "undoing",
          finished: last,
        });
      }
      return i;
    });
  } while (next < ids.length);
  return deletedCount;
}
