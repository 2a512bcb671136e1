/**
 * An ADMIN's decision on a conflict, taken on any node: it is an ordinary write, so it travels
 * to every other node like any other.
 */
import type { Db } from "../../../db/client.ts";
import { syncConflicts } from "../../../db/schema/mod.ts";
import { type BusinessTable, findInTenant } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound, unprocessable } from "../../lib/errors.ts";
import { entityTypeOf } from "../../lib/module.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { applyBatch } from "./apply.ts";
import { type ConflictRow, toConflict } from "./conflicts.ts";
import type { SyncChangeT } from "./schemas.ts";

/**
 * An ADMIN's decision. `kept` closes the conflict; `other` writes the other value now, as a
 * local write with a new clock (so it wins everywhere), or applies a rejected change again.
 */
export async function resolveConflict(
  deps: Deps,
  a: Actor,
  id: string,
  choice: "kept" | "other",
  expectedVersion: number | undefined,
) {
  return await deps.db.transaction(async (tx) => {
    const c = await findInTenant(tx, syncConflicts, a.orgId, id);
    if (!c) throw notFound("Conflict");
    if (c.status === "resolved") throw unprocessable("The conflict is already resolved.");
    if (c.kind === "rejected" && choice === "other" && deps.config.sync.role === "replica") {
      // Only the primary can apply it for every node; a replica would apply it for itself.
      throw conflict("A rejected change is applied at the primary: resolve it there.");
    }
    if (choice === "other") await writeOther(deps, tx, a, c);
    const row = await auditedUpdate(deps, tx, a, {
      table: syncConflicts,
      label: "Conflict",
      id,
      expectedVersion,
      set: {
        status: "resolved",
        resolution: choice,
        resolvedAt: deps.clock.now().toISOString(),
        resolvedBy: a.userId,
      },
      action: "sync-conflict.resolve",
      entityType: "sync-conflict",
      patientId: c.patientId ?? undefined,
      fields: ["status", "resolution"],
    });
    return toConflict(row);
  });
}

async function writeOther(deps: Deps, tx: Db, a: Actor, c: ConflictRow) {
  const spec = deps.registry.tables.get(c.tableName)?.spec;
  if (!spec) throw unprocessable(`Table ${c.tableName} is no longer known.`);
  const table = spec.table as BusinessTable;
  if (c.kind === "rejected") {
    const change = c.change as SyncChangeT;
    try {
      const opened = await applyBatch(tx, {
        deps,
        role: "replica", // applied as the later clock wins, with no new conflict recorded
        origin: "resolution",
        orgId: a.orgId,
        site: deps.site.code ?? "primary",
        keepValues: true,
        trusted: false,
      }, [{ ...change, hlc: change.hlc }]);
      if (opened > 0) throw new Error("still rejected");
    } catch {
      throw conflict("The change still breaks a rule here; fix the other record first.");
    }
    return;
  }
  const row = await findInTenant(tx, table, a.orgId, c.rowId);
  if (!row) throw conflict("The record no longer exists.");
  await auditedUpdate(deps, tx, a, {
    table,
    label: "Record",
    id: c.rowId,
    expectedVersion: undefined,
    set: { [c.field!]: c.otherValue } as never,
    action: `${entityTypeOf(table)}.update`,
    entityType: entityTypeOf(table),
    patientId: c.patientId ?? undefined,
    fields: [c.field!],
  });
}
