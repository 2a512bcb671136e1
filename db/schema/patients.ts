import { sql } from "drizzle-orm";
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { businessColumns } from "./columns.ts";

export interface PhoneEntry {
  number: string;
  use: "mobile" | "home" | "work" | "other";
  note?: string | null;
}
export interface IdentifierEntry {
  /** What issued it: "passport", "birth-certificate", "driving-licence", "nhif", … */
  system: string;
  value: string;
}
export interface Address {
  line?: string | null;
  city?: string | null;
  district?: string | null;
  region?: string | null;
  postalCode?: string | null;
  country?: string | null;
  /** Directions for home visits: "blue gate behind the market, ask for Mama Amani". */
  accessNotes?: string | null;
  latitude?: number | null;
  longitude?: number | null;
}
export interface EmergencyContact {
  name: string;
  relationship?: string | null;
  phone?: string | null;
}
export interface InsuranceEntry {
  provider: string;
  memberNumber: string;
  plan?: string | null;
  /** Share of costs covered, 0–100. */
  coveragePercent?: number | null;
  /** Public schemes (NHIF, …) waive some fees. */
  scheme: "private" | "public";
  validUntil?: string | null;
  primary?: boolean;
}
export interface Preferences {
  language?: string | null;
  contactMethod?: "phone" | "sms" | "email" | "none" | null;
  notes?: string | null;
}

/**
 * The master patient record. List-shaped details (phones, identifiers, contacts, insurance, tags)
 * are JSON columns: they are always read and written with the record, and what search needs from
 * them is copied into `patient_search_terms`.
 */
export const patients = sqliteTable("patients", {
  ...businessColumns(),
  mrn: text("mrn").notNull(),
  givenName: text("given_name").notNull(),
  middleName: text("middle_name"),
  familyName: text("family_name").notNull(),
  birthDate: text("birth_date"),
  birthDateEstimated: integer("birth_date_estimated", { mode: "boolean" }).notNull()
    .default(false),
  sex: text("sex").notNull().default("unknown"),
  phone: text("phone"),
  otherPhones: text("other_phones", { mode: "json" }).$type<PhoneEntry[]>().notNull()
    .default([]),
  email: text("email"),
  nationalId: text("national_id"),
  identifiers: text("identifiers", { mode: "json" }).$type<IdentifierEntry[]>().notNull()
    .default([]),
  address: text("address", { mode: "json" }).$type<Address | null>(),
  emergencyContacts: text("emergency_contacts", { mode: "json" }).$type<EmergencyContact[]>()
    .notNull().default([]),
  insurance: text("insurance", { mode: "json" }).$type<InsuranceEntry[]>().notNull().default([]),
  tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default([]),
  preferences: text("preferences", { mode: "json" }).$type<Preferences | null>(),
  /** active | inactive | deceased | moved (merged records keep theirs and set merged_into). */
  status: text("status").notNull().default("active"),
  deceasedDate: text("deceased_date"),
  /** Set by the modules that record visits; filters "last seen" in search. */
  lastVisitAt: text("last_visit_at"),
  /** The survivor this record was merged into; such a record is hidden from search and lists. */
  mergedInto: text("merged_into"),
  mergedAt: text("merged_at"),
}, (t) => [
  uniqueIndex("patients_org_mrn_uq").on(t.orgId, t.mrn),
  index("patients_org_family_idx").on(t.orgId, t.familyName, t.id),
  index("patients_org_created_idx").on(t.orgId, t.createdAt, t.id),
  index("patients_org_birth_idx").on(t.orgId, t.birthDate),
  index("patients_org_status_sex_idx").on(t.orgId, t.status, t.sex, t.birthDate),
  index("patients_merged_into_idx").on(t.mergedInto),
  // The list's "last visit" filter: a narrow window is an index range, not a scan.
  index("patients_org_last_visit_idx").on(t.orgId, t.lastVisitAt),
  // Records that statistics and lists leave out (deleted or merged): few, so counting the listed
  // ones is a covering scan of the status index minus a small scan of this one.
  index("patients_org_hidden_idx").on(t.orgId, t.status, t.sex, t.birthDate)
    .where(sql`${t.deletedAt} IS NOT NULL OR ${t.mergedInto} IS NOT NULL`),
]);

export const patientAllergies = sqliteTable("patient_allergies", {
  ...businessColumns(),
  patientId: text("patient_id").notNull().references(() => patients.id),
  substance: text("substance").notNull(),
  /** drug | food | environment | other */
  category: text("category").notNull().default("other"),
  reaction: text("reaction"),
  /** mild | moderate | severe | life-threatening */
  severity: text("severity").notNull(),
  /** active | inactive | resolved */
  status: text("status").notNull().default("active"),
  onsetDate: text("onset_date"),
  notes: text("notes"),
}, (t) => [
  index("patient_allergies_patient_idx").on(t.patientId, t.deletedAt),
  // Patients with an active allergy, for the list's hasAllergy filter: when few (or none) have
  // one, the list starts from these instead of testing every patient.
  index("patient_allergies_org_active_idx").on(t.orgId, t.patientId)
    .where(sql`${t.status} = 'active' AND ${t.deletedAt} IS NULL`),
]);

/** Chronic conditions, past surgeries, current medications and family history, one row each. */
export const patientHistoryEntries = sqliteTable("patient_history_entries", {
  ...businessColumns(),
  patientId: text("patient_id").notNull().references(() => patients.id),
  /** condition | surgery | medication | family */
  kind: text("kind").notNull(),
  name: text("name").notNull(),
  /** Optional code (ICD-10 for conditions, ATC for medications). */
  code: text("code"),
  /** condition: active | resolved; medication: active | stopped; others: recorded */
  status: text("status").notNull(),
  onsetDate: text("onset_date"),
  endDate: text("end_date"),
  /** medication: "500 mg twice daily" */
  dosage: text("dosage"),
  /** family: "mother", "brother", … */
  relation: text("relation"),
  notes: text("notes"),
}, (t) => [index("patient_history_patient_idx").on(t.patientId, t.deletedAt)]);

export const patientDocuments = sqliteTable("patient_documents", {
  ...businessColumns(),
  patientId: text("patient_id").notNull().references(() => patients.id),
  title: text("title").notNull(),
  /** id-document | referral | lab-report | imaging | consent | insurance | other */
  category: text("category").notNull().default("other"),
  fileName: text("file_name").notNull(),
  /** Detected from the content, never taken from the client. */
  mediaType: text("media_type").notNull(),
  sizeBytes: integer("size_bytes").notNull(),
  sha256: text("sha256").notNull(),
  /** Key inside the document storage; built by the server from ids only. */
  storageKey: text("storage_key").notNull(),
}, (t) => [index("patient_documents_patient_idx").on(t.patientId, t.createdAt)]);

/**
 * One merge of a duplicate into a survivor, with exactly what it moved, so that unmerge can move
 * those rows back and nothing else.
 */
export const patientMerges = sqliteTable("patient_merges", {
  ...businessColumns(),
  survivorId: text("survivor_id").notNull().references(() => patients.id),
  duplicateId: text("duplicate_id").notNull().references(() => patients.id),
  /** [{table, id}] of every row re-pointed from the duplicate to the survivor. */
  moved: text("moved", { mode: "json" }).$type<{ table: string; id: string }[]>().notNull(),
  reason: text("reason"),
  unmergedAt: text("unmerged_at"),
  unmergedBy: text("unmerged_by"),
}, (t) => [
  index("patient_merges_survivor_idx").on(t.orgId, t.survivorId),
  index("patient_merges_duplicate_idx").on(t.orgId, t.duplicateId),
]);

/**
 * The search index: one row per searchable term of a patient. Derived from `patients` (rebuilt by
 * the indexer on every write, never synced), so it carries no row conventions. Terms are
 * prefixed by kind: `n:` name part (lower case, accents removed), `p:` phone digits reversed (so
 * a suffix of the number is a prefix of the term), `m:` MRN, `d:` document id, `g:` tag (for the
 * list's tag filter, not searched by `q`).
 */
export const patientSearchTerms = sqliteTable("patient_search_terms", {
  orgId: text("org_id").notNull(),
  term: text("term").notNull(),
  patientId: text("patient_id").notNull(),
}, (t) => [primaryKey({ columns: [t.orgId, t.term, t.patientId] })]);

/**
 * Distinct name terms per organisation with how many patients carry each: the vocabulary that
 * prefix search scans and that ranks a query's words by rarity (typo keys: below).
 */
export const patientNameTerms = sqliteTable("patient_name_terms", {
  orgId: text("org_id").notNull(),
  term: text("term").notNull(),
  patients: integer("patients").notNull(),
}, (t) => [
  primaryKey({ columns: [t.orgId, t.term] }),
]);

/**
 * Typo tolerance without scanning the vocabulary: each name part is stored under itself and under
 * every string one letter shorter (its deletions). Two words are within one edit only if they
 * share such a key, so a query's candidates are point lookups of its own deletions, checked
 * exactly afterwards (the "symmetric delete" method). Derived from the vocabulary, never synced.
 */
export const patientNameVariants = sqliteTable("patient_name_variants", {
  orgId: text("org_id").notNull(),
  variant: text("variant").notNull(),
  term: text("term").notNull(),
}, (t) => [primaryKey({ columns: [t.orgId, t.variant, t.term] })]);

export type PatientRow = typeof patients.$inferSelect;
export type AllergyRow = typeof patientAllergies.$inferSelect;
export type HistoryEntryRow = typeof patientHistoryEntries.$inferSelect;
export type DocumentRow = typeof patientDocuments.$inferSelect;
