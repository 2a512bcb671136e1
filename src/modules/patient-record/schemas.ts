import { z } from "@hono/zod-openapi";
import { Allergy } from "../allergies/mod.ts";
import { HistoryEntry } from "../medical-history/mod.ts";
import { RecentDocument } from "../patient-documents/mod.ts";
import { Patient } from "../patients/mod.ts";

export const PatientSummary = z.object({
  patient: Patient,
  allergies: z.array(Allergy).optional().openapi({ description: "Active allergies." }),
  activeProblems: z.array(HistoryEntry).optional().openapi({
    description: "Conditions with status active.",
  }),
  currentMedications: z.array(HistoryEntry).optional().openapi({
    description: "Medications with status active.",
  }),
  recentDocuments: z.array(RecentDocument).optional().openapi({
    description: "The five most recent documents, metadata only.",
  }),
  sections: z.record(z.string(), z.unknown()).openapi({
    description: "Sections contributed by other modules (visits, appointments, prescriptions, " +
      "results), by name.",
  }),
  omitted: z.array(z.string()).openapi({
    description: "Sections left out because the caller's role may not see them.",
    example: ["allergies", "activeProblems", "currentMedications", "recentDocuments"],
  }),
}).openapi("PatientSummary");

export const MergedSummary = z.object({
  mergedInto: z.string().openapi({ description: "The survivor, whose summary is in Location." }),
}).openapi("MergedSummary");
