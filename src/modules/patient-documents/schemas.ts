import { z } from "@hono/zod-openapi";
import { FileField, IdParam, PageQuery, PageSchema } from "../../lib/openapi.ts";

export const DOCUMENT_CATEGORIES = [
  "id-document",
  "referral",
  "lab-report",
  "imaging",
  "consent",
  "insurance",
  "other",
] as const;

/** The only media types accepted; each is detected from the file's bytes, not its name. */
export const DOCUMENT_MEDIA_TYPES = [
  "application/pdf",
  "image/png",
  "image/jpeg",
  "image/webp",
] as const;
export type DocumentMediaType = typeof DOCUMENT_MEDIA_TYPES[number];

export const DocumentParams = IdParam.extend({
  documentId: z.string().uuid().openapi({
    param: { name: "documentId", in: "path" },
    example: "01936f0e-9b1d-7a2e-8c44-5d6e7f809a1b",
  }),
});

export const DocumentUpload = z.object({
  file: FileField.openapi({
    description: "PDF, PNG, JPEG or WebP, up to the configured size (20 MiB by default). The " +
      "type is detected from the content; the file name is kept only as metadata.",
  }),
  title: z.string().trim().min(1, "must not be empty").max(200).optional().openapi({
    description: "Defaults to the file name.",
    example: "Referral letter from Kenyatta National Hospital",
  }),
  category: z.enum(DOCUMENT_CATEGORIES).default("other"),
}).openapi("PatientDocumentUpload");
export type DocumentUploadT = z.infer<typeof DocumentUpload>;

export const PatientDocument = z.object({
  id: z.string().uuid(),
  patientId: z.string().uuid(),
  title: z.string(),
  category: z.enum(DOCUMENT_CATEGORIES),
  fileName: z.string().openapi({
    description: "The uploaded file's name as given, without any path, for display. Downloads " +
      "carry the extension of the detected type instead of the given one.",
    example: "referral.pdf",
  }),
  mediaType: z.enum(DOCUMENT_MEDIA_TYPES),
  sizeBytes: z.number().int(),
  sha256: z.string().openapi({ description: "SHA-256 of the content, lowercase hex." }),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  version: z.number().int(),
}).openapi("PatientDocument");
export type PatientDocumentT = z.infer<typeof PatientDocument>;

export const DocumentPage = PageSchema(PatientDocument, "PatientDocumentPage");
export const DocumentListQuery = z.object(PageQuery);

/** A document as the patient summary lists it: metadata only. */
export const RecentDocument = z.object({
  id: z.string(),
  title: z.string(),
  category: z.string(),
  mediaType: z.string(),
  sizeBytes: z.number().int(),
  createdAt: z.string(),
}).openapi("RecentDocument");
