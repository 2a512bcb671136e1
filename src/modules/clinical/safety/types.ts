/**
 * The shapes of the prescription safety check: what it is given (the new items and what is known
 * of the patient), what it answers, and the rows of the clinical tables it reads.
 */

export type Severity = "low" | "moderate" | "high" | "critical";
export const SEVERITIES: readonly Severity[] = ["low", "moderate", "high", "critical"];
/** 0 for low up to 3 for critical: the higher, the worse. */
export const severityRank = (s: Severity) => SEVERITIES.indexOf(s);

export type WarningKind = "allergy" | "duplicate_therapy" | "interaction" | "dose";
/** Also the order warnings are answered in. */
export const WARNING_KINDS: readonly WarningKind[] = [
  "allergy",
  "duplicate_therapy",
  "interaction",
  "dose",
];

export type Frequency =
  | { timesPerDay: number }
  | { everyHours: number }
  | { asNeeded: true; maxPerDay: number };

export interface SafetyItem {
  /** As prescribed, possibly a brand with its strength ("Panadol 500 mg tablets"). */
  medication: string;
  genericName: string;
  dose: number;
  /** mg, g, mcg, mL, tablet, capsule, IU, drop, puff… */
  unit: string;
  route: string;
  frequency: Frequency;
  durationDays: number;
}

export interface SafetyAllergy {
  /** Free text typed by staff: "Penicillin", "penicillins", "Amoxil", "sulpha drugs". */
  substance: string;
  status: "active" | "inactive" | "resolved";
}

export interface SafetyPatient {
  ageYears: number | null;
  /** Recorded in the current encounter; null when not recorded. */
  weightKg: number | null;
  allergies: SafetyAllergy[];
  /** The medical history's active medication entries (free text). */
  currentMedications: { name: string }[];
  /** Items of the patient's other active prescriptions. */
  activePrescriptionItems: { genericName: string; prescriptionNumber: string }[];
}

export interface SafetyInput {
  items: SafetyItem[];
  patient: SafetyPatient;
}

export interface Warning {
  kind: WarningKind;
  severity: Severity;
  /** A sentence for the doctor: the drugs, the class, the allergy, the numbers. */
  detail: string;
  /** Index in `items` of the new item concerned (the later one for a pair of new items). */
  item?: number;
  /** The reference behind the clinical claim (table entry's source). */
  source?: string;
}

export interface SafetyResult {
  /** Ordered by kind (allergy, duplicate_therapy, interaction, dose), item, severity (worst first). */
  warnings: Warning[];
  /** Drugs named in the input that no table knows, so nothing was checked for them. */
  unchecked: string[];
}

// ---- Rows of the shipped tables -------------------------------------------------------------

/** A drug class; `parents` make the hierarchy (amoxicillin → aminopenicillins → penicillins). */
export interface DrugClass {
  /** Plural, as read in a sentence: "penicillins", "ACE inhibitors". */
  name: string;
  /** What one member is called: "a penicillin", "an ACE inhibitor". */
  member: string;
  parents?: string[];
  /** Other ways staff write the class (singular forms are derived, not listed). */
  aliases?: string[];
  /** An allergy to one member is taken as an allergy to every member. */
  allergyGroup?: boolean;
  /** Two members prescribed together are a duplicate therapy. */
  duplicate?: boolean;
  /** Where the grouping comes from (ATC group, a named list). */
  source: string;
}

/** A generic substance, or a fixed combination (`components`) of substances. */
export interface Substance {
  name: string;
  classes?: string[];
  components?: string[];
  /** Other generic spellings (INN/USAN/BAN): "acetaminophen", "cephalexin", "rifampin". */
  aliases?: string[];
}

/** A pair that interacts; `a` and `b` each name a substance or a class. */
export interface Interaction {
  a: string;
  b: string;
  severity: Severity;
  effect: string;
  source: string;
}

/** An allergy to one class that carries some risk for members of another. */
export interface CrossReactivity {
  allergy: string;
  drug: string;
  severity: Severity;
  note: string;
  source: string;
}

/** Maximum daily doses, in mg, for the routes listed. */
export interface MaxDose {
  substance: string;
  routes: string[];
  adultMgPerDay: number;
  source: string;
  /** Children (under CHILD_AGE_YEARS): mg/kg/day, and the ceiling in mg whatever the weight. */
  child?: { mgPerKgPerDay: number; maxMgPerDay: number; source: string };
}
