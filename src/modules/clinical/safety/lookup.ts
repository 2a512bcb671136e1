/**
 * The tables turned into indexes once, at load: names (generic, alias, brand, class) → what they
 * mean, each substance → everything it counts as (itself and every class above it), and the
 * interaction and cross-reactivity entries by the names they mention. The rules read only these.
 */
import { BRAND_NAMES } from "./brand-table.ts";
import { DRUG_CLASSES } from "./class-table.ts";
import { CROSS_REACTIVITY } from "./cross-reactivity-table.ts";
import { MAX_DOSES } from "./dose-table.ts";
import { GENERAL_INTERACTIONS } from "./interactions-general.ts";
import { INFECTION_INTERACTIONS } from "./interactions-infection.ts";
import { keyVariants, nameKey } from "./names.ts";
import type { CrossReactivity, DrugClass, Interaction, MaxDose, Substance } from "./types.ts";
import { SUBSTANCES } from "./substance-table.ts";

export const INTERACTIONS: readonly Interaction[] = [
  ...INFECTION_INTERACTIONS,
  ...GENERAL_INTERACTIONS,
];

export type NamedEntry = { kind: "substance"; name: string } | { kind: "class"; name: string };

export const CLASSES = new Map<string, DrugClass>(DRUG_CLASSES.map((c) => [c.name, c]));
export const SUBSTANCE_BY_NAME = new Map<string, Substance>(SUBSTANCES.map((s) => [s.name, s]));
export const MAX_DOSE_BY_SUBSTANCE = new Map<string, MaxDose>(
  MAX_DOSES.map((d) => [d.substance, d]),
);

/** A class and every class above it. */
export function classClosure(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  for (const parent of CLASSES.get(name)?.parents ?? []) classClosure(parent, seen);
  return seen;
}

/** How deep a class sits (penicillins below beta-lactams): the deeper, the more specific. */
export const classDepth = (name: string) => classClosure(name).size;

/** The single substances in a substance: itself, or its components (recursively). */
export function atomsOf(name: string): string[] {
  const s = SUBSTANCE_BY_NAME.get(name);
  if (!s?.components?.length) return [name];
  return [...new Set(s.components.flatMap(atomsOf))];
}

const refsCache = new Map<string, ReadonlySet<string>>();
/** What a single substance counts as: its own name and every class it is in, with ancestors. */
export function refsOf(atom: string): ReadonlySet<string> {
  let refs = refsCache.get(atom);
  if (!refs) {
    const all = new Set<string>([atom]);
    for (const c of SUBSTANCE_BY_NAME.get(atom)?.classes ?? []) classClosure(c, all);
    refsCache.set(atom, refs = all);
  }
  return refs;
}

/**
 * Every name → its meaning. A key claimed by two different meanings is reported in
 * `collisions` (the table tests require none) and keeps the first.
 */
function buildNameIndex() {
  const index = new Map<string, NamedEntry>();
  const collisions: string[] = [];
  const add = (text: string, entry: NamedEntry) => {
    const key = nameKey(text);
    const had = index.get(key);
    if (!had) index.set(key, entry);
    else if (had.kind !== entry.kind || had.name !== entry.name) {
      collisions.push(
        `"${text}" means both ${had.kind} ${had.name} and ${entry.kind} ${entry.name}`,
      );
    }
  };
  for (const s of SUBSTANCES) {
    for (const n of [s.name, ...(s.aliases ?? [])]) add(n, { kind: "substance", name: s.name });
  }
  for (const c of DRUG_CLASSES) {
    for (const n of [c.name, ...(c.aliases ?? [])]) add(n, { kind: "class", name: c.name });
  }
  for (const [brand, generic] of Object.entries(BRAND_NAMES)) {
    add(brand, { kind: "substance", name: generic });
  }
  return { index, collisions };
}

const NAMES = buildNameIndex();
export const NAME_COLLISIONS: readonly string[] = NAMES.collisions;

/** The meaning of a name as typed, trying its singular and plural forms. */
export function lookupName(text: string): NamedEntry | undefined {
  const key = nameKey(text);
  if (!key) return undefined;
  for (const k of keyVariants(key)) {
    const hit = NAMES.index.get(k);
    if (hit) return hit;
  }
  return undefined;
}

/** Interaction entries by each name they mention (an entry naming one class twice, once). */
export const INTERACTIONS_BY_REF = new Map<string, Interaction[]>();
for (const entry of INTERACTIONS) {
  for (const ref of new Set([entry.a, entry.b])) {
    const list = INTERACTIONS_BY_REF.get(ref) ?? [];
    list.push(entry);
    INTERACTIONS_BY_REF.set(ref, list);
  }
}

/** Cross-reactivity entries by the allergy's class. */
export const CROSS_REACTIVITY_BY_ALLERGY = new Map<string, CrossReactivity[]>();
for (const entry of CROSS_REACTIVITY) {
  const list = CROSS_REACTIVITY_BY_ALLERGY.get(entry.allergy) ?? [];
  list.push(entry);
  CROSS_REACTIVITY_BY_ALLERGY.set(entry.allergy, list);
}
