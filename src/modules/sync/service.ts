/**
 * The nodes a primary syncs with: registered by an organisation's admin, each with a site code
 * unique in the organisation and a credential kept only as a hash.
 */
import { and, eq, inArray, isNotNull, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { facilities, organizations, syncNodes } from "../../../db/schema/mod.ts";
import { schemaVersion } from "../../../db/migrate.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, unprocessable } from "../../lib/errors.ts";
import { pageNewestFirst } from "../../lib/pagination.ts";
import { newSecret } from "../../lib/secrets.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { hashNodeToken } from "../../middleware/node-auth.ts";
import type { NodeInputT } from "./schemas.ts";

type NodeRow = typeof syncNodes.$inferSelect;

export const toSyncNode = (r: NodeRow) => ({
  id: r.id,
  name: r.name,
  siteCode: r.siteCode,
  facilityIds: r.facilityIds,
  revokedAt: r.revokedAt,
  lastSeenAt: r.lastSeenAt,
  lastPushAt: r.lastPushAt,
  lastPullAt: r.lastPullAt,
  version: r.version,
  createdAt: r.createdAt,
});

async function assertFacilities(tx: Db, orgId: string, ids: string[]) {
  if (ids.length === 0) return;
  const found = await tx.select({ id: facilities.id }).from(facilities)
    .where(
      and(eq(facilities.orgId, orgId), inArray(facilities.id, ids), isNull(facilities.deletedAt)),
    );
  const known = new Set(found.map((f) => f.id));
  const unknown = ids.findIndex((id) => !known.has(id));
  if (unknown >= 0) {
    throw unprocessable("The facility does not exist in this organisation.", [
      { path: `facilityIds.${unknown}`, in: "body", message: "unknown facility" },
    ]);
  }
}

export async function registerNode(deps: Deps, a: Actor, input: NodeInputT) {
  const token = newSecret("cn_");
  const at = deps.clock.now().toISOString();
  const facilityIds = [...new Set(input.facilityIds ?? [])];
  const row = await deps.db.transaction(async (tx) => {
    await assertFacilities(tx, a.orgId, facilityIds);
    // Decided in the transaction; the unique index has the last word across processes.
    const [taken] = await tx.select({ id: syncNodes.id }).from(syncNodes)
      .where(and(eq(syncNodes.orgId, a.orgId), eq(syncNodes.siteCode, input.siteCode)));
    if (taken) throw conflict(`Site code ${input.siteCode} is taken in this organisation.`);
    const row = await insertTracked(tx, syncNodes, {
      ...stamp(a.orgId, a.userId, at),
      name: input.name,
      siteCode: input.siteCode,
      facilityIds,
      tokenHash: hashNodeToken(token),
    });
    await deps.audit.record(tx, a, {
      action: "sync-node.create",
      entityType: "sync-node",
      entityId: row.id,
    });
    return row;
  });
  return { ...toSyncNode(row), token };
}

export async function listNodes(
  db: Db,
  orgId: string,
  q: { limit: number; cursor?: string; revoked?: "true" | "false" },
) {
  const revoked = q.revoked === "true"
    ? isNotNull(syncNodes.revokedAt)
    : q.revoked === "false"
    ? isNull(syncNodes.revokedAt)
    : undefined;
  const page = await pageNewestFirst(db, syncNodes, orgId, [revoked], q);
  return { data: page.data.map(toSyncNode), nextCursor: page.nextCursor };
}

export async function revokeNode(
  deps: Deps,
  a: Actor,
  id: string,
  expectedVersion: number | undefined,
) {
  const row = await deps.db.transaction((tx) =>
    auditedUpdate(deps, tx, a, {
      table: syncNodes,
      label: "Node",
      id,
      expectedVersion,
      set: { revokedAt: deps.clock.now().toISOString() },
      check: (before) => {
        if (before.revokedAt) throw unprocessable("The node is already revoked.");
      },
      action: "sync-node.revoke",
      entityType: "sync-node",
      fields: ["revokedAt"],
    })
  );
  return toSyncNode(row);
}

/**
 * What a node learns at first contact. Its `lastSeenAt` is operational state of this primary's
 * own (the table is local), so it is stamped directly, without a version or a change-log entry.
 */
export async function hello(deps: Deps, node: { id: string; orgId: string }) {
  const [row] = await deps.db.db.select({
    siteCode: syncNodes.siteCode,
    facilityIds: syncNodes.facilityIds,
    organizationCode: organizations.code,
    organizationName: organizations.name,
  }).from(syncNodes).innerJoin(organizations, eq(organizations.id, syncNodes.orgId))
    .where(eq(syncNodes.id, node.id));
  const at = deps.clock.now().toISOString();
  await deps.db.transaction((tx) =>
    tx.update(syncNodes).set({ lastSeenAt: at }).where(eq(syncNodes.id, node.id))
  );
  return { nodeId: node.id, organizationId: node.orgId, ...row, schemaVersion: schemaVersion() };
}

/** A SUPER_ADMIN's registration for an organisation named in the request (422 if unknown). */
export async function registerNodeFor(deps: Deps, a: Actor, input: NodeInputT) {
  const [org] = await deps.db.db.select({ id: organizations.id }).from(organizations)
    .where(and(eq(organizations.id, a.orgId), isNull(organizations.deletedAt)));
  if (!org) {
    throw unprocessable("The organisation does not exist.", [
      { path: "organizationId", in: "body", message: "unknown organisation" },
    ]);
  }
  return await registerNode(deps, a, input);
}
