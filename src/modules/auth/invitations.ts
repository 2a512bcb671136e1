/**
 * Accepting an invitation: the one way an account joins an organisation. The person gives the
 * code and their password: an address without an account gets one with that password, an
 * existing account must give its own password (so nobody joins someone else's account to an
 * organisation). A wrong code and a wrong password answer the same 401, both count against the
 * login limits, and five wrong passwords revoke the invitation.
 */
import { and, eq } from "drizzle-orm";
import { invitations, memberships, users } from "../../../db/schema/mod.ts";
import { insertTracked, stamp, updateInTenant } from "../../../db/tenant.ts";
import type { Deps } from "../../lib/context.ts";
import { conflict, forbidden, unauthorized } from "../../lib/errors.ts";
import { newId } from "../../../db/ids.ts";
import { hashPassword, verifyPassword } from "../../lib/password.ts";
import type { TenantRole } from "../../lib/permissions.ts";
import { hashInvitationCode } from "../users/mod.ts";
import { allocateEmployeeId } from "../users/mod.ts";
import { numberingSite } from "../../lib/site.ts";
import { type RequestMeta, startSession, tokenResponse } from "./accounts.ts";
import { auditAttempt, checkRate, countFailure } from "./attempts.ts";
import type { TokenResponseT } from "./schemas.ts";
import { assertPasswordPolicy } from "./passwords.ts";

const BAD_INVITATION = "The invitation code or the password is not valid.";
/** Wrong passwords after which the invitation is revoked: its code may have leaked. */
export const MAX_INVITATION_FAILURES = 5;

export async function acceptInvitation(
  deps: Deps,
  input: { code: string; password: string; fullName?: string },
  meta: RequestMeta,
): Promise<TokenResponseT> {
  const codeHash = hashInvitationCode(input.code);
  const keys = { account: `invite:${meta.ip}:${codeHash}`, address: `login-ip:${meta.ip}` };
  const findInvitation = async () => {
    const [row] = await deps.db.db.select().from(invitations)
      .where(and(eq(invitations.codeHash, codeHash), eq(invitations.status, "pending")));
    return row;
  };
  await checkRate(deps, keys, {
    who: meta,
    action: "auth.invitation.rate-limited",
    trails: async () => [(await findInvitation())?.orgId ?? null],
  });
  const now = deps.clock.now();
  const at = now.toISOString();
  const inv = await findInvitation();
  if (!inv || inv.deletedAt || inv.expiresAt <= at) {
    countFailure(deps, keys);
    auditAttempt(deps, meta, [inv?.orgId ?? null], {
      action: "auth.invitation.failed",
      outcome: "failure",
      entityType: "invitation",
      entityId: inv?.id,
    });
    throw unauthorized(BAD_INVITATION);
  }
  const [account] = await deps.db.db.select().from(users).where(eq(users.email, inv.email));
  // A new account's password meets the policy; an existing account keeps its own.
  if (!account) assertPasswordPolicy(deps.config, input.password);
  // Either way one scrypt of the same cost, so the time taken tells nothing either.
  const newHash = account ? null : await hashPassword(input.password, deps.config.passwordLogN);
  if (account && !await verifyPassword(input.password, account.passwordHash)) {
    countFailure(deps, keys);
    await deps.db.transaction(async (tx) => {
      // Counted on the row as it is in the transaction, so racing wrong guesses all count.
      await updateInTenant(tx, invitations, {
        orgId: inv.orgId,
        id: inv.id,
        set: (current) => {
          const failures = current.failedAttempts + 1;
          return Promise.resolve({
            failedAttempts: failures,
            ...(failures >= MAX_INVITATION_FAILURES ? { status: "revoked" } : {}),
          });
        },
        actorId: account.id,
        at,
      });
      await deps.audit.record(tx, { ...meta, orgId: inv.orgId, userId: account.id }, {
        action: "auth.invitation.failed",
        outcome: "failure",
        entityType: "invitation",
        entityId: inv.id,
      });
    });
    throw unauthorized(BAD_INVITATION);
  }
  if (account && (!account.active || account.deletedAt)) {
    throw forbidden("This account is deactivated. Ask an administrator.");
  }
  deps.loginLimiter.reset(keys.account);
  const role = inv.role as TenantRole;
  const tokens = await deps.db.transaction(async (tx) => {
    // Decided in the transaction (writes are serialised): of two racing acceptances of one
    // code, the second finds it no longer pending and is refused like any spent code.
    const [still] = await tx.select({ id: invitations.id }).from(invitations)
      .where(and(eq(invitations.id, inv.id), eq(invitations.status, "pending")));
    if (!still) throw unauthorized(BAD_INVITATION);
    const userId = account?.id ?? newId();
    const who = { ...meta, userId, orgId: inv.orgId, role };
    if (!account) {
      await insertTracked(tx, users, {
        ...stamp(inv.orgId, userId, at, userId),
        email: inv.email,
        fullName: input.fullName ?? inv.fullName,
        passwordHash: newHash!,
      });
      await deps.audit.record(tx, who, {
        action: "user.create",
        entityType: "user",
        entityId: userId,
      });
    }
    await updateInTenant(tx, invitations, {
      orgId: inv.orgId,
      id: inv.id,
      set: { status: "accepted", acceptedAt: at, acceptedBy: userId },
      actorId: userId,
      at,
    });
    const [member] = await tx.select({ id: memberships.id }).from(memberships)
      .where(and(eq(memberships.orgId, inv.orgId), eq(memberships.userId, userId)));
    if (member) throw conflict("You are already a member of this organisation.");
    await insertTracked(tx, memberships, {
      ...stamp(inv.orgId, inv.createdBy, at),
      userId,
      role,
      facilityId: inv.facilityId,
      employeeId: await allocateEmployeeId(tx, inv.orgId, role, numberingSite(deps)),
    });
    await deps.audit.record(tx, who, {
      action: "invitation.accept",
      entityType: "invitation",
      entityId: inv.id,
    });
    const t = await startSession(deps, tx, userId, inv.orgId, role, meta);
    await deps.audit.record(tx, who, {
      action: "auth.login",
      entityType: "session",
      entityId: t.sessionId,
    });
    return { ...t, userId };
  });
  return await tokenResponse(deps, tokens, tokens.userId, inv.orgId);
}
