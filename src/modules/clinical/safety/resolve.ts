/**
 * Free text → the drug the tables know: a substance, a combination (its single substances), or
 * a class ("NSAIDs" in an allergy list, "blood thinners" among current medications). Tried in
 * order: the whole text; without strengths, forms and allergy wording; without salt names; each
 * part of a written-out combination; and last each remaining word of four letters or more
 * ("Amoxil Forte" → amoxicillin). What stays unknown is reported, never guessed.
 */
import {
  atomsOf,
  classClosure,
  classDepth,
  CLASSES,
  lookupName,
  type NamedEntry,
  refsOf,
} from "./lookup.ts";
import { combinationParts, nameWords, wordsOf } from "./names.ts";

/** One single substance of a drug (or, for a class named alone, the class). */
export interface Unit {
  /** The substance; null when only a class is known. */
  atom: string | null;
  /** The substance's name, or the class's. */
  name: string;
  /** Everything the unit counts as: the substance and all its classes with their ancestors. */
  refs: ReadonlySet<string>;
}

export interface Drug {
  /** The canonical name: "amoxicillin", "co-amoxiclav", "NSAIDs", "ibuprofen + caffeine…". */
  name: string;
  units: Unit[];
  /** Parts of the text no table knows; the whole text when nothing is known. */
  unknown: string[];
  /** Worked out once with the drug, since every pair the drug meets reads them. */
  atoms: ReadonlySet<string>;
  /** Everything any of its units counts as. */
  refs: ReadonlySet<string>;
  /** Its classes marked `duplicate`, the most specific first. */
  duplicateClasses: readonly string[];
}

function makeDrug(name: string, units: Unit[], unknown: string[]): Drug {
  const refs = new Set(units.flatMap((u) => [...u.refs]));
  return {
    name,
    units,
    unknown,
    atoms: new Set(units.flatMap((u) => u.atom === null ? [] : [u.atom])),
    refs,
    duplicateClasses: [...refs].filter((c) => CLASSES.get(c)?.duplicate)
      .sort((a, b) => classDepth(b) - classDepth(a)),
  };
}

function resolveName(text: string): NamedEntry | undefined {
  const words = wordsOf(text);
  return lookupName(text) ?? lookupName(nameWords(words, false).join(" ")) ??
    lookupName(nameWords(words, true).join(" "));
}

function unitsOf(entry: NamedEntry): Unit[] {
  if (entry.kind === "class") {
    return [{ atom: null, name: entry.name, refs: classClosure(entry.name) }];
  }
  return atomsOf(entry.name).map((atom) => ({ atom, name: atom, refs: refsOf(atom) }));
}

function combine(entries: NamedEntry[], unknown: string[]): Drug {
  const seen = new Set<string>();
  const units: Unit[] = [];
  const names: string[] = [];
  for (const e of entries) {
    if (seen.has(`${e.kind}:${e.name}`)) continue;
    seen.add(`${e.kind}:${e.name}`);
    names.push(e.name);
    for (const u of unitsOf(e)) {
      if (!units.some((v) => v.atom !== null && v.atom === u.atom)) units.push(u);
    }
  }
  return makeDrug(names.join(" + "), units, unknown);
}

function resolveUncached(text: string): Drug {
  const whole = resolveName(text);
  if (whole) return combine([whole], []);
  const cleaned = nameWords(wordsOf(text), false).join(" ");
  const parts = combinationParts(cleaned);
  if (parts.length > 1) {
    const found = parts.map((p) => resolveName(p));
    const entries = found.filter((e): e is NamedEntry => e !== undefined);
    if (entries.length) return combine(entries, parts.filter((_, i) => !found[i]));
  }
  const words = nameWords(wordsOf(text), true).map((w) => w.replace(/[.,]+$/, ""));
  const entries = words.filter((w) => w.length >= 4).map(resolveName)
    .filter((e): e is NamedEntry => e !== undefined);
  if (entries.length) return combine(entries, []);
  return makeDrug(text.trim(), [], [text.trim()]);
}

/**
 * The same text always resolves the same way, so results are kept; the cache is bounded and
 * only saves time (a clinic types the same few hundred names all day).
 */
const cache = new Map<string, Drug>();
const CACHE_LIMIT = 10_000;

export function resolveDrug(text: string): Drug {
  let drug = cache.get(text);
  if (!drug) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, drug = resolveUncached(text));
  }
  return drug;
}

/** The single substances two drugs share. */
export function sharedAtoms(x: Drug, y: Drug): string[] {
  return [...y.atoms].filter((a) => x.atoms.has(a));
}
