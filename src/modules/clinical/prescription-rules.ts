/**
 * What a prescription item means, as numbers: doses a day, the quantity to dispense when the
 * prescriber gives none, and the frequency in words for the printed prescription.
 */
import type { Frequency } from "../../../db/schema/mod.ts";

export const ROUTES = [
  "oral",
  "sublingual",
  "iv",
  "im",
  "sc",
  "topical",
  "inhaled",
  "rectal",
  "vaginal",
  "ophthalmic",
  "otic",
  "nasal",
] as const;

/** Units counted one by one, so that a quantity follows from dose, frequency and duration. */
export const COUNTABLE_UNITS = new Set([
  "tablet",
  "capsule",
  "sachet",
  "suppository",
  "pessary",
  "patch",
  "puff",
  "drop",
  "ampoule",
  "vial",
  "lozenge",
  "dose",
]);

export function dosesPerDay(f: Frequency): number {
  if ("timesPerDay" in f) return f.timesPerDay;
  if ("everyHours" in f) return 24 / f.everyHours;
  return f.maxPerDay;
}

/**
 * The quantity to dispense for a course: dose × doses a day × days, rounded up to a whole unit.
 * Null when it cannot be computed: an uncountable unit (mg, mL: the pack is chosen at the
 * pharmacy) or an open-ended course.
 */
export function courseQuantity(
  item: { dose: number; unit: string; frequency: Frequency; durationDays?: number | null },
): number | null {
  if (!COUNTABLE_UNITS.has(item.unit) || !item.durationDays) return null;
  return Math.ceil(item.dose * dosesPerDay(item.frequency) * item.durationDays - 1e-9);
}

export function frequencyInWords(f: Frequency): string {
  if ("timesPerDay" in f) {
    return f.timesPerDay === 1
      ? "once a day"
      : f.timesPerDay === 2
      ? "twice a day"
      : `${f.timesPerDay} times a day`;
  }
  if ("everyHours" in f) return `every ${f.everyHours} hours`;
  return `as needed, at most ${f.maxPerDay} a day`;
}
