/**
 * How the values of a prescription are worded on paper. Absent values print as an en dash, so
 * an empty cell reads as "not given" rather than as a layout fault.
 */

export const NONE = "–";

/** Trims binary noise (0.30000000000000004) without rounding a real dose: up to 4 decimals. */
export function formatNumber(n: number): string {
  return String(Number(n.toFixed(4)));
}

export function formatDose(dose: number, unit: string): string {
  return `${formatNumber(dose)} ${unit}`.trim();
}

export function formatDuration(days: number | null): string {
  if (days === null) return NONE;
  return `${formatNumber(days)} ${days === 1 ? "day" : "days"}`;
}

export function formatQuantity(quantity: number | null, unit?: string | null): string {
  if (quantity === null) return NONE;
  return `${formatNumber(quantity)} ${unit ?? ""}`.trim();
}

/** "Amoxicillin (amoxicillin)" says nothing twice: the generic name only when it differs. */
export function genericSuffix(medication: string, genericName: string): string | null {
  const same = medication.trim().toLowerCase() === genericName.trim().toLowerCase();
  return same || !genericName.trim() ? null : `(${genericName.trim()})`;
}

/** "Female" for "female" or "F"; anything else as recorded. */
export function formatSex(sex: string | null | undefined): string {
  if (!sex) return NONE;
  const known: Record<string, string> = { f: "Female", m: "Male", female: "Female", male: "Male" };
  return known[sex.trim().toLowerCase()] ?? sex;
}

/**
 * Date of birth with the age on the day of issue: years from 2, months under 2 years, days
 * under a month, since children's doses follow age. Dates are YYYY-MM-DD (clinic-local).
 */
export function formatBirth(birthDate: string | null | undefined, on: string): string {
  if (!birthDate) return NONE;
  const b = parseDate(birthDate);
  const d = parseDate(on);
  // YYYY-MM-DD strings compare as dates; a birth after the issue day gets no age.
  if (!b || !d || on < birthDate) return birthDate;
  let months = (d.year - b.year) * 12 + (d.month - b.month);
  if (d.day < b.day) months--;
  if (months >= 24) return `${birthDate} (${Math.floor(months / 12)} y)`;
  if (months >= 1) return `${birthDate} (${months} mo)`;
  const days = (Date.UTC(d.year, d.month - 1, d.day) - Date.UTC(b.year, b.month - 1, b.day)) /
    864e5;
  return `${birthDate} (${days} d)`;
}

function parseDate(s: string) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : null;
}

export function formatWeight(kg: number | null | undefined): string {
  return kg === null || kg === undefined ? NONE : `${formatNumber(kg)} kg`;
}
