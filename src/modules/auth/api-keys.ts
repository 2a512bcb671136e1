/**
 * API keys for integrations (a laboratory machine, an accounting export, a website's booking
 * form): an ADMIN makes one scoped to permissions, sees it once, and can revoke it. A request
 * carrying it acts as the key's own service identity (api-key-principal.ts), audited as such.
 *
 * Stored as SHA-256, not scrypt like passwords: a key is 256 random bits, so a fast hash leaves
 * nothing to guess, and it is looked up on every request by its hash's unique index.
 */
import { apiKeys } from "../../../db/schema/mod.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, type FieldError, unprocessable } from "../../lib/errors.ts";
import { pageNewestFirst } from "../../lib/pagination.ts";
import { hashSecret, newSecret } from "../../lib/secrets.ts";
import { auditedUpdate } from "../../lib/writes.ts";

type KeyRow = typeof apiKeys.$inferSelect;
const ENTITY = "api-key";

/** `ck_` and 43 base64url characters (32 random bytes): how a key is told from a JWT. */
export const KEY_PREFIX = "ck_";
export const KEY_PATTERN = /^ck_[A-Za-z0-9_-]{43}$/;
/** How much of a key lists show, enough to tell keys apart, far too little to guess the rest. */
const VISIBLE_CHARS = 11;

export const hashApiKey = (key: string) => hashSecret(key, ENTITY);

/**
 * Permissions no key may hold, whatever its creator holds: acts the clinic's rules tie to an
 * accountable person (handling a cash drawer, approving, signing off, discounting, merging
 * patients) and the administration of people, keys and sync, which an integration must never be
 * able to widen. These also record the caller as a staff member (cashier, approver), which a key
 * is not.
 */
export const PERSON_ONLY: ReadonlySet<string> = new Set([
  "users:write",
  "api-keys:manage",
  "organization:write",
  "payments:write",
  "expenses:write",
  "cashups:write",
  "cashups:signoff",
  "refunds:request",
  "refunds:approve",
  "invoices:discount",
  "invoices:void",
  "stock:approve-variance",
  "findings:review",
  "patients:merge",
  "sync:nodes",
  "sync:run",
  "sync:conflicts",
]);

export const toApiKey = (r: KeyRow) => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  permissions: r.permissions,
  expiresAt: r.expiresAt,
  lastUsedAt: r.lastUsedAt,
  revokedAt: r.revokedAt,
  revokedBy: r.revokedBy,
  createdAt: r.createdAt,
  createdBy: r.createdBy,
  version: r.version,
});

/**
 * Why each asked permission cannot be granted, by its place in the list: it must exist, the
 * creator's own role must hold it (an ADMIN cannot mint what an ADMIN lacks, and platform
 * permissions never), and it must not be one of a person's.
 */
function refusedPermissions(deps: Deps, a: Actor, permissions: string[]): FieldError[] {
  const known = deps.registry.permissions.all();
  const out: FieldError[] = [];
  permissions.forEach((p, i) => {
    const path = `permissions.${i}`;
    if (!known.has(p)) out.push({ path, in: "body", message: `${p} is not a known permission` });
    else if (!deps.registry.permissions.can(a.role, p)) {
      out.push({ path, in: "body", message: `${p} is not held by ${a.role}, who creates the key` });
    } else if (PERSON_ONLY.has(p)) {
      out.push({ path, in: "body", message: `${p} is for staff in person, never for a key` });
    }
  });
  return out;
}

/** A new key of the organisation; the key itself is in this answer and never again. */
export async function createApiKey(
  deps: Deps,
  a: Actor,
  input: { name: string; permissions: string[]; expiresAt?: string | null },
) {
  const permissions = [...new Set(input.permissions)];
  const refused = refusedPermissions(deps, a, permissions);
  if (refused.length) {
    throw unprocessable("A key can only hold permissions you may grant.", refused);
  }
  const now = deps.clock.now();
  const expiresAt = input.expiresAt ? new Date(input.expiresAt).toISOString() : null;
  if (expiresAt && expiresAt <= now.toISOString()) {
    throw unprocessable("The expiry must be in the future.", [
      { path: "expiresAt", in: "body", message: "must be in the future" },
    ]);
  }
  const key = newSecret(KEY_PREFIX);
  const row = await deps.db.transaction(async (tx) => {
    const row = await insertTracked(tx, apiKeys, {
      ...stamp(a.orgId, a.userId, now.toISOString()),
      name: input.name,
      prefix: key.slice(0, VISIBLE_CHARS),
      keyHash: hashApiKey(key),
      permissions,
      expiresAt,
    });
    await deps.audit.record(tx, a, {
      action: `${ENTITY}.create`,
      entityType: ENTITY,
      entityId: row.id,
    });
    return row;
  });
  return { ...toApiKey(row), key };
}

/** The organisation's keys, newest first, revoked and expired ones included. */
export async function listApiKeys(deps: Deps, a: Actor, q: { limit: number; cursor?: string }) {
  const page = await pageNewestFirst(deps.db.db, apiKeys, a.orgId, [], q);
  return { data: page.data.map(toApiKey), nextCursor: page.nextCursor };
}

/** Revokes a key: the next request carrying it is refused (401), here and, once synced, anywhere. */
export async function revokeApiKey(
  deps: Deps,
  a: Actor,
  id: string,
  expectedVersion: number | undefined,
) {
  const row = await deps.db.transaction((tx) =>
    auditedUpdate(deps, tx, a, {
      table: apiKeys,
      label: "API key",
      id,
      expectedVersion,
      set: { revokedAt: deps.clock.now().toISOString(), revokedBy: a.userId },
      check: (before) => {
        if (before.revokedAt) {
          throw conflict("The API key is already revoked.", { revokedAt: before.revokedAt });
        }
      },
      action: `${ENTITY}.revoke`,
      entityType: ENTITY,
      fields: ["revokedAt"],
    })
  );
  return toApiKey(row);
}
