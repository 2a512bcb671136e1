/**
 * Ranked patient search. Bounded by design: candidates are gathered from the index for the most
 * selective query word with a LIMIT (`CANDIDATE_CAP`), filtered in SQL, scored in JavaScript and
 * cut to the best `RESULT_MAX`; a broader need is a sign to refine the query. How a query is
 * read and how a candidate scores against it are pure functions at the end of this file.
 */
import type { DatabaseHandle } from "../../../db/client.ts";
import type { Deps } from "../../lib/context.ts";
import { todayIn } from "../../lib/time.ts";
import { orgSettings } from "../organizations/mod.ts";
import { formatMrn } from "../patients/mod.ts";
import { hasFilters, type PatientFilters } from "./filters.ts";
import { foldId, nameParts, phoneDigits, withinOneEdit } from "../../lib/normalize.ts";
import {
  type Candidate,
  candidates,
  filterConditions,
  fragmentOf,
  type TermMatch,
  vocabularyFrom,
  type VocabularyTerm,
  vocabularyTypos,
} from "./repository.ts";
import { pairTerm, patientNameParts, reversedPhone, typoKeys } from "../patients/mod.ts";

/** `filterConditions` without filters: listed records of the organisation (see repository.ts). */
const LISTED = fragmentOf(filterConditions("", {}, null, () => false)).sql;

/** Candidates gathered per query at most: bounds the work of a common term. */
const CANDIDATE_CAP = 100;
/** Ranked results of one query at most; pages walk this list. */
export const RESULT_MAX = 100;
/** Index entries a narrowed (several-word) walk examines at most. */
const EXAMINE_MAX = 2000;
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
  const { exact, prefix } = await vocabularyFrom(handle, orgId, token);
  const plan: TokenPlan = { token, exact, prefix };
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
  // Without filters the condition is the same every time: drizzle building it cost ~18 µs.
  const where = hasFilters(filters)
    ? fragmentOf(filterConditions(orgId, filters, today, () => false))
    : { sql: LISTED, params: [orgId] };
  // mrnOf is only called for a bare number, for which the settings were read.
  const parsed = parseQuery(q, (n) => formatMrn(n, settings!));
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
    // Lower tiers are looked up only while the requested page is not full, and only where that
    // cannot change earlier pages: every later result must rank after every result found. One
    // word: tiers rank strictly (exact > prefix > typo). Several words: a word's prefix match
    // paired with another's exact one can outrank a typo found earlier, so only the perfect
    // matches (every word exact, which nothing later can beat) may end the walk early.
    const perfect = 3 * parsed.tokens.length;
    const full = () =>
      parsed.tokens.length === 1
        ? ranked.size >= need
        : [...ranked.values()].filter((r) => r.score >= perfect).length >= need;
    const samePairWalk = pair !== null && parsed.tokens.length === 2;
    for (const alsoHas of narrowed ? [narrowed, undefined] : [undefined]) {
      if (pair && full()) break;
      let gathered = 0;
      for (const [i, tierOf] of tiers.entries()) {
        if (gathered >= CANDIDATE_CAP) break;
        if (i > 0 && full()) break;
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
      if (ranked.size >= RESULT_MAX || full()) break;
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

// How a query is read and how a candidate scores against it.

interface ParsedQuery {
  /** Exact identifier terms (`d:`/`m:`) the whole query could be. */
  idTerms: string[];
  /** Phone prefix term (reversed last digits), when the query looks like a phone number. */
  phonePrefix: string | null;
  /** Name tokens (folded, without digits), deduplicated. */
  tokens: string[];
}

/** `mrnOf(n)` formats a bare number as the organisation's MRN (`42` → `MRN000042`). */
export function parseQuery(q: string, mrnOf: (n: number) => string): ParsedQuery {
  const folded = foldId(q);
  const idTerms = new Set<string>();
  if (folded) {
    idTerms.add(`d:${folded}`);
    idTerms.add(`m:${folded}`);
    if (/^\d{1,8}$/.test(folded)) idTerms.add(`m:${foldId(mrnOf(Number(folded)))}`);
  }
  const digits = phoneDigits(q);
  const phonePrefix = /^[+0-9 ().-]+$/.test(q.trim()) && digits.length >= 6
    ? `p:${reversedPhone(digits.slice(-9))}`
    : null;
  const tokens = [...new Set(nameParts(q).filter((t) => !/\d/.test(t)))];
  return { idTerms: [...idTerms], phonePrefix, tokens };
}

/** 3 exact, 2 prefix, 1 one edit away (tokens of 3+ letters), 0 no match. */
function tokenScore(token: string, part: string): number {
  if (part === token) return 3;
  if (part.startsWith(token)) return 2;
  if (token.length >= 3 && withinOneEdit(token, part)) return 1;
  return 0;
}

/** The score of name parts against every token; 0 when some token matches nothing. */
export function nameScore(tokens: string[], parts: string[]): number {
  let total = 0;
  for (const token of tokens) {
    let best = 0;
    for (const part of parts) best = Math.max(best, tokenScore(token, part));
    if (best === 0) return 0;
    total += best;
  }
  return total;
}
