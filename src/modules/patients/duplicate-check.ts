/**
 * Likely duplicates of a patient being registered or edited. A candidate shares a document id
 * with `who` (score 1), or has a similar name and either the same date of birth or the same
 * phone. Every lookup is indexed (see repository.ts), so the check is cheap enough to run inside
 * the registration's write transaction, where it is race-free.
 */
import type { Db } from "../../../db/client.ts";
import type { PatientRow } from "../../../db/schema/mod.ts";
import { foldId, foldText, nameParts, phoneKey, withinOneEdit } from "../../lib/normalize.ts";
import { reversedPhone } from "./search-terms.ts";
import {
  candidatesByIds,
  namesBornOn,
  patientIdsWithTermPrefix,
  patientIdsWithTerms,
} from "./repository.ts";

/** What detection compares: the identity fields of a new or existing record. */
export interface IdentityFields {
  givenName: string;
  middleName?: string | null;
  familyName: string;
  birthDate?: string | null;
  phone?: string | null;
  otherPhones?: { number: string }[];
  nationalId?: string | null;
  identifiers?: { system: string; value: string }[];
}

export interface DuplicateCandidate {
  patient: PatientRow;
  /** 0–1: 1 is the same document id. */
  score: number;
  /** Why: "same national id", "similar name and same birth date", … */
  reasons: string[];
}

/** At most this many candidates are answered: a desk reads them, it does not page them. */
export const MAX_CANDIDATES = 10;

/** Shorter phone keys (extensions, short codes) say too little about who is calling. */
const MIN_PHONE_DIGITS = 7;

const SCORES = {
  document: 1,
  exactNameBirth: 0.9,
  exactNamePhone: 0.85,
  similarNameBirth: 0.8,
  similarNamePhone: 0.75,
} as const;

/** Folded document ids of a record: national id and every other identifier's value. */
function documentIds(p: IdentityFields): Set<string> {
  const ids = [p.nationalId, ...(p.identifiers ?? []).map((i) => i.value)].map(foldId);
  return new Set(ids.filter((id) => id.length > 0));
}

/** Phone keys (last 9 digits) of a record's phones. */
function phoneKeys(p: IdentityFields): Set<string> {
  const keys = [p.phone, ...(p.otherPhones ?? []).map((o) => o.number)].map(phoneKey);
  return new Set(keys.filter((k) => k.length >= MIN_PHONE_DIGITS));
}

/** One name field against another: the same after folding, close (a typo, a dropped part), or not. */
function nameField(a: string, b: string): "exact" | "similar" | null {
  const fa = foldText(a), fb = foldText(b);
  if (!fa || !fb) return null;
  if (fa === fb) return "exact";
  if (withinOneEdit(fa, fb)) return "similar";
  // "Mary Anne" against "Mary": one shared part of two or more letters.
  const pb = new Set(nameParts(b).filter((p) => p.length >= 2));
  return nameParts(a).some((p) => pb.has(p)) ? "similar" : null;
}

type Names = Pick<IdentityFields, "givenName" | "familyName">;

/**
 * How close two people's names are: "exact" when given and family names fold to the same text,
 * "similar" when each is within one edit or shares a part; either way also with given and
 * family names swapped, a common registration slip.
 */
export function compareNames(a: Names, b: Names): "exact" | "similar" | null {
  const pair = (ag: string, af: string) => {
    const g = nameField(ag, b.givenName), f = nameField(af, b.familyName);
    if (!g || !f) return null;
    return g === "exact" && f === "exact" ? "exact" : "similar";
  };
  const straight = pair(a.givenName, a.familyName);
  const swapped = pair(a.familyName, a.givenName);
  if (straight === "exact" || swapped === "exact") return "exact";
  return straight ?? swapped;
}

/**
 * The keys under which a record can meet its likely duplicates: document ids, phone keys and date
 * of birth. Two records that share none are never likely duplicates (see `duplicateReasons`), so
 * a batch of new records (an import) can be compared among itself through a map of these keys.
 */
export function identityKeys(p: IdentityFields): string[] {
  return [
    ...[...documentIds(p)].map((d) => `d:${d}`),
    ...[...phoneKeys(p)].map((k) => `p:${k}`),
    ...(p.birthDate ? [`b:${p.birthDate}`] : []),
  ];
}

/**
 * Why `who` and `other` are likely the same person, by the rules `findDuplicateCandidates` applies
 * to registered patients; empty when they are not. For records not registered yet (an import's
 * earlier rows), which the indexes cannot find.
 */
export function duplicateReasons(who: IdentityFields, other: IdentityFields): string[] {
  const reasons: string[] = [];
  const docs = documentIds(who);
  if ([...documentIds(other)].some((d) => docs.has(d))) reasons.push("same document id");
  const names = compareNames(who, other);
  if (names && who.birthDate && who.birthDate === other.birthDate) {
    reasons.push(
      names === "exact" ? "same name and birth date" : "similar name and same birth date",
    );
  }
  const phones = phoneKeys(who);
  if (names && [...phoneKeys(other)].some((k) => phones.has(k))) {
    reasons.push(names === "exact" ? "same name and phone" : "similar name and same phone");
  }
  return reasons;
}

/**
 * The likely duplicates of `who` in the organisation, best first, at most `MAX_CANDIDATES`.
 * Merged, deleted and `excludeId` records are never candidates.
 */
export async function findDuplicateCandidates(
  db: Db,
  orgId: string,
  who: IdentityFields,
  opts: { excludeId?: string } = {},
): Promise<DuplicateCandidate[]> {
  const found = new Map<string, { score: number; reasons: string[] }>();
  const note = (id: string, score: number, reason: string) => {
    const c = found.get(id) ?? { score: 0, reasons: [] };
    c.score = Math.max(c.score, score);
    if (!c.reasons.includes(reason)) c.reasons.push(reason);
    found.set(id, c);
  };

  // Candidate ids from the indexes; each is confirmed against its full record below, so the
  // index only has to be a superset (a phone term prefix also matches longer numbers).
  const docs = documentIds(who);
  const phones = phoneKeys(who);
  const ids = new Set(await patientIdsWithTerms(db, orgId, [...docs].map((d) => `d:${d}`)));
  for (const key of phones) {
    for (const id of await patientIdsWithTermPrefix(db, orgId, `p:${reversedPhone(key)}`)) {
      ids.add(id);
    }
  }
  if (who.birthDate) {
    for (const other of await namesBornOn(db, orgId, who.birthDate, opts.excludeId)) {
      const names = compareNames(who, other);
      if (names === "exact") note(other.id, SCORES.exactNameBirth, "same name and birth date");
      if (names === "similar") {
        note(other.id, SCORES.similarNameBirth, "similar name and same birth date");
      }
    }
  }
  ids.delete(opts.excludeId ?? "");
  const rows = new Map<string, PatientRow>();
  const fetch = [...new Set([...ids, ...found.keys()])];
  for (const row of await candidatesByIds(db, orgId, fetch, opts.excludeId)) rows.set(row.id, row);

  for (const id of ids) {
    const row = rows.get(id);
    if (!row) continue;
    if ([...documentIds(row)].some((d) => docs.has(d))) {
      note(id, SCORES.document, "same document id");
    }
    if ([...phoneKeys(row)].some((k) => phones.has(k))) {
      const names = compareNames(who, row);
      if (names === "exact") note(id, SCORES.exactNamePhone, "same name and phone");
      if (names === "similar") note(id, SCORES.similarNamePhone, "similar name and same phone");
    }
  }

  return [...found.entries()]
    .filter(([id]) => rows.has(id))
    .map(([id, c]) => ({ patient: rows.get(id)!, score: c.score, reasons: c.reasons }))
    .sort((a, b) => b.score - a.score || a.patient.id.localeCompare(b.patient.id))
    .slice(0, MAX_CANDIDATES);
}
