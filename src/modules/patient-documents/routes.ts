import { z } from "@hono/zod-openapi";
import { IdParam, IfMatchHeader, json, multipartBody, ProblemSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  DOCUMENT_MEDIA_TYPES,
  DocumentListQuery,
  DocumentPage,
  DocumentParams,
  DocumentUpload,
  PatientDocument,
} from "./schemas.ts";

const tags = ["Patient documents"];

const binary = z.string().openapi({ type: "string", format: "binary" });
const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

export const upload = defineRoute({
  method: "post",
  path: "/patients/{id}/documents",
  tags,
  access: "patient-documents:write",
  summary: "Attach a document (PDF, PNG, JPEG, WebP) to a patient",
  description: "multipart/form-data with the file in the field `file`, and optionally `title` " +
    "and `category`. The type is detected from the content: anything else, whatever its name, " +
    "answers 415; a file over the configured limit (DOCUMENT_MAX_BYTES, 20 MiB by default) " +
    "answers 413; an empty one 400. The SHA-256 of the content is recorded. The file name is " +
    "kept as metadata only, without any path. A merged record answers 409.",
  request: { params: IdParam, body: multipartBody(DocumentUpload) },
  responses: {
    201: json(PatientDocument, "The stored document's metadata"),
    413: problem("The file is larger than DOCUMENT_MAX_BYTES (or the body than the upload limit)."),
    415: problem(
      "The body is not multipart/form-data, or the file is not a PDF, PNG, JPEG or WebP " +
        "judged by its content.",
    ),
  },
  errors: [409],
});

export const list = defineRoute({
  method: "get",
  path: "/patients/{id}/documents",
  tags,
  access: "patient-documents:read",
  summary: "List a patient's documents",
  description: "Newest first, without deleted documents. Audited as patient-document.list.",
  request: { params: IdParam, query: DocumentListQuery },
  responses: { 200: json(DocumentPage, "A page of documents") },
});

export const read = defineRoute({
  method: "get",
  path: "/patients/{id}/documents/{documentId}",
  tags,
  access: "patient-documents:read",
  summary: "Read a document's metadata",
  description: "The ETag is the record's version, for If-Match on delete.",
  request: { params: DocumentParams },
  responses: { 200: json(PatientDocument, "The document's metadata") },
});

export const content = defineRoute({
  method: "get",
  path: "/patients/{id}/documents/{documentId}/content",
  tags,
  access: "patient-documents:read",
  summary: "Download a document's file",
  description: "Streams the file as stored, as an attachment, with its detected media type, " +
    "its size as Content-Length and its SHA-256 as the ETag. Audited as patient-document.download. " +
    "A document whose file is missing from storage answers 404.",
  request: { params: DocumentParams },
  responses: {
    200: {
      description: "The file",
      content: Object.fromEntries(DOCUMENT_MEDIA_TYPES.map((t) => [t, { schema: binary }])),
      headers: {
        "Content-Disposition": {
          description: "attachment; filename=\"…\"; filename*=UTF-8''…: the stored file name " +
            "with the extension of the detected type (a PDF uploaded as scan.bat downloads as " +
            "scan.pdf).",
          schema: { type: "string" },
        },
        ETag: { description: "The SHA-256 of the content, quoted.", schema: { type: "string" } },
      },
    },
  },
});

export const remove = defineRoute({
  method: "delete",
  path: "/patients/{id}/documents/{documentId}",
  tags,
  access: "patient-documents:write",
  summary: "Delete a document (soft: hidden, file kept for audit and undelete)",
  description: "Audited as patient-document.delete. A merged record answers 409.",
  request: { params: DocumentParams, headers: IfMatchHeader },
  responses: { 204: { description: "Deleted" } },
  errors: [409, 412],
});
