/**
 * The shape of an ICD-10-CM code list (the shipped one, `icd10-cm-common.json`, and the one
 * `deno task codes:import` writes to the data folder), and where a code sits in the tabular
 * list: its block and chapter, found from their ranges.
 *
 * Source: ICD-10-CM, FY2025, National Center for Health Statistics; public domain.
 */

/** A code of the list: a category (`J45`) or a subcategory or full code (`J45.909`). */
export interface Icd10Code {
  /** With the dot: `J18.9`. */
  code: string;
  /** The official (long) title. */
  title: string;
  kind: "category" | "subcategory";
  /** The chapter's code (`X`). */
  chapter: string;
  /** The block's code (`J09-J18`); null only for an imported code no known block contains. */
  block: string | null;
}

/** One of the 22 chapters, numbered in Roman numerals (`I` is A00-B99). */
export interface Icd10Chapter {
  code: string;
  title: string;
  /** First and last category: `A00-B99`. */
  range: string;
}

/** A block of categories (`J09-J18` Influenza and pneumonia); its code is its range. */
export interface Icd10Block {
  code: string;
  title: string;
  chapter: string;
}

export interface Icd10CodeList {
  source: string;
  note?: string;
  chapters: Icd10Chapter[];
  blocks: Icd10Block[];
  codes: Icd10Code[];
}

/** A code as written in the list: three characters, then a dot and one to four more. */
export const CODE_PATTERN = /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/;
const RANGE_PATTERN = /^([A-Z][0-9][0-9A-Z])-([A-Z][0-9][0-9A-Z])$/;

/** Uppercase, without dots or spaces: `j18.9` → `J189`. The key codes are compared by. */
export const normalizeCode = (code: string) => code.replace(/[.\s]/g, "").toUpperCase();

/** `A0100` → `A01.00`, `J45` → `J45` (the order file writes codes without the dot). */
export const withDot = (code: string) =>
  code.length > 3 ? `${code.slice(0, 3)}.${code.slice(3)}` : code;

/**
 * Categories with a letter in third place sit in the tabular list right after another one
 * (C4A Merkel cell carcinoma after C43, M1A chronic gout after M10), not where their characters
 * would sort, and some blocks end on one (I10-I1A, I30-I5A, O94-O9A).
 */
const PLACED_AFTER: Record<string, string> = {
  C4A: "C43",
  C7A: "C75",
  C7B: "C7A",
  D3A: "D36",
  I1A: "I16",
  I5A: "I52",
  M1A: "M10",
  O9A: "O99",
  Z3A: "Z36",
};

/** A category's position in the tabular list, for range checks (`A00` < `A09` < `C4A` < `C44`). */
export function categoryKey(category: string): number {
  const letter = (category.charCodeAt(0) - 65) * 10_000;
  const digits = category.slice(1, 3);
  if (/^\d\d$/.test(digits)) return letter + Number(digits) * 10;
  const after = PLACED_AFTER[category];
  if (after) return categoryKey(after) + 1;
  // A letter category this table does not know yet: at the end of its decade.
  return letter + Number(digits[0]) * 100 + 95;
}

/** The first and last category of a range (`J09-J18`), or undefined if it is not one. */
export function rangeOf(range: string): { from: number; to: number } | undefined {
  const m = RANGE_PATTERN.exec(range);
  return m ? { from: categoryKey(m[1]), to: categoryKey(m[2]) } : undefined;
}

/**
 * A function answering the block and chapter of a code (`J18.9` → `J09-J18`, `X`), from the
 * blocks' and chapters' ranges: a binary search over the blocks sorted by their first category.
 */
export function placer(list: Pick<Icd10CodeList, "chapters" | "blocks">) {
  const blocks = list.blocks.map((b) => ({ block: b, ...rangeOf(b.code)! }))
    .sort((a, b) => a.from - b.from || a.to - b.to);
  const chapters = list.chapters.map((c) => ({ chapter: c, ...rangeOf(c.range)! }));
  return (code: string): { block: string | null; chapter: string | null } => {
    const key = categoryKey(code.slice(0, 3).toUpperCase());
    let lo = 0;
    let hi = blocks.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (blocks[mid].from <= key) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // Blocks do not overlap, so only the last one starting at or before the key can hold it.
    const hit = found >= 0 && blocks[found].to >= key ? blocks[found].block : undefined;
    if (hit) return { block: hit.code, chapter: hit.chapter };
    const chapter = chapters.find((c) => c.from <= key && key <= c.to)?.chapter.code ?? null;
    return { block: null, chapter };
  };
}

/** What is wrong with a code list's shape, one message per problem (the first 20). */
export function listProblems(list: unknown): string[] {
  const problems: string[] = [];
  const l = list as Partial<Icd10CodeList> | null;
  if (!l || typeof l !== "object") return ["not a JSON object"];
  if (!Array.isArray(l.chapters) || !Array.isArray(l.blocks) || !Array.isArray(l.codes)) {
    return ["chapters, blocks and codes must be arrays"];
  }
  for (const c of l.chapters) {
    if (typeof c?.code !== "string" || typeof c.title !== "string" || !rangeOf(c.range)) {
      problems.push(`chapter ${JSON.stringify(c)} lacks a code, title or range`);
    }
  }
  for (const b of l.blocks) {
    if (!rangeOf(b?.code) || typeof b.title !== "string" || typeof b.chapter !== "string") {
      problems.push(`block ${JSON.stringify(b)} lacks a range code, title or chapter`);
    }
  }
  for (const c of l.codes) {
    if (!CODE_PATTERN.test(c?.code) || typeof c.title !== "string" || !c.title) {
      problems.push(`code ${JSON.stringify(c)} is not a code with a title`);
    }
    if (problems.length >= 20) break;
  }
  return problems;
}
