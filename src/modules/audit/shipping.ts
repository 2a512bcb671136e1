/**
 * The audit trail flows up from clinic replicas to their primary, append-only, so headquarters
 * can answer "who read this patient's record, at which clinic". A replica sends its entries in
 * order; the primary appends them with the site they came from.
 */
import { and, asc, eq, gt } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { auditEvents } from "../../../db/schema/mod.ts";
import { insertRow } from "../../../db/rows.ts";

type AuditRow = typeof auditEvents.$inferSelect;
export type ShippedEntry = Omit<AuditRow, "orgId" | "site">;

/** This node's own entries of the organisation after `afterSeq`, oldest first. */
export async function entriesAfter(db: Db, orgId: string, afterSeq: number, limit: number) {
  const rows = await db.select().from(auditEvents)
    .where(and(eq(auditEvents.orgId, orgId), gt(auditEvents.seq, afterSeq)))
    .orderBy(asc(auditEvents.seq)).limit(limit);
  return rows.map(({ orgId: _o, site: _s, ...e }) => e as ShippedEntry);
}

/** Appends entries received from the node of `site`, in the caller's transaction. */
export async function appendShipped(
  tx: Db,
  orgId: string,
  site: string,
  entries: ShippedEntry[],
) {
  for (const { seq: _seq, ...e } of entries) {
    await insertRow(tx, auditEvents, { ...e, orgId, site });
  }
}
