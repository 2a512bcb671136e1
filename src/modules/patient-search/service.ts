/**
 * Patient lists: one page of search results or of the filtered list, and every match in batches
 * for exports. Ranking is in rank.ts, statistics in stats.ts.
 */
import type { PatientRow } from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { decodeCursor, encodeCursor, invalidCursor, pageOf } from "../../lib/pagination.ts";
import { findPatient, pageJson } from "../patients/mod.ts";
import { visibleJsonArray } from "../patients/mod.ts";
import type { PatientFilters } from "./filters.ts";
import { rankPatients, type SearchFilters } from "./rank.ts";
import { todayIn } from "../../lib/time.ts";
import { orgSettings } from "../organizations/mod.ts";
import type { ListSort } from "./repository.ts";
import { listKeys, listPage } from "./list-query.ts";

export type { SearchFilters };

export interface ListQuery extends SearchFilters {
  limit: number;
  cursor?: string;
  sort: ListSort;
}

/** "Today" in the organisation's timezone, when an age filter needs it. */
async function todayFor(deps: Pick<Deps, "db" | "clock">, orgId: string, f: PatientFilters) {
  const needsToday = f.ageMin !== undefined || f.ageMax !== undefined;
  return needsToday
    ? todayIn((await orgSettings(deps.db.db, orgId)).timezone, deps.clock.now())
    : null;
}

/**
 * Full records of ranked ids, in their order, by the prepared read by id (`findPatient`): a few
 * dozen point reads cost less than building and mapping one drizzle query over them. A record
 * deleted or merged since it was ranked is left out.
 */
async function recordsOf(deps: Pick<Deps, "db">, orgId: string, ids: string[]) {
  const rows = await Promise.all(ids.map((id) => findPatient(deps.db, orgId, id)));
  return rows.filter((r): r is PatientRow => !!r && !r.mergedInto);
}

/** A page as the response shows it: the records' JSON array text, and whose they are. */
interface Shown {
  ids: string[];
  json: string;
}

/**
 * The page's records as the API's JSON text, built by SQLite in one statement (`pageJson`), as
 * the caller's role may see them.
 */
async function shownOf(deps: Pick<Deps, "db">, actor: Actor, rowids: number[]): Promise<Shown> {
  const page = await pageJson(deps.db, actor.orgId, rowids);
  return { ids: page.ids, json: visibleJsonArray(actor.role, page.json) };
}

/** One page: ranked search with `q`, keyset list without. */
async function pageFor(
  deps: Deps,
  actor: Actor,
  query: ListQuery,
): Promise<{ shown: Shown; nextCursor: string | null }> {
  const orgId = actor.orgId;
  const q = query.q?.trim();
  if (q) {
    const cursor = decodeCursor(query.cursor);
    const offset = cursor ? cursor.v : 0;
    if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) {
      throw invalidCursor();
    }
    const ranked = await rankPatients(deps, orgId, q, query, offset + query.limit + 1);
    const slice = ranked.slice(offset, offset + query.limit);
    const shown = await shownOf(deps, actor, slice.map((c) => c.r));
    const end = offset + slice.length;
    const nextCursor = end < ranked.length && slice.length
      ? encodeCursor({ v: end, id: slice[slice.length - 1].id })
      : null;
    return { shown, nextCursor };
  }
  const cursor = decodeCursor(query.cursor);
  if (cursor && typeof cursor.v !== "string") throw invalidCursor();
  const today = await todayFor(deps, orgId, query);
  const keys = await listKeys(
    deps.db.db,
    orgId,
    query,
    today,
    query.sort,
    cursor as { v: string; id: string } | undefined,
    query.limit,
  );
  const { data, nextCursor } = pageOf(keys, query.limit, (k) => k.v);
  const shown = await shownOf(deps, actor, data.map((k) => k.r));
  return { shown, nextCursor };
}

/**
 * GET /patients: one page as the response's JSON text (`{data, nextCursor}`), audited as one
 * entry naming every patient shown (the trail indexes it under each of them).
 */
export async function listPatients(
  deps: Deps,
  actor: Actor,
  query: ListQuery,
): Promise<{ body: string; shown: number }> {
  const page = await pageFor(deps, actor, query);
  if (page.shown.ids.length > 0) {
    deps.audit.recordRead(actor, {
      action: "patient.list",
      entityType: "patient",
      patientIds: page.shown.ids,
    });
  }
  return {
    body: `{"data":${page.shown.json},"nextCursor":${JSON.stringify(page.nextCursor)}}`,
    shown: page.shown.ids.length,
  };
}

/**
 * Every listed patient matching the filters (and `q`, ranked, bounded like search), in batches:
 * in registration order (created_at, id) without `q`, for exports.
 */
export async function* iteratePatients(
  deps: Pick<Deps, "db" | "clock">,
  orgId: string,
  filters: SearchFilters,
  batchSize = 500,
): AsyncGenerator<PatientRow[]> {
  const q = filters.q?.trim();
  if (q) {
    const ranked = await rankPatients(deps, orgId, q, filters);
    for (let i = 0; i < ranked.length; i += batchSize) {
      const batch = await recordsOf(deps, orgId, ranked.slice(i, i + batchSize).map((c) => c.id));
      if (batch.length) yield batch;
    }
    return;
  }
  const today = await todayFor(deps, orgId, filters);
  let after: { v: string; id: string } | undefined;
  while (true) {
    const rows = await listPage(deps.db.db, orgId, filters, today, "createdAt", after, batchSize);
    const batch = rows.slice(0, batchSize);
    if (batch.length) yield batch;
    if (rows.length <= batchSize) return;
    const last = batch[batch.length - 1];
    after = { v: last.createdAt, id: last.id };
  }
}
