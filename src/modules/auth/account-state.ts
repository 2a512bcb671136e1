/**
 * Why an account whose password is right may still not sign in: deactivated, its registration
 * rejected, or waiting for approval with its temporary access over. Each answers 403 with a
 * problem type of its own, and only after the password was verified, so these states tell
 * nothing to someone who does not know the password.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { memberships, organizations, users } from "../../../db/schema/mod.ts";
import { ProblemError } from "../../lib/errors.ts";

const PROBLEMS = "https://clinic-api.dev/problems";

export const ACCOUNT_PROBLEMS = {
  deactivated: `${PROBLEMS}/account-deactivated`,
  rejected: `${PROBLEMS}/registration-rejected`,
  pending: `${PROBLEMS}/pending-approval`,
} as const;

export function accountDeactivated() {
  return new ProblemError(403, "This account is deactivated. Ask an administrator.", {
    type: ACCOUNT_PROBLEMS.deactivated,
    title: "Account deactivated",
  });
}

type MembershipState = {
  orgId: string;
  active: boolean;
  status: string;
  temporaryUntil: string | null;
};

/** Whether the membership lets its user act now (an approved one, or pending within its hours). */
export const usable = (m: MembershipState, now: string) =>
  m.active && (m.status === "approved" ||
    (m.status === "pending" && m.temporaryUntil !== null && m.temporaryUntil > now));

/** The problem a membership that is not usable answers. */
export function refusalOf(m: MembershipState): ProblemError {
  if (m.status === "rejected") {
    return new ProblemError(
      403,
      "Your registration was not approved by the organisation. Ask its administrator.",
      { type: ACCOUNT_PROBLEMS.rejected, title: "Registration rejected" },
    );
  }
  if (m.status === "pending") {
    return new ProblemError(
      403,
      "Your registration is waiting for an administrator's approval and your temporary access " +
        "has ended. You can sign in again once it is approved.",
      {
        type: ACCOUNT_PROBLEMS.pending,
        title: "Pending approval",
        temporaryUntil: m.temporaryUntil,
      },
    );
  }
  return accountDeactivated();
}

/** Every membership of the user in an active organisation, whatever its state, oldest first. */
export function allMemberships(db: Db, userId: string) {
  return db.select({
    orgId: memberships.orgId,
    role: memberships.role,
    active: memberships.active,
    status: memberships.status,
    temporaryUntil: memberships.temporaryUntil,
  }).from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(and(
      eq(memberships.userId, userId),
      isNull(memberships.deletedAt),
      eq(organizations.active, true),
    ))
    .orderBy(asc(memberships.createdAt));
}

/** The account behind an organisation's code and an employee id (unique only within it). */
export async function accountByEmployeeId(db: Db, organizationCode: string, employeeId: string) {
  const [row] = await db.select({ user: users, orgId: memberships.orgId }).from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(
      eq(organizations.code, organizationCode.trim().toUpperCase()),
      eq(memberships.employeeId, employeeId.trim().toUpperCase()),
      isNull(memberships.deletedAt),
    ));
  return row;
}

/** The account an email or an organisation code and employee id names, and that organisation. */
export async function findAccount(
  db: Db,
  who: { email?: string; organizationCode?: string; employeeId?: string },
) {
  if (who.email) {
    const [user] = await db.select().from(users).where(eq(users.email, who.email));
    return { user, orgId: undefined as string | undefined };
  }
  const row = await accountByEmployeeId(db, who.organizationCode ?? "", who.employeeId ?? "");
  return { user: row?.user, orgId: row?.orgId };
}

/** The name an attempt is counted under before any account is known (lower-cased). */
export const identifierOf = (
  who: { email?: string; organizationCode?: string; employeeId?: string },
) => who.email ?? `${who.organizationCode ?? ""}/${who.employeeId ?? ""}`.toLowerCase();
