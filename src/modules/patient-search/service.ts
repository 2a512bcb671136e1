/**
 * Patient lists: one page of search results or of the filtered list, and every match in batches
 * for exports. Ranking is in rank.ts, statistics in stats.ts.
 */
import type { PatientRow } from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { decodeCursor, encodeCursor, invalidCursor, pageOf } from "../../lib/pagination.ts";
import { findPatient, findPatientJson } from "../patients/mod.ts";
import { viewPatient, visibleJson } from "../patients/mod.ts";
import type { PatientFilters } from "./filters.ts";
import { rankPatients, type SearchFilters } from "./rank.ts";
import { todayIn } from "../../lib/time.ts";
import { orgSettings } from "../organizations/mod.ts";
import type { ListSort } from "./repository.ts";
import { listPage } from "./list-query.ts";

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

/** A shown patient: its id (for the audit) and its JSON as the caller's role may see it. */
interface Shown {
  id: string;
  json: string;
}

/**
 * The same as the API's JSON text, built by SQLite (`findPatientJson`): converting each record's
 * 30 columns to JavaScript and serialising them again cost more than the search itself.
 */
async function shownOf(deps: Pick<Deps, "db">, actor: Actor, ids: string[]): Promise<Shown[]> {
  const found = await Promise.all(ids.map((id) => findPatientJson(deps.db, actor.orgId, id)));
  const out: Shown[] = [];
  found.forEach((f, i) => {
    if (f && !f.mergedInto) out.push({ id: ids[i], json: visibleJson(actor.role, f.json) });
  });
  return out;
}

/** One page: ranked search with `q`, keyset list without. */
async function pageFor(
  deps: Deps,
  actor: Actor,
  query: ListQuery,
): Promise<{ shown: Shown[]; nextCursor: string | null }> {
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
    const shown = await shownOf(deps, actor, slice.map((c) => c.id));
    const end = offset + slice.length;
    const nextCursor = end < ranked.length && slice.length
      ? encodeCursor({ v: end, id: slice[slice.length - 1].id })
      : null;
    return { shown, nextCursor };
  }
  const cursor = decodeCursor(query.cursor);
  if (cursor && typeof cursor.v !== "string") throw invalidCursor();
  const today = await todayFor(deps, orgId, query);
  const rows = await listPage(
    deps.db.db,
    orgId,
    query,
    today,
    query.sort,
    cursor as { v: string; id: string } | undefined,
    query.limit,
  );
  const key = query.sort.endsWith("familyName") ? "familyName" : "createdAt";
  const { data, nextCursor } = pageOf(rows, query.limit, (p) => p[key]);
  const shown = data.map((p) => ({ id: p.id, json: JSON.stringify(viewPatient(p, actor.role)) }));
  return { shown, nextCursor };
}

/**
 * GET /patients: one page as the response's JSON text (`{data, nextCursor}`), each shown patient
 * audited as a read.
 */
export async function listPatients(
  deps: Deps,
  actor: Actor,
  query: ListQuery,
): Promise<{ body: string; shown: number }> {
  const page = await pageFor(deps, actor, query);
  for (const p of page.shown) {
    deps.audit.recordRead(actor, {
      action: "patient.list",
      entityType: "patient",
      entityId: p.id,
      patientId: p.id,
    });
  }
  return {
    body: `{"data":[${page.shown.map((p) => p.json).join(",")}],"nextCursor":${
      JSON.stringify(page.nextCursor)
    }}`,
    shown: page.shown.length,
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
