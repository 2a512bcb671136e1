/**
 * Deciding self-registrations (auth/registration.ts): an ADMIN lists the pending ones, approves
 * each with the role it grants (which may differ from the one asked for) or rejects it with a
 * reason. Rejecting ends the person's sessions in the organisation at once.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import { memberships, sessions, users } from "../../../db/schema/mod.ts";
import { changedFields, updateInTenant } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound } from "../../lib/errors.ts";
import type { TenantRole } from "../../lib/permissions.ts";
import { unwrapUpdate } from "../../lib/writes.ts";
import { readUser } from "./service.ts";

export async function listPending(deps: Deps, orgId: string) {
  const now = deps.clock.now().toISOString();
  const rows = await deps.db.db.select({
    id: users.id,
    email: users.email,
    fullName: users.fullName,
    phone: users.phone,
    requestedRole: memberships.requestedRole,
    employeeId: memberships.employeeId,
    temporaryUntil: memberships.temporaryUntil,
    registeredAt: memberships.createdAt,
    version: memberships.version,
  }).from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(
      eq(memberships.orgId, orgId),
      eq(memberships.status, "pending"),
      isNull(memberships.deletedAt),
    ))
    .orderBy(asc(memberships.createdAt)).limit(500);
  return rows.map((r) => ({
    ...r,
    requestedRole: r.requestedRole as TenantRole,
    temporaryAccess: r.temporaryUntil !== null && r.temporaryUntil > now,
  }));
}

async function decide(
  deps: Deps,
  a: Actor,
  userId: string,
  expectedVersion: number | undefined,
  decision: { approve: true; role: TenantRole } | { approve: false; reason: string },
) {
  const at = deps.clock.now().toISOString();
  await deps.db.transaction(async (tx) => {
    const [m] = await tx.select({ id: memberships.id }).from(memberships).where(and(
      eq(memberships.orgId, a.orgId),
      eq(memberships.userId, userId),
      isNull(memberships.deletedAt),
    ));
    if (!m) throw notFound("User");
    const { row, before } = unwrapUpdate(
      await updateInTenant(tx, memberships, {
        orgId: a.orgId,
        id: m.id,
        expectedVersion,
        // Decided on the row as it is in the write: of two admins deciding at once, the second
        // finds it no longer pending.
        check: (current) => {
          if (current.status !== "pending") {
            throw conflict(`This registration was already ${current.status}.`, {
              state: current.status,
            });
          }
        },
        set: decision.approve
          ? {
            status: "approved",
            role: decision.role,
            temporaryUntil: null,
            decidedBy: a.userId,
            decidedAt: at,
          }
          : {
            status: "rejected",
            active: false,
            temporaryUntil: null,
            decidedBy: a.userId,
            decidedAt: at,
            decisionReason: decision.reason,
          },
        actorId: a.userId,
        at,
      }),
      "User",
    );
    if (!decision.approve) {
      await tx.update(sessions).set({ revokedAt: at, revokedReason: "registration-rejected" })
        .where(and(
          eq(sessions.userId, userId),
          eq(sessions.orgId, a.orgId),
          isNull(sessions.revokedAt),
        ));
    }
    await deps.audit.record(tx, a, {
      action: decision.approve ? "user.registration.approve" : "user.registration.reject",
      entityType: "user",
      entityId: userId,
      changedFields: changedFields(before, row, [
        "status",
        "role",
        "active",
        "temporaryUntil",
        "decisionReason",
      ]),
    });
  });
  // After the commit: the next request reads the new role, or finds the access ended.
  deps.principals.forgetUser(userId);
  return await readUser(deps.db.db, a.orgId, userId);
}

export const approveRegistration = (
  deps: Deps,
  a: Actor,
  userId: string,
  role: TenantRole,
  expectedVersion?: number,
) => decide(deps, a, userId, expectedVersion, { approve: true, role });

export const rejectRegistration = (
  deps: Deps,
  a: Actor,
  userId: string,
  reason: string,
  expectedVersion?: number,
) => decide(deps, a, userId, expectedVersion, { approve: false, reason });
