/** Stores: where stock is kept (main store, dispensary, ward), with their opening hours. */
import type { z } from "@hono/zod-openapi";
import { and, asc, eq, gt, isNull, type SQL } from "drizzle-orm";
import { facilities, stores } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { notFound, unprocessable } from "../../lib/errors.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import type { StoreInput, StorePatch } from "./schemas-catalogue.ts";

type StoreRow = typeof stores.$inferSelect;
type Hours = Record<string, [string, string][]>;

const FIELDS = ["name", "openingHours", "active"];

/** Every day 00:00-23:59. */
export const ALWAYS_OPEN: Hours = Object.fromEntries(
  ["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [["00:00", "23:59"]] as [string, string][]]),
);

/** Days sent are taken as given (sorted); days left out are open all day. */
const hoursOf = (given: Partial<Hours> | undefined): Hours =>
  Object.fromEntries(
    Object.entries({ ...ALWAYS_OPEN, ...given }).map((
      [d, list],
    ) => [d, [...(list ?? [])].sort((x, y) => x[0] < y[0] ? -1 : 1)]),
  );

export const toStore = (s: StoreRow) => ({
  id: s.id,
  name: s.name,
  kind: s.kind,
  facilityId: s.facilityId,
  openingHours: s.openingHours,
  active: s.active,
  version: s.version,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

export async function createStore(deps: Deps, a: Actor, input: z.infer<typeof StoreInput>) {
  const now = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    if (input.facilityId && !await findInTenant(tx, facilities, a.orgId, input.facilityId)) {
      throw unprocessable("Unknown facility.", [
        { path: "facilityId", in: "body", message: "is not a facility of this organisation" },
      ]);
    }
    const row = await insertTracked(tx, stores, {
      ...stamp(a.orgId, a.userId, now),
      facilityId: input.facilityId ?? a.facilityId ?? null,
      name: input.name,
      kind: input.kind,
      openingHours: hoursOf(input.openingHours),
    });
    await deps.audit.record(tx, a, {
      action: "store.create",
      entityType: "store",
      entityId: row.id,
    });
    return toStore(row);
  });
}

export async function listStores(deps: Deps, a: Actor, q: { limit: number; cursor?: string }) {
  const where: SQL[] = [eq(stores.orgId, a.orgId), isNull(stores.deletedAt)];
  const cursor = decodeCursor(q.cursor);
  if (cursor) where.push(gt(stores.id, cursor.id));
  const rows = await deps.db.db.select().from(stores).where(and(...where))
    .orderBy(asc(stores.id)).limit(q.limit + 1);
  return pageOf(rows.map(toStore), q.limit, (s) => s.id);
}

export async function readStore(deps: Deps, a: Actor, id: string) {
  const row = await findInTenant(deps.db.db, stores, a.orgId, id);
  if (!row) throw notFound("Store");
  return toStore(row);
}

export async function updateStore(
  deps: Deps,
  a: Actor,
  id: string,
  patch: z.infer<typeof StorePatch>,
  expectedVersion: number | undefined,
) {
  return await deps.db.transaction(async (tx) => {
    const row = await auditedUpdate(deps, tx, a, {
      table: stores,
      label: "Store",
      id,
      expectedVersion,
      set: {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        ...(patch.openingHours ? { openingHours: hoursOf(patch.openingHours) } : {}),
      },
      action: "store.update",
      entityType: "store",
      fields: FIELDS,
    });
    return toStore(row);
  });
}
