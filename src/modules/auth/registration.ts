/**
 * Self-registration: a person asks to join an organisation with the role they work in. The
 * account works at once, on that role, for REGISTRATION_TEMPORARY_HOURS (a new hire's first
 * shift) until an ADMIN approves it, possibly with another role, or rejects it
 * (users/approval.ts).
 *
 * The answer never tells whether the email already has an account: such an account is neither
 * changed nor joined, and the caller gets the same 201 after the same password hashing. An
 * unknown organisation code answers 422: it names no person, and a typo must not leave someone
 * waiting for an approval that will never come.
 */
import { and, eq } from "drizzle-orm";
import { memberships, organizations, users } from "../../../db/schema/mod.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import type { Deps } from "../../lib/context.ts";
import { unprocessable } from "../../lib/errors.ts";
import { newId } from "../../../db/ids.ts";
import { hashPassword } from "../../lib/password.ts";
import type { TenantRole } from "../../lib/permissions.ts";
import { numberingSite } from "../../lib/site.ts";
import { allocateEmployeeId } from "../users/mod.ts";
import type { RequestMeta } from "./accounts.ts";
import { auditAttempt } from "./attempts.ts";
import { attemptFailed, guardAttempt } from "./lockout.ts";
import { assertPasswordPolicy } from "./passwords.ts";

export interface RegistrationInput {
  organizationCode: string;
  fullName: string;
  email: string;
  phone?: string;
  requestedRole: TenantRole;
  password: string;
}

export const REGISTRATION_RECEIVED = {
  status: "received" as const,
  detail: "If the organisation can accept these details, your account is ready: sign in with " +
    "your email and password. It works with the role you asked for until an administrator " +
    "approves or rejects it, for a limited time.",
};

export async function register(deps: Deps, input: RegistrationInput, meta: RequestMeta) {
  const attempt = { scope: "register", ip: meta.ip, account: input.email };
  await guardAttempt(deps, attempt, { who: meta, trails: () => Promise.resolve([null]) });
  // Every registration counts against the address: creating accounts is what a flood would do.
  attemptFailed(deps, { scope: "register", ip: meta.ip });
  if (input.requestedRole === "ADMIN") {
    throw unprocessable("ADMIN cannot be requested; an administrator grants it.", [
      { path: "requestedRole", in: "body", message: "must not be ADMIN" },
    ]);
  }
  assertPasswordPolicy(deps.config, input.password);
  const [org] = await deps.db.db.select({ id: organizations.id }).from(organizations)
    .where(and(
      eq(organizations.code, input.organizationCode.trim().toUpperCase()),
      eq(organizations.active, true),
    ));
  if (!org) {
    throw unprocessable("No organisation has this code.", [
      { path: "organizationCode", in: "body", message: "unknown organisation code" },
    ]);
  }
  // Hashed whether or not the account exists, so both answers take the same time.
  const passwordHash = await hashPassword(input.password, deps.config.passwordLogN);
  const now = deps.clock.now();
  const at = now.toISOString();
  const until = new Date(
    now.getTime() + deps.config.accounts.registrationTemporaryHours * 3_600_000,
  ).toISOString();
  const role = input.requestedRole;
  await deps.db.transaction(async (tx) => {
    // Looked up inside the write, so two racing registrations of one email make one account.
    const [existing] = await tx.select({ id: users.id }).from(users)
      .where(eq(users.email, input.email));
    if (existing) {
      // On the platform's trail only: the organisation must not learn that the address has an
      // account elsewhere, and the account's owner is left exactly as they were.
      auditAttempt(deps, { ...meta, userId: existing.id }, [null], {
        action: "auth.register.existing-account",
        outcome: "denied",
        entityType: "user",
        entityId: existing.id,
      });
      return;
    }
    const userId = newId();
    const who = { ...meta, userId, orgId: org.id, role, temporary: true };
    await insertTracked(tx, users, {
      ...stamp(org.id, userId, at, userId),
      email: input.email,
      fullName: input.fullName,
      phone: input.phone ?? null,
      passwordHash,
      passwordChangedAt: at,
    });
    await insertTracked(tx, memberships, {
      ...stamp(org.id, userId, at),
      userId,
      role,
      facilityId: null,
      employeeId: await allocateEmployeeId(tx, org.id, role, numberingSite(deps)),
      status: "pending",
      requestedRole: role,
      temporaryUntil: until,
    });
    await deps.audit.record(tx, who, {
      action: "auth.register",
      entityType: "user",
      entityId: userId,
    });
  });
  return REGISTRATION_RECEIVED;
}
