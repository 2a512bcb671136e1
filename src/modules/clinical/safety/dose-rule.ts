/**
 * Dose rule, per item: the daily dose (dose × doses a day; every N hours counts the doses that fit
 * in 24 hours, rounded up; as needed counts the maximum allowed) in mg, against dose-table.ts.
 * - Children are under CHILD_AGE_YEARS. A child's item with no weight recorded → "weight needed"
 *   (moderate), for every drug, known or not, since no child dose can be judged without it.
 *   With a weight, the child's mg/kg/day limit (capped by its ceiling) where the table has one.
 * - Otherwise (adults, unknown age, children with no mg/kg entry) the adult maximum; a child's
 *   dose above the adult maximum always warns.
 * Over a limit → high. Only oral doses are checked; a dose that does not convert to mg
 * (units.ts) or a drug with no entry is not checked.
 */
import { foldText } from "../../../lib/normalize.ts";
import { MAX_DOSE_BY_SUBSTANCE } from "./lookup.ts";
import type { Drug } from "./resolve.ts";
import type { Frequency, SafetyItem, SafetyPatient, Warning } from "./types.ts";
import { doseMg } from "./units.ts";
import { capitalise, frequencyText, mgText } from "./wording.ts";

export const CHILD_AGE_YEARS = 16;

const ORAL_ROUTES = new Set(["oral", "orally", "po", "bymouth", "peros", "mouth"]);
const routeCache = new Map<string, string>();
/** "PO", "by mouth", "Oral" → "oral"; other routes folded ("IV" → "iv"). */
function routeOf(text: string): string {
  let route = routeCache.get(text);
  if (route === undefined) {
    if (routeCache.size >= 1000) routeCache.clear();
    const folded = foldText(text);
    routeCache.set(text, route = ORAL_ROUTES.has(folded) ? "oral" : folded);
  }
  return route;
}

/** How many doses one day can hold; null when the frequency makes no sense. */
export function dosesPerDay(f: Frequency): number | null {
  const n = "timesPerDay" in f
    ? f.timesPerDay
    : "everyHours" in f
    ? (f.everyHours > 0 ? Math.ceil(24 / f.everyHours - 1e-9) : NaN)
    : f.maxPerDay;
  return Number.isFinite(n) && n > 0 ? n : null;
}

export function doseWarnings(
  index: number,
  item: SafetyItem,
  drug: Drug,
  patient: SafetyPatient,
): Warning[] {
  const out: Warning[] = [];
  const child = patient.ageYears !== null && patient.ageYears < CHILD_AGE_YEARS;
  const weight = patient.weightKg !== null && patient.weightKg > 0 ? patient.weightKg : null;
  const name = capitalise(drug.name);
  if (child && weight === null) {
    out.push({
      kind: "dose",
      severity: "moderate",
      item: index,
      detail: `Weight needed: ${drug.name} is prescribed for a child of ${patient.ageYears} ` +
        `years with no weight recorded in this encounter, so the dose cannot be checked per kg.`,
    });
  }
  if (drug.units.length !== 1 || drug.units[0].atom === null) return out;
  const limits = MAX_DOSE_BY_SUBSTANCE.get(drug.units[0].atom);
  const perDay = dosesPerDay(item.frequency);
  const mg = doseMg(item.dose, item.unit, item.medication);
  if (!limits || perDay === null || mg === null) return out;
  if (!limits.routes.includes(routeOf(item.route))) return out;
  const daily = mg * perDay;
  const given = `${name} ${mgText(mg)} ${frequencyText(item.frequency)} is ${mgText(daily)} a day`;
  if (child && weight !== null && limits.child) {
    const { mgPerKgPerDay, maxMgPerDay, source } = limits.child;
    const limit = Math.min(mgPerKgPerDay * weight, maxMgPerDay);
    if (daily > limit + 1e-9) {
      const perKg = Number((daily / weight).toPrecision(3));
      out.push({
        kind: "dose",
        severity: "high",
        item: index,
        detail: `${given} (${perKg} mg/kg/day for ${weight} kg), above the child maximum of ` +
          `${mgPerKgPerDay} mg/kg/day up to ${mgText(maxMgPerDay)} (${mgText(limit)} a day).`,
        source,
      });
    }
    return out;
  }
  if (daily > limits.adultMgPerDay + 1e-9) {
    out.push({
      kind: "dose",
      severity: "high",
      item: index,
      detail: `${given}, above the adult maximum of ${mgText(limits.adultMgPerDay)} a day.`,
      source: limits.source,
    });
  }
  return out;
}
