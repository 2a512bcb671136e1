/**
 * Likely duplicates of a patient being registered or edited. (Stub: filled in by the duplicates
 * work; answers no candidates until then.)
 */
import type { Db } from "../../../db/client.ts";
import type { PatientRow } from "../../../db/schema/mod.ts";

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

export function findDuplicateCandidates(
  _db: Db,
  _orgId: string,
  _who: IdentityFields,
  _opts: { excludeId?: string } = {},
): Promise<DuplicateCandidate[]> {
  return Promise.resolve([]);
}
