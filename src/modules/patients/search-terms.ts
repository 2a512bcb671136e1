/**
 * What the search index stores for one patient: the terms that find it. One definition, used by
 * the row hook, the bulk rebuild and the bench seed, so every path indexes the same way.
 */
import type { PatientRow } from "../../../db/schema/mod.ts";
import { foldId, nameParts, phoneDigits } from "../../lib/normalize.ts";

/** Phone digits as stored: reversed, so a number's suffix is a prefix of the term. */
export const reversedPhone = (digits: string) => [...digits].reverse().join("");

/** The fields the index is computed from: a write that changes none of them leaves it as it is. */
export const INDEXED_FIELDS = [
  "givenName",
  "middleName",
  "familyName",
  "phone",
  "otherPhones",
  "mrn",
  "nationalId",
  "identifiers",
  "tags",
  "mergedInto",
  "deletedAt",
] as const satisfies readonly (keyof PatientRow)[];

type Indexed = Pick<PatientRow, typeof INDEXED_FIELDS[number]>;
/** Whether a record may show in lists and search at all. */
export const isListed = (p: Pick<PatientRow, "mergedInto" | "deletedAt">) =>
  !p.mergedInto && !p.deletedAt;

/** The distinct name parts of a patient (given, middle, family). */
export function patientNameParts(p: Pick<PatientRow, "givenName" | "middleName" | "familyName">) {
  return [
    ...new Set([...partsOf(p.givenName), ...partsOf(p.middleName), ...partsOf(p.familyName)]),
  ];
}

/** `nameParts`, with a fast path for the plain one-word names most records carry. */
const partsOf = (s: string | null) => s && /^[A-Za-z]+$/.test(s) ? [s.toLowerCase()] : nameParts(s);

/**
 * Every search term of a patient; empty for a merged or deleted record. `absorbedMrns` are the
 * MRNs of records merged into this one, so an old number still finds the survivor.
 */
export function termsOf(p: Indexed, absorbedMrns: string[] = []): Set<string> {
  const out = new Set<string>();
  if (!isListed(p)) return out;
  const parts = patientNameParts(p);
  for (const part of parts) out.add(`n:${part}`);
  // Every pair of name parts as one term: "Mary Kamau" is then one short index range, not the
  // intersection of 30,000 Marys with 170,000 Kamaus.
  const paired = parts.slice(0, 4);
  for (let i = 0; i < paired.length; i++) {
    for (let j = i + 1; j < paired.length; j++) out.add(pairTerm(paired[i], paired[j]));
  }
  const phones = [p.phone, ...(p.otherPhones ?? []).map((x) => x.number)];
  for (const phone of phones) {
    const d = phoneDigits(phone);
    if (d) out.add(`p:${reversedPhone(d)}`);
  }
  for (const mrn of [p.mrn, ...absorbedMrns]) {
    const m = foldId(mrn);
    if (m) out.add(`m:${m}`);
  }
  for (const v of [p.nationalId, ...(p.identifiers ?? []).map((x) => x.value)]) {
    const d = foldId(v);
    if (d) out.add(`d:${d}`);
  }
  // Not searched by `q`: the tag filter's index, so a rare tag is a short range, not a scan.
  for (const tag of p.tags ?? []) out.add(tagTerm(tag));
  return out;
}

/** The index term of a tag, exactly as written: `g:diabetic`. */
export const tagTerm = (tag: string) => `g:${tag}`;

/** The index term of two name parts, in either order: `q:kamau mary`. */
export const pairTerm = (a: string, b: string) => (a < b ? `q:${a} ${b}` : `q:${b} ${a}`);

/** The name parts among a term set (the vocabulary counts them). */
export const nameTermsIn = (terms: Iterable<string>) =>
  [...terms].filter((t) => t.startsWith("n:")).map((t) => t.slice(2));

/**
 * The keys a name part is found under for typo matching: itself and each string one letter
 * shorter. Two words within one edit (insert, delete, replace, swap) always share a key.
 */
export function typoKeys(term: string): string[] {
  const keys = new Set([term]);
  if (term.length >= 2) {
    for (let i = 0; i < term.length; i++) keys.add(term.slice(0, i) + term.slice(i + 1));
  }
  return [...keys];
}

/** Upper bound for "starts with" ranges: the highest code point sorts after every suffix. */
export const rangeEnd = (prefix: string) => `${prefix}\u{10FFFF}`;
