/** Work centres: where preparation steps are done (mixing bench, filling line), with a cost per hour. */
import type { z } from "@hono/zod-openapi";
import { and, asc, eq, isNull } from "drizzle-orm";
import { workCentres } from "../../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../../db/tenant.ts";
import type { Actor, Deps } from "../../../lib/context.ts";
import { notFound } from "../../../lib/errors.ts";
import { auditedUpdate } from "../../../lib/writes.ts";
import type { WorkCentreInput, WorkCentrePatch } from "../schemas-preparation.ts";
import { orgCurrency } from "../../organizations/mod.ts";

const toWorkCentre = (w: typeof workCentres.$inferSelect, currency: string) => ({
  id: w.id,
  name: w.name,
  costPerHour: w.costPerHour,
  currency,
  active: w.active,
  version: w.version,
  createdAt: w.createdAt,
  updatedAt: w.updatedAt,
});

export async function createWorkCentre(
  deps: Deps,
  a: Actor,
  input: z.infer<typeof WorkCentreInput>,
) {
  return await deps.db.transaction(async (tx) => {
    const row = await insertTracked(tx, workCentres, {
      ...stamp(a.orgId, a.userId, deps.clock.now().toISOString()),
      name: input.name,
      costPerHour: input.costPerHour,
    });
    await deps.audit.record(tx, a, {
      action: "work-centre.create",
      entityType: "work-centre",
      entityId: row.id,
    });
    return toWorkCentre(row, await orgCurrency(tx, a.orgId));
  });
}

export async function listWorkCentres(deps: Deps, a: Actor) {
  const db = deps.db.db;
  const rows = await db.select().from(workCentres)
    .where(and(eq(workCentres.orgId, a.orgId), isNull(workCentres.deletedAt)))
    .orderBy(asc(workCentres.name), asc(workCentres.id)).limit(1000);
  const currency = await orgCurrency(db, a.orgId);
  return { data: rows.map((w) => toWorkCentre(w, currency)) };
}

export async function readWorkCentre(deps: Deps, a: Actor, id: string) {
  const db = deps.db.db;
  const row = await findInTenant(db, workCentres, a.orgId, id);
  if (!row) throw notFound("Work centre");
  return toWorkCentre(row, await orgCurrency(db, a.orgId));
}

export async function updateWorkCentre(
  deps: Deps,
  a: Actor,
  id: string,
  patch: z.infer<typeof WorkCentrePatch>,
  expectedVersion: number | undefined,
) {
  return await deps.db.transaction(async (tx) => {
    const row = await auditedUpdate(deps, tx, a, {
      table: workCentres,
      label: "Work centre",
      id,
      expectedVersion,
      set: patch,
      action: "work-centre.update",
      entityType: "work-centre",
      fields: ["name", "costPerHour", "active"],
    });
    return toWorkCentre(row, await orgCurrency(tx, a.orgId));
  });
}
