/**
 * Allergy rule: a new item against each active allergy, through the class hierarchy.
 * - the same substance (also inside a combination) → critical;
 * - a member of the allergy's class ("Penicillin" → penicillins, "beta-lactam" → beta-lactams),
 *   or of the allergy group of the substance the patient reacted to (an amoxicillin allergy
 *   covers every penicillin, an ibuprofen allergy every NSAID) → high;
 * - a class with documented cross-reactivity (penicillins → cephalosporins) → that entry's
 *   severity (cross-reactivity-table.ts).
 * One warning per item and allergy, the strongest. Inactive and resolved allergies are ignored;
 * an allergy no table knows (latex, peanuts) matches nothing.
 */
import { classClosure, classDepth, CLASSES, CROSS_REACTIVITY_BY_ALLERGY } from "./lookup.ts";
import type { Drug } from "./resolve.ts";
import { type CrossReactivity, type Severity, severityRank, type Warning } from "./types.ts";
import { capitalise, memberOf } from "./wording.ts";

/** An active allergy, with what it covers worked out once per check rather than per item. */
export interface Allergy {
  text: string;
  drug: Drug;
  /** Classes it covers, the most specific first. */
  covered: string[];
  /** Cross-reactivity entries from any covered class or a class above one. */
  cross: CrossReactivity[];
}

const classSource = (cls: string) => CLASSES.get(cls)?.source;

/** The classes an allergy covers: named classes with their allergy groups, a substance's groups. */
function coveredClasses(drug: Drug): string[] {
  const out = new Set<string>();
  for (const u of drug.units) {
    if (u.atom === null) {
      // "aminopenicillin allergy" covers the penicillins, "beta-lactams" stays beta-lactams
      out.add(u.name);
      for (const c of u.refs) if (CLASSES.get(c)?.allergyGroup) out.add(c);
    } else {
      for (const c of u.refs) if (CLASSES.get(c)?.allergyGroup) out.add(c);
    }
  }
  return [...out].sort((a, b) => classDepth(b) - classDepth(a));
}

const prepared = new WeakMap<Drug, Pick<Allergy, "covered" | "cross">>();

export function allergyOf(text: string, drug: Drug): Allergy {
  let known = prepared.get(drug);
  if (!known) {
    const covered = coveredClasses(drug);
    const above = new Set(covered.flatMap((c) => [...classClosure(c)]));
    const cross = [...above].flatMap((c) => CROSS_REACTIVITY_BY_ALLERGY.get(c) ?? []);
    prepared.set(drug, known = { covered, cross });
  }
  return { text, drug, ...known };
}

export function allergyWarnings(
  index: number,
  item: Drug,
  allergies: readonly Allergy[],
): Warning[] {
  const out: Warning[] = [];
  for (const allergy of allergies) {
    const { covered, cross: crossing } = allergy;
    const allergenAtoms = allergy.drug.atoms;
    const said = `the patient has an active allergy to "${allergy.text}"`;
    let best: Warning | undefined;
    const warn = (severity: Severity, detail: string, source?: string): Warning => ({
      kind: "allergy",
      severity,
      detail,
      item: index,
      ...(source ? { source } : {}),
    });
    const offer = (w: Warning) => {
      if (!best || severityRank(w.severity) > severityRank(best.severity)) best = w;
    };
    for (const unit of item.units) {
      const drug = capitalise(unit.name);
      if (unit.atom && allergenAtoms.has(unit.atom)) {
        const inside = unit.atom !== item.name ? ` (in ${item.name})` : "";
        const allergen = `${allergy.drug.name}, the same substance`;
        offer(warn("critical", `${drug}${inside}: ${said} (${allergen}).`));
        continue;
      }
      const cls = covered.find((c) => unit.refs.has(c));
      if (cls) {
        const member = memberOf(cls);
        const allergen = allergenAtoms.size
          ? `${allergy.drug.name}, also ${member}`
          : allergy.drug.name;
        offer(warn("high", `${drug} is ${member}, and ${said} (${allergen}).`, classSource(cls)));
        continue;
      }
      for (const cross of crossing) {
        if (!unit.refs.has(cross.drug)) continue;
        const why = `${said} (${cross.allergy}): ${cross.note}`;
        offer(
          warn(cross.severity, `${drug} is ${memberOf(cross.drug)}, and ${why}.`, cross.source),
        );
      }
    }
    if (best) out.push(best);
  }
  return out;
}
