import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/openapi.ts";

export const SEXES = ["female", "male", "other", "unknown"] as const;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date as YYYY-MM-DD")
  .refine(
    (s) => !Number.isNaN(Date.parse(s)) && new Date(s).toISOString().startsWith(s),
    "not a real date",
  );

const name = z.string().trim().min(1, "must not be empty").max(100);

export const PatientInput = z.object({
  givenName: name.openapi({ example: "Wanjiku" }),
  familyName: name.openapi({ example: "Kamau" }),
  birthDate: isoDate.nullable().optional().openapi({ example: "1987-04-12" }),
  sex: z.enum(SEXES).default("unknown").openapi({ example: "female" }),
  phone: z.string().trim().regex(/^\+?[0-9 ()-]{5,25}$/, "must be a phone number")
    .nullable().optional().openapi({ example: "+254 712 345 678" }),
  email: z.string().trim().toLowerCase().email().max(254).nullable().optional()
    .openapi({ example: "wanjiku@example.com" }),
  nationalId: z.string().trim().min(1).max(50).nullable().optional()
    .openapi({ example: "29384756" }),
}).openapi("PatientInput");

export const PatientPatch = PatientInput.partial().extend({
  sex: z.enum(SEXES).optional(),
}).refine((o) => Object.keys(o).length > 0, "send at least one field").openapi("PatientPatch");

export const Patient = z.object({
  id: z.string(),
  mrn: z.string().openapi({ example: "MRN000042" }),
  givenName: z.string(),
  familyName: z.string(),
  birthDate: z.string().nullable(),
  sex: z.enum(SEXES),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  nationalId: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("Patient");

export const SORTS = ["createdAt", "-createdAt", "familyName", "-familyName"] as const;

export const PatientListQuery = z.object({
  ...PageQuery,
  q: z.string().trim().min(1).max(100).optional().openapi({
    description: "Start of a given or family name, or an exact MRN.",
  }),
  sex: z.enum(SEXES).optional(),
  sort: z.enum(SORTS).default("-createdAt"),
});

export type PatientInputT = z.infer<typeof PatientInput>;
export type PatientPatchT = z.infer<typeof PatientPatch>;
export type PatientT = z.infer<typeof Patient>;
