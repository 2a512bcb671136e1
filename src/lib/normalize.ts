/**
 * How names, phone numbers and document ids are compared everywhere (search, duplicate
 * detection, imports): one definition, so that what registration indexes is what search finds.
 */

/** Lower case, accents removed, only letters and digits kept: "Nyam-Bùra" → "nyambura". */
export function foldText(s: string): string {
  return s.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
}

/** The searchable parts of a name: "Mary-Anne  O'Brien" → ["mary", "anne", "obrien"]. */
export function nameParts(s: string | null | undefined): string[] {
  if (!s) return [];
  return s.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase()
    .replace(/['’`]/g, "")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** Digits only: "+254 (712) 345-678" → "254712345678". */
export const phoneDigits = (s: string | null | undefined) => (s ?? "").replace(/\D+/g, "");

/**
 * The part of a phone number that identifies the line whatever the formatting: its last 9
 * digits, so "+254 712 345 678" and "0712 345678" compare equal.
 */
export const phoneKey = (s: string | null | undefined) => {
  const d = phoneDigits(s);
  return d.length >= 9 ? d.slice(-9) : d;
};

/** Document ids and MRNs compare without case, spaces or punctuation: "ak-001 234" → "AK001234". */
export const foldId = (s: string | null | undefined) =>
  (s ?? "").normalize("NFKD").toUpperCase().replace(/[^\p{L}\p{N}]+/gu, "");

/**
 * True when `a` and `b` differ by at most one edit: one letter inserted, deleted or replaced,
 * or two neighbouring letters swapped (optimal string alignment distance ≤ 1).
 */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length, lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // replaced
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swapped
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
