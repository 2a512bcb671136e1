/**
 * The rules on a pair of drugs: a new item with another new item or with a drug the patient
 * already takes; `where` says which, as read in a sentence ("in this prescription", "on active
 * prescription RX-202501-0001", `among current medications ("Brufen 400")`).
 * - duplicate therapy: the same single substance (also inside combinations) → high; two members
 *   of a class marked `duplicate` (two NSAIDs, two PPIs, two anticoagulants) → moderate, naming
 *   the most specific such class.
 * - interaction: every entry of the interaction table that the pair matches, by substance or by
 *   class, in either order; the pair shows its worst entry (ties: the first listed, the specific
 *   before the general), so a class rule and a specific rule do not ask twice about one risk.
 *   A substance is never paired with itself (two QT-prolonging drugs, not one taken twice).
 */
import { CLASSES, INTERACTIONS, INTERACTIONS_BY_REF } from "./lookup.ts";
import { type Drug, sharedAtoms, type Unit } from "./resolve.ts";
import { type Interaction, severityRank, type Warning } from "./types.ts";
import { capitalise } from "./wording.ts";

const ORDER = new Map<Interaction, number>(INTERACTIONS.map((e, i) => [e, i]));

/** Whether `a` outranks `b`: more severe, or as severe and listed first (more specific). */
const worse = (a: Interaction, b: Interaction) =>
  (severityRank(a.severity) - severityRank(b.severity) || ORDER.get(b)! - ORDER.get(a)!) > 0;

export function duplicateWarning(
  index: number,
  item: Drug,
  other: Drug,
  where: string,
): Warning | undefined {
  const shared = sharedAtoms(item, other);
  if (shared.length) {
    const detail = item.name === other.name
      ? `${capitalise(item.name)} is also ${where}.`
      : `${capitalise(shared.join(" and "))} is in both ${item.name} and ${other.name} ${where}.`;
    return { kind: "duplicate_therapy", severity: "high", item: index, detail };
  }
  const cls = item.duplicateClasses.find((c) => other.refs.has(c));
  if (!cls) return undefined;
  return {
    kind: "duplicate_therapy",
    severity: "moderate",
    item: index,
    detail: `${capitalise(item.name)} and ${other.name} ${where} are both ${cls}.`,
    source: CLASSES.get(cls)!.source,
  };
}

interface Partner {
  entry: Interaction;
  /** The name this side matched (itself or one of its classes). */
  mine: string;
}

/**
 * For one unit, the entries it takes part in, by the name the other side must match: worked out
 * once per substance, so a pair costs one lookup per name of the other side.
 */
const partnerCache = new Map<string, Map<string, Partner[]>>();
function partnersOf(u: Unit): Map<string, Partner[]> {
  const key = `${u.atom === null ? "class" : "substance"}:${u.name}`;
  let partners = partnerCache.get(key);
  if (!partners) {
    partners = new Map();
    for (const mine of u.refs) {
      for (const entry of INTERACTIONS_BY_REF.get(mine) ?? []) {
        const theirs = entry.a === mine ? entry.b : entry.a;
        const list = partners.get(theirs) ?? [];
        list.push({ entry, mine });
        partners.set(theirs, list);
      }
    }
    partnerCache.set(key, partners);
  }
  return partners;
}

/** "trimethoprim (in co-trimoxazole)", "ibuprofen (NSAIDs)": the substance and how it matched. */
function called(u: Unit, ref: string, drug: Drug): string {
  const why = [ref !== u.name ? ref : "", drug.name !== u.name ? `in ${drug.name}` : ""]
    .filter(Boolean);
  return why.length ? `${u.name} (${why.join(", ")})` : u.name;
}

type Match = Partner & { u: Unit; v: Unit; theirs: string };

/** The worst entry between two drugs. */
function worstEntry(item: Drug, other: Drug): Match | undefined {
  let best: Match | undefined;
  for (const u of item.units) {
    for (const v of other.units) {
      if (u.atom !== null && u.atom === v.atom) continue;
      const partners = partnersOf(u);
      for (const theirs of v.refs) {
        for (const { entry, mine } of partners.get(theirs) ?? []) {
          if (!best || worse(entry, best.entry)) best = { entry, u, v, mine, theirs };
        }
      }
    }
  }
  return best;
}

/** Drugs are cached by resolveDrug, so a pair's answer is kept for as long as both are. */
const pairCache = new WeakMap<Drug, WeakMap<Drug, Match | null>>();

export function interactionWarning(
  index: number,
  item: Drug,
  other: Drug,
  where: string,
): Warning | undefined {
  let withItem = pairCache.get(item);
  if (!withItem) pairCache.set(item, withItem = new WeakMap());
  let best = withItem.get(other);
  if (best === undefined) withItem.set(other, best = worstEntry(item, other) ?? null);
  if (!best) return undefined;
  const { entry, u, v, mine, theirs } = best;
  const pair = `${capitalise(called(u, mine, item))} with ${called(v, theirs, other)}`;
  return {
    kind: "interaction",
    severity: entry.severity,
    item: index,
    detail: `${pair} ${where}: ${entry.effect}.`,
    source: entry.source,
  };
}
