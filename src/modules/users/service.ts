import { and, asc, eq, gt, isNull, type SQL, sql } from "drizzle-orm";
import type { z } from "@hono/zod-openapi";
import type { Db } from "../../../db/client.ts";
import { nextSequence, recordChange } from "../../../db/changes.ts";
import { facilities, memberships, sessions, users } from "../../../db/schema/mod.ts";
import {
  changedFields,
  findInTenant,
  insertTracked,
  stamp,
  updateInTenant,
} from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound, unprocessable } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import { hashPassword } from "../../lib/password.ts";
import { EMPLOYEE_PREFIX, type TenantRole } from "../../lib/permissions.ts";
import { unwrapUpdate } from "../../lib/writes.ts";
import type { CreateUserBody, UserPatch } from "./schemas.ts";

/** ADM001, DOC002, …: per organisation and role prefix, allocated in the caller's transaction. */
export async function allocateEmployeeId(tx: Db, orgId: string, role: TenantRole) {
  const prefix = EMPLOYEE_PREFIX[role];
  const n = await nextSequence(tx, orgId, `employee:${prefix}`);
  return `${prefix}${String(n).padStart(3, "0")}`;
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

async function assertFacility(tx: Db, orgId: string, facilityId: string | null | undefined) {
  if (!facilityId) return;
  if (!await findInTenant(tx, facilities, orgId, facilityId)) {
    throw unprocessable("The facility does not exist in this organisation.", [
      { path: "facilityId", in: "body", message: "unknown facility" },
    ]);
  }
}

export async function createUser(deps: Deps, a: Actor, input: z.infer<typeof CreateUserBody>) {
  const [existing] = await deps.db.db.select().from(users).where(eq(users.email, input.email));
  if (!existing && !input.password) {
    throw unprocessable("A password is required for a new account.", [
      { path: "password", in: "body", message: "required for a new account" },
    ]);
  }
  const passwordHash = existing
    ? null
    : await hashPassword(input.password!, deps.config.passwordLogN);
  const at = deps.clock.now().toISOString();
  const userId = await deps.db.transaction(async (tx) => {
    await assertFacility(tx, a.orgId, input.facilityId);
    const userId = existing?.id ?? newId();
    if (existing) {
      const [m] = await tx.select({ id: memberships.id }).from(memberships)
        .where(and(eq(memberships.orgId, a.orgId), eq(memberships.userId, existing.id)));
      if (m) throw conflict("This person is already a member of the organisation.");
    } else {
      await insertTracked(tx, users, {
        ...stamp(a.orgId, a.userId, at, userId),
        email: input.email,
        fullName: input.fullName,
        passwordHash: passwordHash!,
      });
    }
    await insertTracked(tx, memberships, {
      ...stamp(a.orgId, a.userId, at),
      userId,
      role: input.role,
      // Omitted: the admin's own facility. An explicit null: no facility.
      facilityId: input.facilityId === undefined ? a.facilityId : input.facilityId,
      employeeId: await allocateEmployeeId(tx, a.orgId, input.role),
    });
    await deps.audit.record(tx, a, { action: "user.create", entityType: "user", entityId: userId });
    return userId;
  });
  return (await readView(deps.db.db, a.orgId, userId))!;
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
    const { fullName, ...membershipPatch } = patch;
    const { row, before } = unwrapUpdate(
      await updateInTenant(tx, memberships, {
        orgId: a.orgId,
        id: m.id,
        expectedVersion,
        set: membershipPatch,
        actorId: a.userId,
        at,
      }),
      "User",
    );
    const changed = changedFields(before, row, ["role", "facilityId", "active"]);
    if (fullName !== undefined && fullName !== current.fullName) {
      const [u] = await tx.update(users).set({
        fullName,
        updatedAt: at,
        updatedBy: a.userId,
        version: sql`${users.version} + 1`,
      }).where(eq(users.id, userId)).returning({ version: users.version });
      await recordChange(tx, {
        orgId: a.orgId,
        table: "users",
        rowId: userId,
        operation: "update",
        version: u.version,
        at,
      });
      changed.push("fullName");
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
