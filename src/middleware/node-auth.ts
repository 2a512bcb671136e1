/**
 * Authentication of clinic replica nodes (routes declared with `access: "node"`): the node's
 * credential from POST /sync/nodes as a Bearer token, looked up by its hash. A revoked or deleted
 * node, a staff member's token or none at all answers 401. The node, not a person, is the caller.
 */
import type { MiddlewareHandler } from "hono";
import { and, eq, isNull, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { prepared } from "../../db/client.ts";
import { syncNodes } from "../../db/schema/mod.ts";
import type { AppEnv } from "../lib/context.ts";
import { unauthorized } from "../lib/errors.ts";
import { hashSecret } from "../lib/secrets.ts";

export const hashNodeToken = (token: string) => hashSecret(token, "sync-node");

// Every request of a replica looks its node up: built once.
const nodeByToken = prepared<
  { id: string; orgId: string; siteCode: string; facilityIds: string[] }
>(
  new QueryBuilder().select({
    id: syncNodes.id,
    orgId: syncNodes.orgId,
    siteCode: syncNodes.siteCode,
    facilityIds: syncNodes.facilityIds,
  }).from(syncNodes).where(and(
    eq(syncNodes.tokenHash, sql.placeholder("hash")),
    isNull(syncNodes.revokedAt),
    isNull(syncNodes.deletedAt),
  )),
);

export const authenticateNode: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("authorization");
  const token = header && /^Bearer /i.test(header) ? header.slice(7).trim() : "";
  if (!token.startsWith("cn_")) throw unauthorized("A node credential is required.");
  const node = await nodeByToken.get(c.get("deps").db.db, { hash: hashNodeToken(token) });
  if (!node) throw unauthorized("The node credential is not valid or was revoked.");
  c.set("node", node);
  await next();
};
