import { and, asc, eq, gt, isNull, type SQL } from "drizzle-orm";
import type { z } from "@hono/zod-openapi";
import type { Db } from "../../../db/client.ts";
import { facilities } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound } from "../../lib/errors.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import type { FacilityInput, FacilityPatch } from "./schemas.ts";

type Row = typeof facilities.$inferSelect;
const FIELDS = ["name", "code", "address", "phone", "active"];

export const toFacility = (f: Row) => ({
  id: f.id,
  name: f.name,
  code: f.code,
  address: f.address,
  phone: f.phone,
  active: f.active,
  version: f.version,
  createdAt: f.createdAt,
  updatedAt: f.updatedAt,
});

async function assertCodeFree(tx: Db, orgId: string, code: string, exceptId?: string) {
  const [taken] = await tx.select({ id: facilities.id }).from(facilities)
    .where(and(eq(facilities.orgId, orgId), eq(facilities.code, code)));
  if (taken && taken.id !== exceptId) throw conflict(`A facility with code ${code} exists.`);
}

export async function createFacility(deps: Deps, a: Actor, input: z.infer<typeof FacilityInput>) {
  const now = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    await assertCodeFree(tx, a.orgId, input.code);
    const row = await insertTracked(tx, facilities, {
      ...stamp(a.orgId, a.userId, now),
      name: input.name,
      code: input.code,
      address: input.address ?? null,
      phone: input.phone ?? null,
    });
    await deps.audit.record(tx, a, {
      action: "facility.create",
      entityType: "facility",
      entityId: row.id,
    });
    return toFacility(row);
  });
}

export async function listFacilities(
  db: Db,
  orgId: string,
  q: { limit: number; cursor?: string; active?: "true" | "false" },
) {
  const where: SQL[] = [eq(facilities.orgId, orgId), isNull(facilities.deletedAt)];
  if (q.active) where.push(eq(facilities.active, q.active === "true"));
  const cursor = decodeCursor(q.cursor);
  if (cursor) where.push(gt(facilities.id, cursor.id));
  const rows = await db.select().from(facilities).where(and(...where))
    .orderBy(asc(facilities.id)).limit(q.limit + 1);
  return pageOf(rows.map(toFacility), q.limit, (f) => f.id);
}

export async function readFacility(db: Db, orgId: string, id: string) {
  const row = await findInTenant(db, facilities, orgId, id);
  if (!row) throw notFound("Facility");
  return toFacility(row);
}

export async function updateFacility(
  deps: Deps,
  a: Actor,
  id: string,
  patch: z.infer<typeof FacilityPatch> & { active?: boolean },
  expectedVersion: number | undefined,
  action = "facility.update",
) {
  return await deps.db.transaction(async (tx) => {
    if (patch.code) await assertCodeFree(tx, a.orgId, patch.code, id);
    const row = await auditedUpdate(deps, tx, a, {
      table: facilities,
      label: "Facility",
      id,
      expectedVersion,
      set: patch,
      action,
      entityType: "facility",
      fields: FIELDS,
    });
    return toFacility(row);
  });
}
