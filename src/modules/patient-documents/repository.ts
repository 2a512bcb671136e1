/** Patient document queries: always scoped by organisation and patient, deleted rows excluded. */
import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { patientDocuments } from "../../../db/schema/mod.ts";
import type { Cursor } from "../../lib/pagination.ts";

export type DocumentRow = typeof patientDocuments.$inferSelect;

const live = (orgId: string, patientId: string) =>
  and(
    eq(patientDocuments.orgId, orgId),
    eq(patientDocuments.patientId, patientId),
    isNull(patientDocuments.deletedAt),
  );

/** One live document of the patient; another patient's or organisation's id is not found. */
export async function findDocument(
  db: Db,
  orgId: string,
  patientId: string,
  id: string,
): Promise<DocumentRow | undefined> {
  const [row] = await db.select().from(patientDocuments)
    .where(and(live(orgId, patientId), eq(patientDocuments.id, id)));
  return row;
}

/** Newest first, keyset on (createdAt, id): `limit + 1` rows so the caller learns if more exist. */
export async function listDocuments(
  db: Db,
  orgId: string,
  patientId: string,
  limit: number,
  after: Cursor | undefined,
): Promise<DocumentRow[]> {
  const v = String(after?.v ?? "");
  const keyset = after
    ? or(
      lt(patientDocuments.createdAt, v),
      and(eq(patientDocuments.createdAt, v), lt(patientDocuments.id, after.id)),
    )
    : undefined;
  return await db.select().from(patientDocuments)
    .where(and(live(orgId, patientId), keyset))
    .orderBy(desc(patientDocuments.createdAt), desc(patientDocuments.id))
    .limit(limit + 1);
}

/** The most recent documents of the patient, metadata only (never the storage key). */
export function recentDocuments(db: Db, orgId: string, patientId: string, limit: number) {
  return db.select({
    id: patientDocuments.id,
    title: patientDocuments.title,
    category: patientDocuments.category,
    mediaType: patientDocuments.mediaType,
    sizeBytes: patientDocuments.sizeBytes,
    createdAt: patientDocuments.createdAt,
  }).from(patientDocuments).where(and(
    eq(patientDocuments.orgId, orgId),
    eq(patientDocuments.patientId, patientId),
    isNull(patientDocuments.deletedAt),
  )).orderBy(desc(patientDocuments.createdAt), desc(patientDocuments.id)).limit(limit);
}
