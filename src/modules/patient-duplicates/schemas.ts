import { z } from "@hono/zod-openapi";
import { Patient } from "../patients/mod.ts";

export const DuplicateCandidate = z.object({
  patient: Patient,
  score: z.number().min(0).max(1).openapi({
    example: 0.9,
    description: "1 = same document id; 0.9 same name and birth date; 0.85 same name and " +
      "phone; 0.8 similar name and same birth date; 0.75 similar name and same phone.",
  }),
  reasons: z.array(z.string()).openapi({ example: ["same name and birth date"] }),
}).openapi("DuplicateCandidate");

export const DuplicateList = z.object({ data: z.array(DuplicateCandidate) })
  .openapi("DuplicateCandidateList");

export const MergeInput = z.object({
  duplicateId: z.string().uuid().openapi({
    description: "The record merged away; the path names the survivor.",
    example: "01936f0e-8a5c-7c4e-9d61-2f8b5a3c1e91",
  }),
  reason: z.string().trim().min(1).max(500).nullable().optional().openapi({
    example: "Registered twice: national id typed with spaces",
  }),
}).openapi("PatientMergeInput");

export const UnmergeInput = z.object({
  duplicateId: z.string().uuid().openapi({
    description: "The record to restore; it must currently be merged into the path's survivor.",
    example: "01936f0e-8a5c-7c4e-9d61-2f8b5a3c1e91",
  }),
}).openapi("PatientUnmergeInput");

export const MergeResult = z.object({
  survivor: Patient,
  duplicate: Patient,
  merge: z.object({
    id: z.string(),
    survivorId: z.string(),
    duplicateId: z.string(),
    moved: z.number().int().openapi({ description: "Rows re-pointed to the survivor." }),
    movedByTable: z.record(z.string(), z.number().int()).openapi({
      example: { patient_allergies: 2, patient_documents: 1 },
    }),
    reason: z.string().nullable(),
    mergedAt: z.string(),
    mergedBy: z.string(),
  }),
}).openapi("PatientMergeResult");
export type MergeResultT = z.infer<typeof MergeResult>;

export const UnmergeResult = z.object({
  survivor: Patient,
  duplicate: Patient,
  unmerge: z.object({
    mergeId: z.string(),
    restored: z.number().int().openapi({
      description: "Rows moved back to the duplicate (those the merge moved that still " +
        "pointed at the survivor).",
    }),
    unmergedAt: z.string(),
    unmergedBy: z.string(),
  }),
}).openapi("PatientUnmergeResult");
export type UnmergeResultT = z.infer<typeof UnmergeResult>;
