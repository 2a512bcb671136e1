/**
 * Inviting staff. An organisation never attaches an account itself: it records an invitation,
 * and the person joins by accepting it (auth/invitations.ts). The answer is the same whether or
 * not the address has an account anywhere on the platform, and nothing about such an account is
 * read, changed or shown here.
 */
import { and, desc, eq, gt, isNull, lt, lte, type SQL } from "drizzle-orm";
import type { z } from "@hono/zod-openapi";
import type { Db } from "../../../db/client.ts";
import { invitations, memberships, users } from "../../../db/schema/mod.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, unprocessable } from "../../lib/errors.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import type { TenantRole } from "../../lib/permissions.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { newInvitationCode } from "./invitation-code.ts";
import type { InviteBody } from "./schemas.ts";
import { assertFacility } from "./service.ts";

/** How long a code can be accepted: a week covers a new hire's first days off. */
export const INVITATION_TTL_MS = 7 * 86_400_000;

type InvitationRow = typeof invitations.$inferSelect;

export function toInvitation(row: InvitationRow, now: Date) {
  const expired = row.status === "pending" && row.expiresAt <= now.toISOString();
  return {
    id: row.id,
    email: row.email,
    fullName: row.fullName,
    role: row.role as TenantRole,
    facilityId: row.facilityId,
    status: (expired ? "expired" : row.status) as "pending" | "accepted" | "revoked" | "expired",
    expiresAt: row.expiresAt,
    acceptedAt: row.acceptedAt,
    userId: row.acceptedBy,
    version: row.version,
    createdAt: row.createdAt,
  };
}

export async function inviteUser(deps: Deps, a: Actor, input: z.infer<typeof InviteBody>) {
  const now = deps.clock.now();
  const at = now.toISOString();
  const { code, hash } = newInvitationCode();
  const row = await deps.db.transaction(async (tx) => {
    await assertFacility(tx, a.orgId, input.facilityId);
    // Only this organisation's own members are looked at: it already lists their addresses.
    const [member] = await tx.select({ id: memberships.id }).from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(
        eq(memberships.orgId, a.orgId),
        eq(users.email, input.email),
        isNull(memberships.deletedAt),
      ));
    if (member) throw conflict("This person is already a member of the organisation.");
    const row = await insertTracked(tx, invitations, {
      ...stamp(a.orgId, a.userId, at),
      email: input.email,
      fullName: input.fullName,
      role: input.role,
      facilityId: input.facilityId === undefined ? a.facilityId : input.facilityId,
      codeHash: hash,
      expiresAt: new Date(now.getTime() + INVITATION_TTL_MS).toISOString(),
    });
    await deps.audit.record(tx, a, {
      action: "invitation.create",
      entityType: "invitation",
      entityId: row.id,
    });
    return row;
  });
  return { ...toInvitation(row, now), code };
}

export async function listInvitations(
  deps: Deps,
  orgId: string,
  q: { limit: number; cursor?: string; status?: string },
) {
  const now = deps.clock.now();
  const at = now.toISOString();
  const where: SQL[] = [eq(invitations.orgId, orgId), isNull(invitations.deletedAt)];
  if (q.status === "expired") {
    where.push(eq(invitations.status, "pending"), lte(invitations.expiresAt, at));
  } else if (q.status === "pending") {
    where.push(eq(invitations.status, "pending"), gt(invitations.expiresAt, at));
  } else if (q.status) where.push(eq(invitations.status, q.status));
  const cursor = decodeCursor(q.cursor);
  if (cursor) where.push(lt(invitations.id, cursor.id));
  const rows = await deps.db.db.select().from(invitations).where(and(...where))
    .orderBy(desc(invitations.id)).limit(q.limit + 1);
  const page = pageOf(rows, q.limit, (r) => r.id);
  return { data: page.data.map((r) => toInvitation(r, now)), nextCursor: page.nextCursor };
}

export async function revokeInvitation(
  deps: Deps,
  a: Actor,
  id: string,
  expectedVersion: number | undefined,
) {
  const row = await deps.db.transaction((tx: Db) =>
    auditedUpdate(deps, tx, a, {
      table: invitations,
      label: "Invitation",
      id,
      expectedVersion,
      set: { status: "revoked" },
      check: (before) => {
        if (before.status !== "pending") {
          throw unprocessable(`The invitation is ${before.status}; only a pending one is revoked.`);
        }
      },
      action: "invitation.revoke",
      entityType: "invitation",
      fields: ["status"],
    })
  );
  return toInvitation(row, deps.clock.now());
}
