import { z } from "@hono/zod-openapi";
import { FileField } from "../../lib/openapi.ts";
import { PatientFilterQuery } from "../patient-search/mod.ts";

const param = (name: string) => ({ param: { name, in: "query" as const } });

export const ExportQuery = z.object({
  format: z.enum(["csv"]).default("csv").openapi({
    ...param("format"),
    description: "Only csv for now.",
  }),
  q: z.string().trim().max(200).optional().openapi({
    ...param("q"),
    description: "Free text, as in search: name, phone, MRN or document id.",
  }),
  ...PatientFilterQuery,
});

const flag = (name: string, description: string) =>
  z.enum(["true", "false"]).default("false").transform((s) => s === "true").openapi({
    ...param(name),
    description,
  });

export const ImportQuery = z.object({
  mode: z.enum(["all-or-nothing", "partial"]).default("all-or-nothing").openapi({
    ...param("mode"),
    description: "all-or-nothing: any rejected row and nothing is written (422). partial: the " +
      "valid rows are registered, the rejected ones reported (200).",
  }),
  dryRun: flag("dryRun", "Validate and report exactly as a real run would; write nothing."),
  allowDuplicates: flag(
    "allowDuplicates",
    "Register rows even when they look like a registered patient or an earlier row of the file.",
  ),
});

export const ImportUpload = z.object({
  file: FileField.openapi({
    description: "CSV (UTF-8; comma, semicolon or tab separated) or XLSX (first sheet), with a " +
      "header row.",
  }),
}).openapi("PatientImportUpload");

const RowError = z.object({
  field: z.string().openapi({ example: "birthDate" }),
  message: z.string().openapi({ example: "must be a date as YYYY-MM-DD" }),
  candidates: z.array(z.object({
    id: z.string(),
    mrn: z.string(),
    score: z.number(),
    reasons: z.array(z.string()),
  })).optional().openapi({ description: "For a likely duplicate: the registered patients." }),
}).openapi("ImportRowError");

export const RejectedRow = z.object({
  row: z.number().int().openapi({ description: "Row number in the sheet; the header is row 1." }),
  errors: z.array(RowError),
}).openapi("ImportRejectedRow");

export const ImportReport = z.object({
  mode: z.enum(["all-or-nothing", "partial"]),
  dryRun: z.boolean(),
  rows: z.number().int().openapi({ description: "Data rows in the file (blank rows skipped)." }),
  imported: z.number().int().openapi({ description: "Registered (or that would be: dry run)." }),
  rejected: z.array(RejectedRow),
  patients: z.array(z.object({
    row: z.number().int(),
    id: z.string().nullable(),
    mrn: z.string().nullable(),
  })).openapi({ description: "The registered rows; id and mrn are null on a dry run." }),
  warnings: z.array(z.string()).openapi({ description: "Columns that were ignored, once each." }),
}).openapi("PatientImportReport");
