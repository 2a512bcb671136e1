/**
 * Opaque keyset cursors: the sort value and id of the last row of a page, base64url-encoded.
 * Keyset (not offset) pagination stays fast on page 1,000 and does not skip or repeat rows when
 * records are added between pages.
 */
import { z } from "zod";
import type { SQL } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type BusinessTable, newestFirst } from "../../db/tenant.ts";
import { badRequest } from "./errors.ts";

export interface Cursor {
  /** Sort value of the last row. */
  v: string | number | null;
  /** Id of the last row: the tie-breaker. */
  id: string;
}

const cursorSchema = z.object({ v: z.union([z.string(), z.number(), z.null()]), id: z.string() });

export function encodeCursor(c: Cursor): string {
  return btoa(JSON.stringify(c)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/** The 400 for a cursor this API did not hand out. */
export const invalidCursor = () =>
  badRequest("The cursor is not valid; use the nextCursor of a previous page.", [
    { path: "cursor", in: "query", message: "invalid cursor" },
  ]);

export function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (raw === undefined || raw === "") return undefined;
  try {
    const json = atob(raw.replaceAll("-", "+").replaceAll("_", "/"));
    return cursorSchema.parse(JSON.parse(json));
  } catch {
    throw invalidCursor();
  }
}

/** Takes `limit + 1` rows (fetched to learn whether more exist) and builds the page. */
export function pageOf<T extends { id: string }>(
  rows: T[],
  limit: number,
  sortValue: (row: T) => string | number | null,
) {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  const nextCursor = rows.length > limit && last
    ? encodeCursor({ v: sortValue(last), id: last.id })
    : null;
  return { data, nextCursor };
}

/** A page of an organisation's live rows newest first by id, from the caller's cursor. */
export async function pageNewestFirst<T extends BusinessTable>(
  db: Db,
  table: T,
  orgId: string,
  where: (SQL | undefined)[],
  q: { limit: number; cursor?: string },
) {
  const rows = await newestFirst(db, table, orgId, where, {
    limit: q.limit,
    afterId: decodeCursor(q.cursor)?.id,
  });
  return pageOf(rows as (T["$inferSelect"] & { id: string })[], q.limit, (r) => r.id);
}
