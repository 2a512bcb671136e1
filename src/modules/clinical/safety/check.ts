/**
 * # Prescription safety check
 *
 * `checkPrescription({ items, patient })` answers the warnings a doctor must acknowledge (with a
 * reason) before a prescription is created, and the drugs it could not check. Pure: no database,
 * no clock, the same answer for the same input (its caches of resolved names, doses and pairs only
 * save time); the tables are TypeScript modules in this folder, each clinical claim with its
 * source, and the rules read only the tables: no drug is named in the logic.
 *
 * ```ts
 * const { warnings, unchecked } = checkPrescription({ items, patient });
 * // warnings: [{ kind: "allergy", severity: "high", item: 0, detail: "Amoxicillin is a penicillin…" }]
 * ```
 *
 * **Names.** Generic names, brand names (brand-table.ts), other spellings and class names typed by
 * staff are folded (case, accents, ph/f, y/i, ae/oe, plural, strengths, forms, salts) and
 * resolved to substances, combinations (their single substances) or classes (resolve.ts). A new
 * item is resolved from its generic name, else from its medication name.
 *
 * **Rules:**
 * - allergy (allergy-rule.ts): each active allergy against each item: same substance critical;
 *   a member of the allergy's class, or of the allergy group of the substance reacted to, high
 *   (an amoxicillin or "penicillin" allergy covers every penicillin); documented
 *   cross-reactivity at its own severity (penicillins → cephalosporins moderate, → carbapenems
 *   low: cross-reactivity-table.ts, after the 2022 drug allergy practice parameter and the BNF).
 * - duplicate therapy (pair-rules.ts): the same substance high, two members of a class marked
 *   `duplicate` moderate, among the new items and between a new item and the active
 *   prescriptions or current medications.
 * - interaction (pair-rules.ts): the same pairs against the interaction tables (BNF Appendix 1,
 *   Stockley's, FDA labels, WHO, FSRH and MHRA, cited per entry), matched by substance or class
 *   in either order; a pair shows its worst entry.
 * - dose (dose-rule.ts): the oral daily dose in mg (dose × doses a day, or × the as-needed
 *   maximum) above the adult maximum → high; a child (under 16) with no weight recorded →
 *   "weight needed" (moderate), with a weight → above the mg/kg/day limit where the table has one.
 *   Tablets, capsules and mL convert only when the medication names its strength; doses that do
 *   not convert, other routes, fixed combinations and drugs without an entry are not dose-checked.
 *
 * **Tables.** class-table.ts (WHO ATC groups; QT-prolonging drugs from CredibleMeds; CYP3A4 and
 * enzyme-inducer groups from the FDA and FSRH lists), substance-table.ts, brand-table.ts,
 * interactions-infection.ts and interactions-general.ts, cross-reactivity-table.ts, dose-table.ts
 * (BNF, FDA labels, WHO TB, malaria and HIV guidelines, MHRA/EMA). tests/prescription_safety.test.ts
 * checks that every name they mention exists and every claim has a source.
 *
 * **Not checked.** A drug no table knows gives no warning; its name is listed in `unchecked`
 * (new items, active prescriptions and current medications alike), so the screen can say so. An
 * allergy no table knows (latex, foods) matches nothing and is not listed.
 *
 * **Order.** By kind (allergy, duplicate_therapy, interaction, dose), then item, then severity
 * (worst first). A warning on a pair of new items is reported on the later one.
 */
import { foldText } from "../../../lib/normalize.ts";
import { type Allergy, allergyOf, allergyWarnings } from "./allergy-rule.ts";
import { doseWarnings } from "./dose-rule.ts";
import { duplicateWarning, interactionWarning } from "./pair-rules.ts";
import { type Drug, resolveDrug } from "./resolve.ts";
import {
  type SafetyInput,
  type SafetyResult,
  severityRank,
  type Warning,
  WARNING_KINDS,
} from "./types.ts";

export type * from "./types.ts";

interface Existing {
  drug: Drug;
  where: string;
}

export function checkPrescription(input: SafetyInput): SafetyResult {
  const { items, patient } = input;
  const unchecked: string[] = [];
  const listed = new Set<string>();
  const notChecked = (names: string[]) => {
    for (const n of names) {
      const key = foldText(n);
      if (!key || listed.has(key)) continue;
      listed.add(key);
      unchecked.push(n);
    }
  };

  const drugs = items.map((item) => {
    const generic = resolveDrug(item.genericName || item.medication);
    const drug = generic.units.length ? generic : resolveDrug(item.medication);
    notChecked(drug.units.length ? drug.unknown : [item.genericName || item.medication]);
    return drug;
  });

  const existing: Existing[] = [];
  const seen = new Set<string>();
  const addExisting = (drug: Drug, where: string) => {
    notChecked(drug.unknown);
    const key = drug.units.map((u) => u.name).sort().join("+");
    if (!drug.units.length || seen.has(key)) return;
    seen.add(key);
    existing.push({ drug, where });
  };
  for (const rx of patient.activePrescriptionItems) {
    addExisting(resolveDrug(rx.genericName), `on active prescription ${rx.prescriptionNumber}`);
  }
  for (const med of patient.currentMedications) {
    addExisting(resolveDrug(med.name), `among current medications ("${med.name}")`);
  }

  const allergies: Allergy[] = [];
  for (const a of patient.allergies) {
    if (a.status !== "active") continue;
    const drug = resolveDrug(a.substance);
    if (drug.units.length) allergies.push(allergyOf(a.substance, drug));
  }

  const warnings: Warning[] = [];
  const push = (w: Warning | undefined) => w && warnings.push(w);
  const pair = (i: number, other: Drug, where: string) => {
    if (!other.units.length) return;
    push(duplicateWarning(i, drugs[i], other, where));
    push(interactionWarning(i, drugs[i], other, where));
  };
  drugs.forEach((drug, i) => {
    if (drug.units.length) {
      warnings.push(...allergyWarnings(i, drug, allergies));
      for (let j = 0; j < i; j++) pair(i, drugs[j], "in this prescription");
      for (const other of existing) pair(i, other.drug, other.where);
    }
    warnings.push(...doseWarnings(i, items[i], drug, patient));
  });

  const kind = (w: Warning) => WARNING_KINDS.indexOf(w.kind);
  warnings.sort((a, b) =>
    kind(a) - kind(b) || (a.item ?? Infinity) - (b.item ?? Infinity) ||
    severityRank(b.severity) - severityRank(a.severity)
  );
  return { warnings, unchecked };
}
