/**
 * Guessable credentials (passwords, invitation codes, refresh tokens): failure counters per
 * address and per address and account, and the audit of failures and refusals. A failure is
 * written to the trail of every organisation the account belongs to, so each one's admin sees
 * attempts on its staff; an unknown account, or one with no organisation, goes to the platform
 * trail (org_id null) that SUPER_ADMIN reads. A 429 is audited once per key and window, so an
 * attack cannot flood the trail.
 */
import { and, eq, isNull } from "drizzle-orm";
import { memberships } from "../../../db/schema/mod.ts";
import type { Db } from "../../../db/client.ts";
import type { Deps } from "../../lib/context.ts";
import { ProblemError } from "../../lib/errors.ts";
import type { AuditEntry, AuditSubject } from "../../lib/services.ts";

/** Failures allowed from one address across all accounts, as a multiple of the per-account limit. */
export const PER_ADDRESS_FACTOR = 5;

export interface AttemptKeys {
  account: string;
  address: string;
}

/** The organisations whose trails an attempt on `userId` belongs to; [null] for the platform's. */
export async function trailsOf(
  db: Db,
  userId: string | undefined,
  only?: string | null,
): Promise<(string | null)[]> {
  if (!userId) return [null];
  const rows = await db.selectDistinct({ orgId: memberships.orgId }).from(memberships)
    .where(and(eq(memberships.userId, userId), isNull(memberships.deletedAt)));
  const orgs = rows.map((r) => r.orgId);
  if (only && orgs.includes(only)) return [only];
  return orgs.length > 0 ? orgs : [null];
}

/** Queues `entry` on each trail the attempt belongs to. */
export function auditAttempt(
  deps: Deps,
  who: AuditSubject,
  trails: (string | null)[],
  entry: AuditEntry,
) {
  for (const orgId of trails) deps.audit.recordRead({ ...who, orgId: orgId ?? undefined }, entry);
}

/**
 * Throws 429 when either counter is spent. The first refusal of a window is audited as
 * `action` with outcome denied; `trails` names where (called only then, as it may query).
 */
export async function checkRate(
  deps: Deps,
  keys: AttemptKeys,
  audit: { who: AuditSubject; action: string; trails: () => Promise<(string | null)[]> },
  factor = 1,
) {
  const limit = deps.config.loginRateLimit.max * factor;
  for (
    const [key, max] of [[keys.account, limit], [keys.address, limit * PER_ADDRESS_FACTOR]] as const
  ) {
    const r = deps.loginLimiter.check(key, max);
    if (!r.allowed) {
      if (r.firstRefusal) {
        auditAttempt(deps, audit.who, await audit.trails(), {
          action: audit.action,
          outcome: "denied",
          entityType: "rate-limit",
          entityId: key === keys.account ? "address-and-account" : "address",
        });
      }
      throw new ProblemError(429, "Too many failed attempts. Wait and try again.", {}, {
        "Retry-After": String(r.retryAfter),
      });
    }
  }
}

export function countFailure(deps: Deps, keys: AttemptKeys) {
  deps.loginLimiter.fail(keys.account);
  deps.loginLimiter.fail(keys.address);
}
