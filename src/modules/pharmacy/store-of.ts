/** Which store a stock write goes to. */
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type Db, prepared } from "../../../db/client.ts";
import { stores } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { unprocessable } from "../../lib/errors.ts";

// Every stock write without a store asks: built once.
const firstStore = prepared<typeof stores.$inferSelect>(
  new QueryBuilder().select().from(stores).where(and(
    eq(stores.orgId, sql.placeholder("orgId")),
    isNull(stores.deletedAt),
    eq(stores.active, true),
  )).orderBy(asc(stores.createdAt)).limit(1),
);

/** The store a write names, or the organisation's first (a default one is made if none). */
export async function storeFor(deps: Deps, tx: Db, a: Actor, storeId?: string) {
  if (storeId) {
    const s = await findInTenant(tx, stores, a.orgId, storeId);
    if (!s) {
      throw unprocessable("Unknown store.", [
        { path: "storeId", in: "body", message: "is not a store of this organisation" },
      ]);
    }
    return s;
  }
  const first = await firstStore.get(tx, { orgId: a.orgId });
  if (first) return first;
  const hours = Object.fromEntries(
    ["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [["00:00", "23:59"]] as [string, string][]]),
  );
  const made = await insertTracked(tx, stores, {
    ...stamp(a.orgId, a.userId, deps.clock.now().toISOString()),
    facilityId: a.facilityId ?? null,
    name: "Main store",
    kind: "main",
    openingHours: hours,
  });
  await deps.audit.record(tx, a, {
    action: "store.create",
    entityType: "store",
    entityId: made.id,
  });
  return made;
}
