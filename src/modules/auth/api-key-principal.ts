/**
 * An API key presented on a request becomes its service identity: the key's organisation, its id
 * as the actor (so the audit trail names the key), the API_KEY role and exactly its permissions.
 * Read live on every request, by the unique index on the hash, so a revocation or an expiry
 * takes effect on the very next request, here and, once synced, at every replica.
 */
import { and, eq, isNull, lt, sql } from "drizzle-orm";
import type { DatabaseHandle, Db } from "../../../db/client.ts";
import { apiKeys } from "../../../db/schema/mod.ts";
import type { ApiKeyResolution } from "../../lib/services.ts";
import { hashApiKey, KEY_PATTERN } from "./api-keys.ts";

/** `last_used_at` is written at most this often per key: a busy integration is not a commit per call. */
const TOUCH_EVERY_MS = 60_000;

const cache = new WeakMap<Db, ReturnType<typeof prepare>>();

function prepare(db: Db) {
  return db.select({
    id: apiKeys.id,
    orgId: apiKeys.orgId,
    prefix: apiKeys.prefix,
    permissions: apiKeys.permissions,
    expiresAt: apiKeys.expiresAt,
    revokedAt: apiKeys.revokedAt,
    deletedAt: apiKeys.deletedAt,
    lastUsedAt: apiKeys.lastUsedAt,
  }).from(apiKeys).where(eq(apiKeys.keyHash, sql.placeholder("hash"))).prepare();
}

export async function loadApiKeyPrincipal(
  handle: DatabaseHandle,
  key: string,
  now: Date,
): Promise<ApiKeyResolution> {
  if (!KEY_PATTERN.test(key)) return { ok: false, reason: "unknown" };
  let query = cache.get(handle.db);
  if (!query) cache.set(handle.db, query = prepare(handle.db));
  const row = await query.get({ hash: hashApiKey(key) });
  if (!row || row.deletedAt) return { ok: false, reason: "unknown" };
  const known = { id: row.id, orgId: row.orgId };
  if (row.revokedAt) return { ok: false, reason: "revoked", key: known };
  if (row.expiresAt && row.expiresAt <= now.toISOString()) {
    return { ok: false, reason: "expired", key: known };
  }
  await touch(handle, row, now);
  return {
    ok: true,
    principal: {
      userId: row.id,
      sessionId: `api-key:${row.id}`,
      orgId: row.orgId,
      role: "API_KEY",
      facilityId: null,
      apiKey: { id: row.id, prefix: row.prefix },
      permissions: row.permissions,
    },
  };
}

/**
 * Notes the key's last use. It is this node's own observation, so it is stamped directly, with
 * no version or change-log entry: syncing a timestamp per minute per key would be noise, and
 * each node shows when the key was last used there.
 */
async function touch(
  handle: DatabaseHandle,
  row: { id: string; lastUsedAt: string | null },
  now: Date,
) {
  const stale = new Date(now.getTime() - TOUCH_EVERY_MS).toISOString();
  if (row.lastUsedAt && row.lastUsedAt > stale) return;
  await handle.transaction((tx) =>
    tx.update(apiKeys).set({ lastUsedAt: now.toISOString() }).where(and(
      eq(apiKeys.id, row.id),
      row.lastUsedAt ? lt(apiKeys.lastUsedAt, stale) : isNull(apiKeys.lastUsedAt),
    ))
  );
}
