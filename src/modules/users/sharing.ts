/**
 * A staff account belongs to the person, not to one organisation, so its row reaches the nodes
 * of every organisation the person is a member of: its changes are logged for each of them
 * (`membershipOrgs`), and joining another organisation logs the account for that one too
 * (`shareJoiningUser`), so the new organisation's replicas receive it whole.
 */
import { and, eq, ne } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { shareRow } from "../../../db/changes.ts";
import { memberships, users } from "../../../db/schema/mod.ts";
import type { RowWrite } from "../../../db/tenant.ts";

export async function membershipOrgs(tx: Db, user: Record<string, unknown>): Promise<string[]> {
  const rows = await tx.select({ orgId: memberships.orgId }).from(memberships)
    .where(
      and(eq(memberships.userId, user.id as string), ne(memberships.orgId, user.orgId as string)),
    );
  return rows.map((r) => r.orgId);
}

export async function shareJoiningUser(tx: Db, write: RowWrite) {
  if (write.operation !== "insert") return;
  const orgId = write.after.orgId as string;
  const [user] = await tx.select({ id: users.id, orgId: users.orgId, version: users.version })
    .from(users).where(eq(users.id, write.after.userId as string));
  if (!user || user.orgId === orgId) return;
  await shareRow(tx, {
    orgId,
    table: "users",
    rowId: user.id,
    version: user.version,
    at: write.at,
  });
}
