import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/openapi.ts";
import { isoDate } from "../patients/mod.ts";
import { nonEmptyPatch, optionalText, requiredText, rowMeta } from "../patients/mod.ts";

/** The allowed values, as the column comments of db/schema/patients.ts state them. */
export const ALLERGY_CATEGORIES = ["drug", "food", "environment", "other"] as const;
export const ALLERGY_SEVERITIES = ["mild", "moderate", "severe", "life-threatening"] as const;
export const ALLERGY_STATUSES = ["active", "inactive", "resolved"] as const;

const fields = {
  substance: requiredText(200).openapi({ example: "Penicillin" }),
  category: z.enum(ALLERGY_CATEGORIES).openapi({ example: "drug" }),
  reaction: optionalText(500).openapi({ example: "Hives and swelling of the lips" }),
  severity: z.enum(ALLERGY_SEVERITIES).openapi({ example: "severe" }),
  status: z.enum(ALLERGY_STATUSES).openapi({ example: "active" }),
  onsetDate: isoDate.nullable().optional().openapi({ example: "2015-06-01" }),
  notes: optionalText(2000),
};

export const AllergyInput = z.object({
  ...fields,
  category: fields.category.default("other"),
  status: fields.status.default("active"),
}).openapi("AllergyInput");

export const AllergyPatch = nonEmptyPatch(z.object(fields).partial()).openapi("AllergyPatch");

export const Allergy = z.object({
  id: z.string(),
  patientId: z.string(),
  substance: z.string(),
  category: z.enum(ALLERGY_CATEGORIES),
  reaction: z.string().nullable(),
  severity: z.enum(ALLERGY_SEVERITIES),
  status: z.enum(ALLERGY_STATUSES),
  onsetDate: z.string().nullable(),
  notes: z.string().nullable(),
  ...rowMeta,
}).openapi("Allergy");

export const AllergyListQuery = z.object({
  ...PageQuery,
  status: z.enum(ALLERGY_STATUSES).optional().openapi({
    param: { name: "status", in: "query" },
    description: "Only allergies with this status.",
  }),
});

/** The fields an update compares for its audit entry. */
export const ALLERGY_FIELDS = Object.keys(fields);

export type AllergyInputT = z.infer<typeof AllergyInput>;
export type AllergyPatchT = z.infer<typeof AllergyPatch>;
export type AllergyT = z.infer<typeof Allergy>;
