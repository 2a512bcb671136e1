/**
 * `Idempotency-Key` on POST: the first response to a key is stored and replayed for every retry
 * with the same key and body, so a frontend on a flaky connection can resend without registering
 * a patient twice. The key is claimed with a unique row before the handler runs, so two racing
 * requests with one key cannot both execute: the loser gets 409 and retries into the replay.
 */
import type { MiddlewareHandler } from "hono";
import { and, eq, lt } from "drizzle-orm";
import { idempotencyKeys } from "../../db/schema/mod.ts";
import type { AppEnv } from "../lib/context.ts";
import { badRequest, conflict, unprocessable } from "../lib/errors.ts";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";

const KEEP_MS = 24 * 60 * 60 * 1000;

/**
 * Fingerprint of a request body, from its raw bytes (decoding it as text would make Hono rebuild
 * the handler's formData() from the decoded text and corrupt binary uploads). A multipart
 * boundary is left out: browsers, fetch and curl choose a new one for every send, so a genuine
 * retry of an upload must still match its first attempt.
 */
export function bodyHash(bytes: Uint8Array, contentType: string | undefined): string {
  const hash = createHash("sha256");
  const boundary = /^multipart\//i.test(contentType ?? "")
    ? /boundary="?([^";]+)"?/i.exec(contentType!)?.[1]
    : undefined;
  if (!boundary) return hash.update(bytes).digest("hex");
  const marker = Buffer.from(boundary);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let from = 0;
  for (let at = buf.indexOf(marker); at !== -1; at = buf.indexOf(marker, from)) {
    hash.update(buf.subarray(from, at));
    from = at + marker.length;
  }
  return hash.update(buf.subarray(from)).digest("hex");
}
const REPLAYED_HEADERS = ["content-type", "location", "etag"];

/**
 * `storeResponse: false` for routes whose answer holds a secret (tokens, invitation codes): the
 * key is still claimed, so a retry cannot run the operation twice, but only the status is kept
 * (body null) and a replay answers 409: secrets are stored hashed or not at all.
 */
export const idempotency = (
  { storeResponse }: { storeResponse: boolean },
): MiddlewareHandler<AppEnv> =>
async (c, next) => {
  const key = c.req.header("idempotency-key");
  if (key === undefined) return next();
  if (key.length === 0 || key.length > 200) {
    throw badRequest("Idempotency-Key must be 1 to 200 characters.", [
      { path: "Idempotency-Key", in: "header", message: "must be 1 to 200 characters" },
    ]);
  }
  const { db, clock } = c.get("deps");
  const p = c.get("principal");
  const scope = `${p.orgId ?? "-"}:${p.userId}:${c.req.method} ${c.req.path}`;
  const requestHash = bodyHash(
    new Uint8Array(await c.req.arrayBuffer()),
    c.req.header("content-type"),
  );
  const now = clock.now();

  const claimed = await db.transaction(async (tx) => {
    await tx.delete(idempotencyKeys).where(
      lt(idempotencyKeys.createdAt, new Date(now.getTime() - KEEP_MS).toISOString()),
    );
    const inserted = await tx.insert(idempotencyKeys)
      .values({ scope, key, requestHash, createdAt: now.toISOString() })
      .onConflictDoNothing().returning({ key: idempotencyKeys.key });
    return inserted.length === 1;
  });

  const where = and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key));
  if (!claimed) {
    const [prior] = await db.db.select().from(idempotencyKeys).where(where);
    if (!prior) throw conflict("A request with this Idempotency-Key is in progress; retry.");
    if (prior.requestHash !== requestHash) {
      throw unprocessable("This Idempotency-Key was used for a different request body.");
    }
    if (prior.status === null) {
      throw conflict("A request with this Idempotency-Key is in progress; retry shortly.");
    }
    if (prior.body === null) {
      throw conflict(
        `This Idempotency-Key was used by a request that succeeded (${prior.status}); its ` +
          "response held a secret, which is never stored, so it cannot be replayed.",
      );
    }
    return c.body(prior.body ?? "", prior.status as 200, {
      ...(prior.headers ?? {}),
      "Idempotent-Replayed": "true",
    });
  }

  try {
    await next();
  } catch (err) {
    await db.transaction((tx) => tx.delete(idempotencyKeys).where(where));
    throw err;
  }
  const res = c.res;
  if (res.status >= 500) {
    // A server failure is not an answer worth replaying; free the key for a retry.
    await db.transaction((tx) => tx.delete(idempotencyKeys).where(where));
    return;
  }
  const headers: Record<string, string> = {};
  for (const h of REPLAYED_HEADERS) {
    const v = res.headers.get(h);
    if (v) headers[h] = v;
  }
  const body = storeResponse ? await res.clone().text() : null;
  await db.transaction((tx) =>
    tx.update(idempotencyKeys).set({ status: res.status, headers, body }).where(where)
  );
};
