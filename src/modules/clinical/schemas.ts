import { z } from "@hono/zod-openapi";
import { isoDate } from "../patients/mod.ts";
import { VITAL_CODES } from "./vital-rules.ts";
import { NotePracticeInput } from "./practice.ts";

const FLAGS = ["critical_low", "low", "normal", "high", "critical_high"] as const;
const Text = (max: number) => z.string().trim().max(max).nullable().optional();

export const VitalsInput = z.object({
  observations: z.array(z.object({
    code: z.enum(VITAL_CODES),
    value: z.number().finite(),
    unit: z.string().min(1).max(20).openapi({
      description: "UCUM: mm[Hg], /min, Cel or [degF], %, kg or [lb_av], cm or [in_i], " +
        "mmol/L or mg/dL, {score}",
      example: "mm[Hg]",
    }),
  })).min(1).max(20),
}).openapi("VitalsInput");

export const Observation = z.object({
  id: z.string(),
  encounterId: z.string(),
  patientId: z.string(),
  code: z.string(),
  value: z.number(),
  unit: z.string(),
  enteredValue: z.number().nullable(),
  enteredUnit: z.string().nullable(),
  flag: z.enum(FLAGS),
  derived: z.boolean(),
  recordedAt: z.string(),
  recordedBy: z.string().nullable(),
  version: z.number().int(),
}).openapi("Observation");

export const VitalsResult = z.object({
  encounterId: z.string(),
  observations: z.array(Observation),
}).openapi("VitalsResult");

export const VitalsList = z.object({ data: z.array(Observation) }).openapi("VitalsList");

export const PatientVitalsQuery = z.object({
  code: z.enum([...VITAL_CODES, "bmi"]).optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});

const DiagnosisInput = z.object({
  code: z.string().trim().min(3).max(10).openapi({ example: "J18.9" }),
  rank: z.enum(["primary", "secondary"]).default("secondary"),
  certainty: z.enum(["provisional", "confirmed"]).default("provisional"),
});

const NoteFields = {
  reasonForVisit: Text(1000).openapi({ example: "Fever and cough for three days" }),
  history: Text(20_000),
  symptoms: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
  examination: Text(20_000),
  assessment: Text(20_000),
  plan: Text(20_000),
  followUpDate: isoDate.nullable().optional(),
  diagnoses: z.array(DiagnosisInput).max(20).optional(),
  practice: NotePracticeInput,
};

export const NoteInput = z.object(NoteFields).openapi("NoteInput");
export const NotePatch = z.object(NoteFields)
  .refine((o) => Object.keys(o).length > 0, "send at least one field").openapi("NotePatch");
export const AmendInput = z.object({
  reason: z.string().trim().min(3).max(1000).openapi({
    description: "Why the signed note changes",
  }),
  ...NoteFields,
}).openapi("AmendInput");

export const Note = z.object({
  id: z.string(),
  encounterId: z.string(),
  patientId: z.string(),
  authorId: z.string(),
  status: z.enum(["draft", "signed", "amended"]),
  reasonForVisit: z.string().nullable(),
  history: z.string().nullable(),
  symptoms: z.array(z.string()),
  examination: z.string().nullable(),
  assessment: z.string().nullable(),
  plan: z.string().nullable(),
  followUpDate: z.string().nullable(),
  diagnoses: z.array(z.object({
    code: z.string(),
    title: z.string(),
    rank: z.enum(["primary", "secondary"]),
    certainty: z.enum(["provisional", "confirmed"]),
  })),
  practice: z.record(z.string(), z.record(z.string(), z.any())).nullable(),
  templateId: z.string().nullable(),
  signedAt: z.string().nullable(),
  signedBy: z.string().nullable(),
  amendmentReason: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
}).openapi("Note");

export const NoteList = z.object({ data: z.array(Note) }).openapi("NoteList");

export const NoteVersion = z.object({
  version: z.number().int(),
  operation: z.string(),
  changedAt: z.string(),
  changedBy: z.string().nullable(),
  fields: z.array(z.string()),
  note: Note,
}).openapi("NoteVersion");

export const NoteVersions = z.object({ data: z.array(NoteVersion) }).openapi("NoteVersions");

export const EncounterParam = z.object({
  id: z.string().uuid().openapi({ param: { name: "id", in: "path" } }),
});
