/**
 * Patient search, list and statistics. Search is bounded by design: candidates are gathered from
 * the most selective query token with a LIMIT (`CANDIDATE_CAP`), filtered in SQL, scored in
 * JavaScript and cut to the best `RESULT_MAX`; a broader need is a sign to refine the query.
 */
import type { PatientRow } from "../../../db/schema/mod.ts";
import type { DatabaseHandle } from "../../../db/client.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { badRequest } from "../../lib/errors.ts";
import { decodeCursor, encodeCursor } from "../../lib/pagination.ts";
import { formatMrn } from "../patients/mrn.ts";
import { findPatient, findPatientJson } from "../patients/repository.ts";
import { viewPatient, visibleJson } from "../patients/visibility.ts";
import type { PatientFilters } from "./filters.ts";
import { foldId, withinOneEdit } from "./normalize.ts";
import { nameScore, parseQuery } from "./ranking.ts";
import {
  type Candidate,
  candidates,
  countRegisteredSince,
  filterConditions,
  fragmentOf,
  listPage,
  type ListSort,
  orgSettings,
  statsGroups,
  type TermMatch,
  todayIn,
  vocabularyExact,
  vocabularyPrefix,
  type VocabularyTerm,
  vocabularyTypos,
  yearsBefore,
} from "./repository.ts";
import { pairTerm, patientNameParts, typoKeys } from "./terms.ts";

/** Candidates gathered per query at most: bounds the work of a common term. */
export const CANDIDATE_CAP = 100;
/** Ranked results of one query at most; pages walk this list. */
export const RESULT_MAX = 100;
/** Index entries a narrowed (several-word) walk examines at most. */
export const EXAMINE_MAX = 2000;
const ID_SCORE = 100;
const PHONE_SCORE = 50;

export type SearchFilters = PatientFilters & { q?: string };

interface Ranked {
  c: Candidate;
  score: number;
}

interface TokenPlan {
  token: string;
  exact: number;
  prefix: number;
  /** Terms within one edit, looked up only when needed (see `typosOf`). */
  fuzzy?: VocabularyTerm[];
}

async function planToken(handle: DatabaseHandle, orgId: string, token: string) {
  const [exact, prefixed] = await Promise.all([
    vocabularyExact(handle, orgId, token),
    vocabularyPrefix(handle, orgId, token),
  ]);
  const plan: TokenPlan = { token, exact, prefix: prefixed.reduce((s, r) => s + r.patients, 0) };
  // A word nobody carries is probably misspelt: its typo neighbours are its only matches, and
  // their counts decide whether it drives the search.
  if (!exact && !plan.prefix) await typosOf(handle, orgId, plan);
  return plan;
}

/** The vocabulary terms one edit away from the token (not its prefix matches), once per plan. */
async function typosOf(handle: DatabaseHandle, orgId: string, p: TokenPlan) {
  if (!p.fuzzy) {
    const near = p.token.length >= 3 ? await vocabularyTypos(handle, orgId, typoKeys(p.token)) : [];
    p.fuzzy = near.filter((t) =>
      t.term !== p.token && !t.term.startsWith(p.token) && withinOneEdit(p.token, t.term)
    ).slice(0, 200);
  }
  return p.fuzzy;
}

const estimate = (p: TokenPlan) =>
  p.exact + p.prefix + (p.fuzzy ?? []).reduce((s, r) => s + r.patients, 0);

/**
 * Index terms checked for the other words of a narrowed search (point lookups per scanned row,
 * so as few as possible): the exact word when some patient carries it, else its typo neighbours.
 */
const pointTerms = async (handle: DatabaseHandle, orgId: string, p: TokenPlan) =>
  p.exact
    ? [`n:${p.token}`]
    : (await typosOf(handle, orgId, p)).slice(0, 10).map((f) => `n:${f.term}`);

/** Ranks the listed patients matching `q` (with filters), best first, at most RESULT_MAX. */
export async function rankPatients(
  deps: Pick<Deps, "db" | "clock">,
  orgId: string,
  q: string,
  filters: PatientFilters,
  /** How many ranked results the caller needs at least (page end + 1). */
  need = RESULT_MAX,
): Promise<Candidate[]> {
  const handle = deps.db;
  // The organisation's settings only matter for age filters and bare MRN numbers.
  const bareNumber = /^\d{1,8}$/.test(foldId(q));
  const needsToday = filters.ageMin !== undefined || filters.ageMax !== undefined;
  const settings = bareNumber || needsToday ? await orgSettings(handle.db, orgId) : null;
  const today = settings && needsToday ? todayIn(settings.timezone, deps.clock.now()) : null;
  const where = fragmentOf(filterConditions(orgId, filters, today, true));
  const parsed = parseQuery(q, (n) =>
    formatMrn(n, {
      prefix: settings?.mrnPrefix ?? "MRN",
      digits: settings?.mrnDigits ?? 6,
    }));
  const ranked = new Map<string, Ranked>();
  const add = (rows: Candidate[], score: (c: Candidate) => number) => {
    for (const c of rows) {
      const s = score(c);
      const seen = ranked.get(c.id);
      if (s > 0 && (!seen || seen.score < s)) ranked.set(c.id, { c, score: s });
    }
  };

  if (parsed.idTerms.length) {
    add(
      await candidates(handle, orgId, { exact: parsed.idTerms }, where, CANDIDATE_CAP),
      () => ID_SCORE,
    );
  }
  if (parsed.phonePrefix) {
    add(
      await candidates(handle, orgId, { prefix: parsed.phonePrefix }, where, CANDIDATE_CAP),
      () => PHONE_SCORE,
    );
  }
  if (parsed.tokens.length) {
    const plans = await Promise.all(parsed.tokens.map((t) => planToken(handle, orgId, t)));
    const driver = plans.reduce((a, b) => (estimate(b) < estimate(a) ? b : a));
    const others = plans.filter((p) => p !== driver);
    const score = (c: Candidate) => nameScore(parsed.tokens, patientNameParts(c));
    // Typo matches of the driver come last and are looked up only when reached.
    const tiers: (() => Promise<TermMatch | null>)[] = [
      () => Promise.resolve(driver.exact ? { exact: [`n:${driver.token}`] } : null),
      () =>
        Promise.resolve(
          driver.prefix ? { prefix: `n:${driver.token}`, exclude: `n:${driver.token}` } : null,
        ),
      async () => {
        const typos = await typosOf(handle, orgId, driver);
        return typos.length ? { exact: typos.map((f) => `n:${f.term}`) } : null;
      },
    ];

    // Two words carried exactly: their pair term lists the patients with both at once, the best
    // matches there are, in one short index range.
    const exactPlans = plans.filter((p) => p.exact).sort((a, b) => a.exact - b.exact);
    const pair = exactPlans.length >= 2 ? pairTerm(exactPlans[0].token, exactPlans[1].token) : null;
    if (pair) add(await candidates(handle, orgId, { exact: [pair] }, where, CANDIDATE_CAP), score);

    // A common driver with other tokens: gather the patients whose other tokens match exactly or
    // within one edit (checked in the index, in SQL), so that "mary kamau" finds the Mary
    // Kamaus among thousands of Kamaus; then fill up from the rest. These narrowed walks examine
    // at most EXAMINE_MAX index entries each: beyond the exact pair they are best effort.
    let narrowed: string[][] | undefined;
    if (estimate(driver) > CANDIDATE_CAP && others.length) {
      const terms = await Promise.all(others.map((p) => pointTerms(handle, orgId, p)));
      if (terms.every((t) => t.length)) narrowed = terms;
    }
    // Tiers rank strictly (exact > prefix > typo, and the pair above all), so lower tiers are
    // only looked up while the requested page is not full: later pages add results after the
    // earlier ones, never between them.
    const lazy = parsed.tokens.length === 1 || pair !== null;
    const samePairWalk = pair !== null && parsed.tokens.length === 2;
    for (const alsoHas of narrowed ? [narrowed, undefined] : [undefined]) {
      let gathered = 0;
      for (const [i, tierOf] of tiers.entries()) {
        if (gathered >= CANDIDATE_CAP) break;
        if (lazy && (i > 0 || pair) && ranked.size >= need) break;
        if (i === 0 && alsoHas && samePairWalk) continue; // exactly what the pair term listed
        const tier = await tierOf();
        if (!tier) continue;
        const rows = await candidates(
          handle,
          orgId,
          tier,
          where,
          CANDIDATE_CAP - gathered,
          alsoHas,
          alsoHas ? EXAMINE_MAX : undefined,
        );
        gathered += rows.length;
        add(rows, score);
      }
      if (ranked.size >= RESULT_MAX || (lazy && ranked.size >= need)) break;
    }
  }
  return [...ranked.values()].sort(compareRanked).slice(0, RESULT_MAX).map((r) => r.c);
}

/** Sort keys computed once per candidate, not once per comparison. */
function compareRanked(a: Ranked, b: Ranked): number {
  if (a.score !== b.score) return b.score - a.score;
  const ka = sortKey(a), kb = sortKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
const keys = new WeakMap<Ranked, string>();
function sortKey(r: Ranked) {
  let k = keys.get(r);
  if (k === undefined) {
    k = `${r.c.familyName.toLowerCase()}\u0000${r.c.givenName.toLowerCase()}\u0000${r.c.id}`;
    keys.set(r, k);
  }
  return k;
}

export interface ListQuery extends SearchFilters {
  limit: number;
  cursor?: string;
  sort: ListSort;
}

const invalidCursor = () =>
  badRequest("The cursor is not valid; use the nextCursor of a previous page.", [
    { path: "cursor", in: "query", message: "invalid cursor" },
  ]);

/** The filter conditions with "today" resolved in the organisation's timezone. */
async function whereOf(deps: Pick<Deps, "db" | "clock">, orgId: string, f: PatientFilters) {
  const needsToday = f.ageMin !== undefined || f.ageMax !== undefined;
  const today = needsToday
    ? todayIn((await orgSettings(deps.db.db, orgId)).timezone, deps.clock.now())
    : null;
  return filterConditions(orgId, f, today);
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
async function pageOf(
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
  const where = await whereOf(deps, orgId, query);
  const rows = await listPage(
    deps.db.db,
    where,
    query.sort,
    cursor as { v: string; id: string } | undefined,
    query.limit,
  );
  const data = rows.slice(0, query.limit);
  const last = data[data.length - 1];
  const key = query.sort.endsWith("familyName") ? "familyName" : "createdAt";
  const nextCursor = rows.length > query.limit && last
    ? encodeCursor({ v: last[key], id: last.id })
    : null;
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
  const page = await pageOf(deps, actor, query);
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
  const where = await whereOf(deps, orgId, filters);
  let after: { v: string; id: string } | undefined;
  while (true) {
    const rows = await listPage(deps.db.db, where, "createdAt", after, batchSize);
    const batch = rows.slice(0, batchSize);
    if (batch.length) yield batch;
    if (rows.length <= batchSize) return;
    const last = batch[batch.length - 1];
    after = { v: last.createdAt, id: last.id };
  }
}

export const AGE_BANDS = [
  { name: "0-4", from: 0 },
  { name: "5-14", from: 5 },
  { name: "15-24", from: 15 },
  { name: "25-44", from: 25 },
  { name: "45-64", from: 45 },
  { name: "65+", from: 65 },
] as const;

/** The UTC instant of local midnight starting `date` in `timezone`. */
export function startOfLocalDay(date: string, timezone: string): string {
  const guess = Date.parse(`${date}T00:00:00Z`);
  const offsetAt = (t: number) => {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }).formatToParts(new Date(t));
    const v = (k: string) => Number(parts.find((p) => p.type === k)?.value);
    return Date.UTC(v("year"), v("month") - 1, v("day"), v("hour"), v("minute"), v("second")) - t;
  };
  let t = guess - offsetAt(guess);
  t = guess - offsetAt(t); // second pass settles a DST change between guess and result
  return new Date(t).toISOString();
}

/** Dashboard counts of listed patients (merged and deleted excluded). */
export async function patientStats(deps: Deps, actor: Actor) {
  const db = deps.db.db;
  const { timezone } = await orgSettings(db, actor.orgId);
  let tz = timezone;
  let today: string;
  try {
    today = todayIn(tz, deps.clock.now());
    startOfLocalDay(today, tz);
  } catch {
    tz = "UTC";
    today = todayIn(tz, deps.clock.now());
  }
  // Born after yearsBefore(today, n) means younger than n: youngest band first.
  const bounds = AGE_BANDS.slice(1).map((b) => yearsBefore(today, b.from));
  const [every, hidden] = await Promise.all([
    statsGroups(db, actor.orgId, bounds, false),
    statsGroups(db, actor.orgId, bounds, true),
  ]);
  const byStatus: Record<string, number> = { active: 0, inactive: 0, deceased: 0, moved: 0 };
  const bySex: Record<string, number> = { female: 0, male: 0, other: 0, unknown: 0 };
  const byAgeBand: Record<string, number> = Object.fromEntries(
    [...AGE_BANDS.map((b) => [b.name, 0]), ["unknown", 0]],
  );
  let total = 0;
  const tally = (groups: unknown[], sign: 1 | -1) => {
    for (const g of groups as Record<string, number | string>[]) {
      const n = sign * Number(g.n);
      total += n;
      byStatus[g.status] = (byStatus[g.status] ?? 0) + n;
      bySex[g.sex] = (bySex[g.sex] ?? 0) + n;
      byAgeBand.unknown += sign * Number(g.unknown ?? 0);
      AGE_BANDS.forEach((b, i) => byAgeBand[b.name] += sign * Number(g[`b${i}`] ?? 0));
    }
  };
  tally(every, 1);
  tally(hidden, -1);
  const [y, m, d] = today.split("-").map(Number);
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // Monday = 0
  const monday = new Date(Date.UTC(y, m - 1, d - weekday)).toISOString().slice(0, 10);
  const [newThisWeek, newThisMonth] = await Promise.all([
    countRegisteredSince(db, actor.orgId, startOfLocalDay(monday, tz)),
    countRegisteredSince(db, actor.orgId, startOfLocalDay(today.slice(0, 8) + "01", tz)),
  ]);
  return { total, byStatus, bySex, byAgeBand, newThisWeek, newThisMonth };
}
