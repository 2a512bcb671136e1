/**
 * Pages of a row's versions (db/versions.ts), oldest first, with the author of each change
 * resolved to `{id, name}`. Shared by the record history and the history of each clinical entry.
 */
import { listVersions, type VersionRow } from "../../../db/versions.ts";
import type { Deps } from "../../lib/context.ts";
import { badRequest } from "../../lib/errors.ts";
import { decodeCursor, encodeCursor } from "../../lib/pagination.ts";
import { userNames } from "./repository.ts";

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export type ChangedByT = { id: string; name: string } | string | null;

/** A version's bookkeeping as the API shows it; `fields` is narrowed by the caller. */
export interface VersionHead {
  version: number;
  operation: "insert" | "update" | "delete";
  changedAt: string;
  changedBy: ChangedByT;
  fields: string[];
}

/** The version after which the next page starts; the cursor names the row too. */
function afterVersion(cursor: string | undefined, rowId: string): number | undefined {
  const c = decodeCursor(cursor);
  if (!c) return undefined;
  if (typeof c.v !== "number" || c.id !== rowId) {
    throw badRequest("The cursor is not valid; use the nextCursor of a previous page.", [
      { path: "cursor", in: "query", message: "not a cursor of this history" },
    ]);
  }
  return c.v;
}

/** One page of the versions of `rowId` in `table`, with each author's name looked up once. */
export async function versionPage(
  deps: Deps,
  orgId: string,
  table: string,
  rowId: string,
  page: PageRequest,
): Promise<{ rows: VersionRow[]; heads: VersionHead[]; nextCursor: string | null }> {
  const fetched = await listVersions(deps.db.db, orgId, table, rowId, {
    afterVersion: afterVersion(page.cursor, rowId),
    limit: page.limit,
  });
  const rows = fetched.slice(0, page.limit);
  const last = rows[rows.length - 1];
  const nextCursor = fetched.length > page.limit && last
    ? encodeCursor({ v: last.version, id: rowId })
    : null;
  return { rows, heads: await headsOf(deps, rows), nextCursor };
}

export async function headsOf(deps: Deps, rows: VersionRow[]): Promise<VersionHead[]> {
  const names = await userNames(
    deps.db.db,
    rows.flatMap((r) => r.changedBy ? [r.changedBy] : []),
  );
  return rows.map((r) => ({
    version: r.version,
    operation: r.operation as VersionHead["operation"],
    changedAt: r.changedAt,
    changedBy: r.changedBy === null
      ? null
      : names.has(r.changedBy)
      ? { id: r.changedBy, name: names.get(r.changedBy)! }
      : r.changedBy,
    fields: r.fields,
  }));
}
