/**
 * The clinical record of a visit: vital signs as observations, and consultation notes with
 * their diagnoses. Prescriptions come with their own issue.
 */
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { businessColumns } from "./columns.ts";
import { users } from "./identity.ts";
import { patients } from "./patients.ts";
import { encounters } from "./scheduling.ts";

/** One measurement, in its stored unit (UCUM), with the value and unit as entered. */
export const vitalObservations = sqliteTable("vital_observations", {
  ...businessColumns(),
  encounterId: text("encounter_id").notNull().references(() => encounters.id),
  patientId: text("patient_id").notNull().references(() => patients.id),
  /** bp-systolic | bp-diastolic | pulse | temperature | resp-rate | spo2 | weight | height |
   * head-circumference | glucose | pain | bmi (derived) */
  code: text("code").notNull(),
  value: real("value").notNull(),
  unit: text("unit").notNull(),
  enteredValue: real("entered_value"),
  enteredUnit: text("entered_unit"),
  /** critical_low | low | normal | high | critical_high */
  flag: text("flag").notNull(),
  /** Computed from other observations (BMI), not measured. */
  derived: integer("derived", { mode: "boolean" }).notNull().default(false),
  recordedAt: text("recorded_at").notNull(),
}, (t) => [
  index("vital_observations_patient_idx").on(t.patientId, t.code, t.recordedAt),
  index("vital_observations_encounter_idx").on(t.encounterId),
]);

export interface NoteDiagnosis {
  code: string;
  title: string;
  rank: "primary" | "secondary";
  certainty: "provisional" | "confirmed";
}

/**
 * A consultation note: draft (its author edits it), signed (locked), amended (a later version
 * with a reason; every version stays readable in row_versions).
 */
export const clinicalNotes = sqliteTable("clinical_notes", {
  ...businessColumns(),
  encounterId: text("encounter_id").notNull().references(() => encounters.id),
  patientId: text("patient_id").notNull().references(() => patients.id),
  authorId: text("author_id").notNull().references(() => users.id),
  /** draft | signed | amended */
  status: text("status").notNull(),
  reason: text("reason"),
  history: text("history"),
  symptoms: text("symptoms", { mode: "json" }).$type<string[]>().notNull(),
  examination: text("examination"),
  assessment: text("assessment"),
  plan: text("plan"),
  followUpDate: text("follow_up_date"),
  diagnoses: text("diagnoses", { mode: "json" }).$type<NoteDiagnosis[]>().notNull(),
  /** Fields of the organisation's practice systems, by system (ayurvedic: dosha assessment…). */
  practice: text("practice", { mode: "json" }).$type<Record<string, Record<string, unknown>>>(),
  /** The template the draft started from (its content was copied, not linked). */
  templateId: text("template_id"),
  signedAt: text("signed_at"),
  signedBy: text("signed_by"),
  amendmentReason: text("amendment_reason"),
}, (t) => [
  index("clinical_notes_encounter_idx").on(t.encounterId),
  index("clinical_notes_patient_idx").on(t.patientId, t.createdAt),
]);

export type Frequency =
  | { timesPerDay: number }
  | { everyHours: number }
  | { asNeeded: true; maxPerDay: number };

export interface Acknowledgement {
  kind: "allergy" | "duplicate_therapy" | "interaction" | "dose";
  reason: string;
  /** The warnings of that kind the prescriber saw and acknowledged. */
  warnings: { severity: string; detail: string }[];
}

/**
 * A prescription, numbered RX-YYYYMM-NNNN per organisation (RX-K2-YYYYMM-NNNN at a clinic
 * replica). `expired` is never stored: it is read from `valid_until` and the clinic's date.
 */
export const prescriptions = sqliteTable("prescriptions", {
  ...businessColumns(),
  number: text("number").notNull(),
  encounterId: text("encounter_id").notNull().references(() => encounters.id),
  patientId: text("patient_id").notNull().references(() => patients.id),
  prescriberId: text("prescriber_id").notNull().references(() => users.id),
  /** active | partially_dispensed | dispensed | cancelled */
  status: text("status").notNull(),
  issuedOn: text("issued_on").notNull(),
  validUntil: text("valid_until").notNull(),
  notes: text("notes"),
  acknowledgements: text("acknowledgements", { mode: "json" }).$type<Acknowledgement[]>()
    .notNull(),
  cancelledAt: text("cancelled_at"),
  cancelReason: text("cancel_reason"),
}, (t) => [
  uniqueIndex("prescriptions_org_number_uq").on(t.orgId, t.number),
  index("prescriptions_patient_idx").on(t.patientId, t.status),
  index("prescriptions_encounter_idx").on(t.encounterId),
  // The pharmacy's queue: what is still to dispense, newest first.
  index("prescriptions_org_status_idx").on(t.orgId, t.status, t.createdAt),
]);

export const prescriptionItems = sqliteTable("prescription_items", {
  ...businessColumns(),
  prescriptionId: text("prescription_id").notNull().references(() => prescriptions.id),
  position: integer("position").notNull(),
  medication: text("medication").notNull(),
  genericName: text("generic_name").notNull(),
  /** The catalogue medication prescribed, when the prescriber picked one (pharmacy issue on). */
  medicationId: text("medication_id"),
  dose: real("dose").notNull(),
  unit: text("unit").notNull(),
  /** oral | sublingual | iv | im | sc | topical | inhaled | rectal | vaginal | ophthalmic | otic | nasal */
  route: text("route").notNull(),
  frequency: text("frequency", { mode: "json" }).$type<Frequency>().notNull(),
  durationDays: integer("duration_days"),
  quantity: real("quantity").notNull(),
  instructions: text("instructions"),
  /** Fields of the practice system the medicine belongs to (homeopathic: potency…). */
  practice: text("practice", { mode: "json" }).$type<Record<string, Record<string, unknown>>>(),
}, (t) => [index("prescription_items_prescription_idx").on(t.prescriptionId, t.position)]);

/**
 * A consultation or prescription template of the organisation, or of one doctor. Applying one
 * copies its content into a draft: editing the template later changes no note made from it.
 */
export const clinicalTemplates = sqliteTable("clinical_templates", {
  ...businessColumns(),
  /** note | prescription */
  kind: text("kind").notNull(),
  name: text("name").notNull(),
  /** Null: the whole organisation's; else one doctor's own. */
  ownerId: text("owner_id").references(() => users.id),
  /** Note fields, or prescription items, as the write routes take them. */
  content: text("content", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
}, (t) => [index("clinical_templates_org_kind_idx").on(t.orgId, t.kind, t.ownerId)]);
