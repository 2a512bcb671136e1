/**
 * ICD-10-CM codes in memory: loaded once per data folder, indexed at load, searched without I/O.
 * Reference data, not patient data: nothing here is audited, and nothing is in the database.
 *
 * The index: the codes sorted by their normalized key (`J189`), so a code prefix is a binary
 * search and a scan; and for title words, two maps, from every whole word and from every word's
 * first one to three letters, to the codes whose title has such a word, each list ordered by
 * title length. A search walks the shortest list of its words (the codes on the next shortest
 * marked first), so the first matches it meets are the shortest titles and it stops at `limit`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../lib/logger.ts";
import {
  CODE_PATTERN,
  type Icd10Block,
  type Icd10Chapter,
  type Icd10Code,
  type Icd10CodeList,
  listProblems,
  normalizeCode,
} from "./catalog.ts";
import shipped from "./icd10-cm-common.json" with { type: "json" };

/** The file `deno task codes:import` writes in the data folder. */
export const IMPORTED_FILE = "icd10cm.json";
export const SHIPPED_LIST = shipped as Icd10CodeList;

export interface CodeIndex {
  source: string;
  /** Sorted by `keys`. */
  codes: Icd10Code[];
  /** Normalized codes (`J189`), sorted. */
  keys: string[];
  /** Each code's title words, normalized, between spaces (" pneumonia unspecified organism "). */
  words: string[];
  /** First one to three letters of a title word → indexes into `codes`, shortest title first. */
  postings: Map<string, Int32Array>;
  /** A whole title word → indexes into `codes`, shortest title first. */
  wholeWords: Map<string, Int32Array>;
  /**
   * Scratch space of multi-word searches: a code is on the current search's second list when its
   * slot holds the current stamp (one per search, so nothing needs clearing).
   */
  marks: { codes: Uint32Array; stamp: number };
  byKey: Map<string, number>;
  chapters: Map<string, Icd10Chapter>;
  blocks: Map<string, Icd10Block>;
  chapterList: Icd10Chapter[];
  blockList: Icd10Block[];
}

/** Lowercase words without accents: "Pneumonía, type 2" → ["pneumonia", "type", "2"]. */
export function wordsOf(text: string): string[] {
  // Official titles are ASCII: they skip the Unicode decomposition, a third of the index's build.
  // deno-lint-ignore no-control-regex
  const plain = /^[\x00-\x7f]*$/.test(text) ? text : text.normalize("NFD").replace(/\p{M}/gu, "");
  return plain.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

export function buildIndex(list: Icd10CodeList): CodeIndex {
  const unsorted = list.codes.map((c) => normalizeCode(c.code));
  const order = unsorted.map((_, i) => i)
    .sort((a, b) => (unsorted[a] < unsorted[b] ? -1 : unsorted[a] > unsorted[b] ? 1 : 0));
  const codes = order.map((i) => list.codes[i]);
  const keys = order.map((i) => unsorted[i]);
  const titleWords = codes.map((c) => wordsOf(c.title));
  // One string per title rather than an array of words: a fraction of the objects to keep.
  const words = titleWords.map((w) => ` ${w.join(" ")} `);
  const byKey = new Map(keys.map((k, i) => [k, i]));
  // Shortest title first (then by code): the order every posting list keeps.
  const byLength = codes.map((_, i) => i)
    .sort((a, b) => codes[a].title.length - codes[b].title.length || a - b);
  const starts = new Map<string, number[]>();
  const whole = new Map<string, number[]>();
  const add = (lists: Map<string, number[]>, key: string, i: number) => {
    const l = lists.get(key);
    if (!l) lists.set(key, [i]);
    else if (l[l.length - 1] !== i) l.push(i);
  };
  for (const i of byLength) {
    for (const w of titleWords[i]) {
      add(whole, w, i);
      for (let n = 1; n <= Math.min(3, w.length); n++) add(starts, w.slice(0, n), i);
    }
  }
  const packed = (lists: Map<string, number[]>) =>
    new Map([...lists].map(([k, l]) => [k, Int32Array.from(l)]));
  return {
    source: list.source,
    codes,
    keys,
    words,
    postings: packed(starts),
    wholeWords: packed(whole),
    marks: { codes: new Uint32Array(codes.length), stamp: 0 },
    byKey,
    chapters: new Map(list.chapters.map((c) => [c.code.toUpperCase(), c])),
    blocks: new Map(list.blocks.map((b) => [b.code.toUpperCase(), b])),
    chapterList: list.chapters,
    blockList: list.blocks,
  };
}

/** A query that can be the start of a code: a letter, then digits or letters (dots ignored). */
const CODE_PREFIX = /^[A-Z]([0-9][0-9A-Z]{0,5})?$/;

/**
 * How a title's words (" a b c ") match the query's, given as " word" and " word ": "whole" when
 * each is one of them, "prefix" when each starts one of them but some only that, undefined when
 * some query word starts none.
 */
function matches(
  title: string,
  starts: string[],
  wholes: string[],
): "whole" | "prefix" | undefined {
  let whole = true;
  for (let k = 0; k < starts.length; k++) {
    if (title.includes(wholes[k])) continue;
    if (!title.includes(starts[k])) return undefined;
    whole = false;
  }
  return whole ? "whole" : "prefix";
}

function lowerBound(keys: string[], prefix: string) {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Codes matching `q`, best first: the code itself, then codes starting with it (by code), then
 * codes whose title has, for every word of `q`, a word starting with it (whole-word matches
 * before prefix-only ones, shorter titles first). Case, accents and the code's dot are ignored.
 */
export function searchCodes(index: CodeIndex, q: string, limit = 20): Icd10Code[] {
  const found: number[] = [];
  const taken = new Set<number>();
  const take = (i: number) => {
    if (taken.has(i)) return;
    taken.add(i);
    found.push(i);
  };
  const key = normalizeCode(q.trim());
  if (key && CODE_PREFIX.test(key)) {
    const exact = index.byKey.get(key);
    if (exact !== undefined) take(exact);
    for (let i = lowerBound(index.keys, key); i < index.keys.length; i++) {
      if (found.length >= limit || !index.keys[i].startsWith(key)) break;
      take(i);
    }
  }
  const terms = wordsOf(q);
  if (found.length >= limit || terms.length === 0) return found.map((i) => index.codes[i]);
  const starts = terms.map((t) => ` ${t}`);
  const wholes = terms.map((t) => ` ${t} `);
  // Whole-word matches first, from the lists of titles holding each word whole; then titles
  // where some word only starts with one of the query's, from the lists by first letters.
  const lists = [
    { of: terms.map((t) => index.wholeWords.get(t)), want: "whole" },
    { of: terms.map((t) => index.postings.get(t.slice(0, 3))), want: "prefix" },
  ] as const;
  for (const { of, want } of lists) {
    if (found.length >= limit || of.some((l) => l === undefined)) continue;
    const [first, second] = (of as Int32Array[]).slice().sort((a, b) => a.length - b.length);
    // With two words or more, the codes on the second-shortest list are marked first, so the
    // walk of the shortest one reads the titles of only the codes on both.
    const marks = index.marks;
    const stamp = second ? (marks.stamp = (marks.stamp % 0xffff_fffe) + 1) : 0;
    if (second) { for (let j = 0; j < second.length; j++) marks.codes[second[j]] = stamp; }
    for (let j = 0; j < first.length && found.length < limit; j++) {
      const i = first[j];
      if (second && marks.codes[i] !== stamp) continue;
      if (!taken.has(i) && matches(index.words[i], starts, wholes) === want) take(i);
    }
  }
  return found.map((i) => index.codes[i]);
}

/** A code, chapter or block, with the chapter and block it belongs to. */
export interface CodeDetail {
  code: string;
  title: string;
  kind: "chapter" | "block" | "category" | "subcategory";
  chapter: Icd10Chapter;
  block: { code: string; title: string } | null;
}

/** `J18.9`, `j189`, `X` (a chapter) or `J09-J18` (a block); undefined when unknown. */
export function lookupCode(index: CodeIndex, raw: string): CodeDetail | undefined {
  const upper = raw.trim().toUpperCase();
  const chapter = index.chapters.get(upper);
  if (chapter) {
    return { code: chapter.code, title: chapter.title, kind: "chapter", chapter, block: null };
  }
  const block = index.blocks.get(upper);
  if (block) {
    return {
      code: block.code,
      title: block.title,
      kind: "block",
      chapter: index.chapters.get(block.chapter.toUpperCase())!,
      block: null,
    };
  }
  const i = index.byKey.get(normalizeCode(upper));
  if (i === undefined) return undefined;
  const code = index.codes[i];
  const inBlock = code.block ? index.blocks.get(code.block) : undefined;
  return {
    code: code.code,
    title: code.title,
    kind: code.kind,
    chapter: index.chapters.get(code.chapter)!,
    block: inBlock ? { code: inBlock.code, title: inBlock.title } : null,
  };
}

/** The chapters in order, each with its blocks, for browsing. */
export function chaptersWithBlocks(index: CodeIndex) {
  return index.chapterList.map((c) => ({
    ...c,
    blocks: index.blockList.filter((b) => b.chapter === c.code)
      .map((b) => ({ code: b.code, title: b.title })),
  }));
}

export type DiagnosisCheck =
  | { ok: true; code: string; title: string }
  | { ok: false; reason: string };

/**
 * Whether `code` may be recorded as a diagnosis: a category (`J45`) or a subcategory or code
 * (`J45.909`) of the list, written with or without the dot, in any case. A chapter, a block or
 * an unknown code is refused with a reason fit for a 422.
 */
export function checkDiagnosisCode(index: CodeIndex, code: string): DiagnosisCheck {
  if (typeof code !== "string" || !code.trim()) {
    return { ok: false, reason: "A diagnosis needs an ICD-10-CM code, such as J18.9." };
  }
  const found = lookupCode(index, code);
  const shown = code.trim();
  if (!found) {
    const shaped = CODE_PATTERN.test(shown.toUpperCase()) ||
      /^[A-Z][0-9][0-9A-Z]{1,5}$/.test(normalizeCode(shown));
    return {
      ok: false,
      reason: shaped
        ? `${shown} is not an ICD-10-CM code known to this server.`
        : `${shown} is not an ICD-10-CM code: codes look like J18.9 or E11.65.`,
    };
  }
  if (found.kind === "chapter" || found.kind === "block") {
    return {
      ok: false,
      reason: `${found.code} is an ICD-10-CM ${found.kind} (${found.title}), not a diagnosis: ` +
        "choose a code within it.",
    };
  }
  return { ok: true, code: found.code, title: found.title };
}

const loaded = new Map<string, CodeIndex>();
let shippedIndex: CodeIndex | undefined;
/** The index the process serves (named at start, built on first use), when a caller names none. */
let current: (() => CodeIndex) | undefined;

/** The index of the shipped list, built on first use. */
export function shippedCodes(): CodeIndex {
  return shippedIndex ??= buildIndex(SHIPPED_LIST);
}

/**
 * The index of `$dataDir/icd10cm.json` when that file exists (the full list, imported), else of
 * the shipped list; built once per file and kept. A file that cannot be read or is not a code
 * list is logged and the shipped list is served instead: diagnosis codes never stop a clinic.
 * A new import is picked up at the next start.
 */
export function codeIndexFor(dataDir: string, logger?: Logger): CodeIndex {
  const file = join(dataDir, IMPORTED_FILE);
  const known = loaded.get(file);
  if (known) return known;
  if (!existsSync(file)) return shippedCodes();
  let index: CodeIndex;
  try {
    const list = JSON.parse(readFileSync(file, "utf8"));
    const problems = listProblems(list);
    if (problems.length) throw new Error(problems.join("; "));
    index = buildIndex(list);
  } catch (err) {
    logger?.error("codes: the imported ICD-10-CM list is unusable; serving the shipped list", {
      file,
      error: (err as Error).message,
    });
    index = shippedCodes();
  }
  loaded.set(file, index);
  return index;
}

/**
 * Makes `index` the one `isDiagnosisCode` uses when given none (the module's start). A function
 * is called on first use: building the index takes ~40 ms for the shipped list, more for a full
 * import, which a start should not wait for.
 */
export function serveCodes(index: CodeIndex | (() => CodeIndex)) {
  current = typeof index === "function" ? index : () => index;
}

/**
 * Whether `code` may be recorded as a diagnosis (see `checkDiagnosisCode`), against `index` or
 * the list this process serves (the imported one when present, loaded on first use).
 */
export function isDiagnosisCode(code: string, index?: CodeIndex): DiagnosisCheck {
  return checkDiagnosisCode(index ?? current?.() ?? shippedCodes(), code);
}
