import type { SQL } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import {
  type BusinessTable,
  changedFields,
  updateInTenant,
  type UpdateResult,
} from "../../db/tenant.ts";
import type { Actor, Deps } from "./context.ts";
import { notFound, preconditionFailed } from "./errors.ts";

/** Maps a failed versioned update to its HTTP meaning: 404 or 412 with the current ETag. */
export function unwrapUpdate<Row>(result: UpdateResult<Row>, what: string) {
  if (result.ok) return result;
  if (result.reason === "not-found") throw notFound(what);
  throw preconditionFailed(result.currentVersion);
}

/**
 * The usual versioned write of one tenant row, inside the caller's transaction: update with the
 * If-Match check (404/412), change log, and an audit entry naming the fields that changed.
 */
export async function auditedUpdate<T extends BusinessTable>(
  deps: Deps,
  tx: Db,
  a: Actor,
  spec: {
    table: T;
    /** What the row is, for the 404 message: "Patient". */
    label: string;
    id: string;
    expectedVersion: number | undefined;
    set:
      | Partial<T["$inferInsert"]>
      | ((before: T["$inferSelect"]) => Promise<Partial<T["$inferInsert"]>>);
    operation?: "update" | "delete";
    action: string;
    entityType: string;
    patientId?: string;
    /** Fields compared before and after for the audit entry's changedFields. */
    fields?: string[];
    /** See `updateInTenant`: the parent the row must belong to, and rules on the current row. */
    scope?: SQL;
    check?: (before: T["$inferSelect"]) => void | Promise<void>;
  },
) {
  const { row, before } = unwrapUpdate(
    await updateInTenant(tx, spec.table, {
      orgId: a.orgId,
      id: spec.id,
      expectedVersion: spec.expectedVersion,
      set: spec.set,
      actorId: a.userId,
      at: deps.clock.now().toISOString(),
      operation: spec.operation,
      scope: spec.scope,
      check: spec.check,
    }),
    spec.label,
  );
  await deps.audit.record(tx, a, {
    action: spec.action,
    entityType: spec.entityType,
    entityId: spec.id,
    patientId: spec.patientId,
    changedFields: spec.fields ? changedFields(before, row, spec.fields) : null,
  });
  return row;
}
