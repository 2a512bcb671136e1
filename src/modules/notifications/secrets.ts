/**
 * Bodies that stay on the node that created their notification (a password-reset code): the
 * notification row syncs to every node with a placeholder body; the real one is in the local
 * `notification_secrets` table, read when this node sends it and deleted once it is sent or
 * given up.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { notificationSecrets } from "../../../db/schema/mod.ts";
import type { Deps } from "../../lib/context.ts";

export async function keepSecret(
  tx: Db,
  row: { id: string; orgId: string },
  body: string,
  at: string,
) {
  await tx.insert(notificationSecrets).values({
    notificationId: row.id,
    orgId: row.orgId,
    body,
    createdAt: at,
  });
}

export async function secretBodyOf(db: Db, notificationId: string): Promise<string | null> {
  const [row] = await db.select({ body: notificationSecrets.body }).from(notificationSecrets)
    .where(eq(notificationSecrets.notificationId, notificationId));
  return row?.body ?? null;
}

export async function forgetSecret(deps: Deps, notificationId: string) {
  await deps.db.transaction((tx) =>
    tx.delete(notificationSecrets).where(eq(notificationSecrets.notificationId, notificationId))
  );
}
