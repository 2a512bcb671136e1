import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/openapi.ts";
import { isoDate } from "../patients/mod.ts";
import { nonEmptyPatch, optionalText, requiredText, rowMeta } from "../patients/mod.ts";

export const HISTORY_KINDS = ["condition", "surgery", "medication", "family"] as const;
export const HISTORY_STATUSES = ["active", "resolved", "stopped", "recorded"] as const;
export type HistoryKind = typeof HISTORY_KINDS[number];
export type HistoryStatus = typeof HISTORY_STATUSES[number];

/** The statuses each kind may take; the first is the default when none is sent. */
export const STATUSES_BY_KIND: Record<HistoryKind, readonly HistoryStatus[]> = {
  condition: ["active", "resolved"],
  medication: ["active", "stopped"],
  surgery: ["recorded"],
  family: ["recorded"],
};

const fields = {
  name: requiredText(200).openapi({ example: "Type 2 diabetes mellitus" }),
  code: optionalText(20).openapi({ example: "E11" }),
  status: z.enum(HISTORY_STATUSES).openapi({
    description: "condition: active | resolved; medication: active | stopped; surgery and " +
      "family: recorded. Defaults to the first of its kind.",
  }),
  onsetDate: isoDate.nullable().optional().openapi({ example: "2019-02-01" }),
  endDate: isoDate.nullable().optional(),
  dosage: optionalText(200).openapi({ description: "Medications only: '500 mg twice daily'." }),
  relation: optionalText(50).openapi({
    description: "Family history only, and required there: 'mother', 'brother', …",
  }),
  notes: optionalText(2000),
};

export const HistoryEntryInput = z.object({
  kind: z.enum(HISTORY_KINDS).openapi({ example: "condition" }),
  ...fields,
  status: fields.status.optional(),
}).openapi("MedicalHistoryInput");

/** `kind` cannot change: remove the entry and add one of the other kind. */
export const HistoryEntryPatch = nonEmptyPatch(z.object(fields).partial())
  .openapi("MedicalHistoryPatch");

export const HistoryEntry = z.object({
  id: z.string(),
  patientId: z.string(),
  kind: z.enum(HISTORY_KINDS),
  name: z.string(),
  code: z.string().nullable(),
  status: z.enum(HISTORY_STATUSES),
  onsetDate: z.string().nullable(),
  endDate: z.string().nullable(),
  dosage: z.string().nullable(),
  relation: z.string().nullable(),
  notes: z.string().nullable(),
  ...rowMeta,
}).openapi("MedicalHistoryEntry");

export const HistoryEntryListQuery = z.object({
  ...PageQuery,
  kind: z.enum(HISTORY_KINDS).optional().openapi({ param: { name: "kind", in: "query" } }),
  status: z.enum(HISTORY_STATUSES).optional().openapi({
    param: { name: "status", in: "query" },
  }),
});

export const HISTORY_ENTRY_FIELDS = ["kind", ...Object.keys(fields)];

export type HistoryEntryInputT = z.infer<typeof HistoryEntryInput>;
export type HistoryEntryPatchT = z.infer<typeof HistoryEntryPatch>;
export type HistoryEntryT = z.infer<typeof HistoryEntry>;
