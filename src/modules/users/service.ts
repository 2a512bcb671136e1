import { and, asc, eq, gt, isNull, type SQL } from "drizzle-orm";
import type { z } from "@hono/zod-openapi";
import type { Db } from "../../../db/client.ts";
import { nextSequence } from "../../../db/changes.ts";
import { facilities, memberships, sessions, users } from "../../../db/schema/mod.ts";
import { changedFields, findInTenant, updateInTenant } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound, unprocessable } from "../../lib/errors.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import { EMPLOYEE_PREFIX, type TenantRole } from "../../lib/permissions.ts";
import { unwrapUpdate } from "../../lib/writes.ts";
import type { UserPatch } from "./schemas.ts";

/**
 * ADM001, DOC002, …: per organisation and role prefix, allocated in the caller's transaction. A
 * clinic replica's carry its site code (DOCK2-001), on a counter of its own, so two sites that
 * allocate while apart never issue the same one.
 */
export async function allocateEmployeeId(
  tx: Db,
  orgId: string,
  role: TenantRole,
  siteCode: string | null = null,
) {
  const prefix = EMPLOYEE_PREFIX[role];
  const site = siteCode ? `${siteCode}-` : "";
  const n = await nextSequence(tx, orgId, `employee:${prefix}${site}`);
  return `${prefix}${site}${String(n).padStart(3, "0")}`;
}

const columns = {
  id: users.id,
  email: users.email,
  fullName: users.fullName,
  role: memberships.role,
  employeeId: memberships.employeeId,
  facilityId: memberships.facilityId,
  active: memberships.active,
  version: memberships.version,
  createdAt: memberships.createdAt,
  updatedAt: memberships.updatedAt,
};

type UserView = {
  id: string;
  email: string;
  fullName: string;
  role: TenantRole;
  employeeId: string;
  facilityId: string | null;
  active: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
};

const memberOf = (orgId: string) =>
  and(eq(memberships.orgId, orgId), isNull(memberships.deletedAt));

async function readView(db: Db, orgId: string, userId: string): Promise<UserView | undefined> {
  const [row] = await db.select(columns).from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(memberOf(orgId), eq(memberships.userId, userId)));
  return row as UserView | undefined;
}

export async function assertFacility(tx: Db, orgId: string, facilityId: string | null | undefined) {
  if (!facilityId) return;
  if (!await findInTenant(tx, facilities, orgId, facilityId)) {
    throw unprocessable("The facility does not exist in this organisation.", [
      { path: "facilityId", in: "body", message: "unknown facility" },
    ]);
  }
}

export async function listUsers(
  db: Db,
  orgId: string,
  q: { limit: number; cursor?: string; role?: string; active?: "true" | "false" },
) {
  const where: SQL[] = [memberOf(orgId)!];
  if (q.role) where.push(eq(memberships.role, q.role));
  if (q.active) where.push(eq(memberships.active, q.active === "true"));
  const cursor = decodeCursor(q.cursor);
  if (cursor) where.push(gt(users.id, cursor.id));
  const rows = await db.select(columns).from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(...where)).orderBy(asc(users.id)).limit(q.limit + 1);
  return pageOf(rows as UserView[], q.limit, (u) => u.id);
}

export async function readUser(db: Db, orgId: string, userId: string) {
  const view = await readView(db, orgId, userId);
  if (!view) throw notFound("User");
  return view;
}

/**
 * An organisation always keeps one active ADMIN. Counted inside the write, after it: writes are
 * serialised, so of two admins demoting each other at once the second finds itself the last.
 */
async function assertAnAdminLeft(tx: Db, orgId: string) {
  const [left] = await tx.select({ id: memberships.id }).from(memberships).where(and(
    memberOf(orgId),
    eq(memberships.role, "ADMIN"),
    eq(memberships.active, true),
    eq(memberships.status, "approved"),
  )).limit(1);
  if (!left) {
    throw conflict(
      "This is the organisation's last active ADMIN; make another member ADMIN first.",
      { rule: "last-admin" },
    );
  }
}

export async function updateUser(
  deps: Deps,
  a: Actor,
  userId: string,
  patch: z.infer<typeof UserPatch>,
  expectedVersion: number | undefined,
  action = "user.update",
) {
  const at = deps.clock.now().toISOString();
  const current = await readView(deps.db.db, a.orgId, userId);
  if (!current) throw notFound("User");
  if (
    userId === a.userId && (patch.active === false || (patch.role && patch.role !== current.role))
  ) {
    throw unprocessable(
      "You cannot deactivate yourself or change your own role; ask another admin.",
    );
  }
  await deps.db.transaction(async (tx) => {
    await assertFacility(tx, a.orgId, patch.facilityId);
    const [m] = await tx.select({ id: memberships.id }).from(memberships)
      .where(and(memberOf(a.orgId), eq(memberships.userId, userId)));
    if (!m) throw notFound("User");
    const { row, before } = unwrapUpdate(
      await updateInTenant(tx, memberships, {
        orgId: a.orgId,
        id: m.id,
        expectedVersion,
        set: patch,
        actorId: a.userId,
        at,
      }),
      "User",
    );
    const changed = changedFields(before, row, ["role", "facilityId", "active", "employeeId"]);
    if (before.role === "ADMIN" && (row.role !== "ADMIN" || !row.active)) {
      await assertAnAdminLeft(tx, a.orgId);
    }
    if (patch.active === false) {
      await tx.update(sessions).set({ revokedAt: at, revokedReason: "deactivated" })
        .where(
          and(eq(sessions.userId, userId), eq(sessions.orgId, a.orgId), isNull(sessions.revokedAt)),
        );
    }
    await deps.audit.record(tx, a, {
      action,
      entityType: "user",
      entityId: userId,
      changedFields: changed,
    });
  });
  // After the commit: a request between the two must not re-cache the old role.
  deps.principals.forgetUser(userId);
  return (await readView(deps.db.db, a.orgId, userId))!;
}
