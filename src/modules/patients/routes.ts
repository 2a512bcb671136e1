import { z } from "@hono/zod-openapi";
import { IdParam, IfMatchHeader, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { Patient, PatientInput, PatientPatch } from "./schemas.ts";

const tags = ["Patients"];

export const create = defineRoute({
  method: "post",
  path: "/patients",
  tags,
  access: "patients:write",
  summary: "Register a patient",
  description: "Allocates the next MRN of the organisation inside the same transaction. A " +
    "likely duplicate (same document id; or a similar name with the same date of birth or " +
    "phone) answers 409 with `candidates: [{patient, score, reasons}]` unless the body says " +
    "`allowDuplicate: true`.",
  request: { body: jsonBody(PatientInput) },
  responses: { 201: json(Patient, "The registered patient") },
  // A clinic replica allocates no MRN before its primary has given it its site code.
  errors: [503],
});

export const read = defineRoute({
  method: "get",
  path: "/patients/{id}",
  tags,
  access: "patients:read",
  summary: "Read a patient",
  description: "Audited as patient.read. The ETag is the record's version, for If-Match. A " +
    "record merged into another answers 307 to the survivor, with the merged record as the " +
    "body; `redirect=false` answers it with 200 instead.",
  request: {
    params: IdParam,
    query: z.object({
      redirect: z.enum(["true", "false"]).default("true").openapi({
        param: { name: "redirect", in: "query" },
        description: "Whether a merged record redirects to its survivor.",
      }),
    }),
  },
  responses: {
    200: json(Patient, "The patient"),
    307: json(Patient, "Merged into the patient in Location; the body is the merged record"),
  },
});

export const update = defineRoute({
  method: "patch",
  path: "/patients/{id}",
  tags,
  access: "patients:write",
  summary: "Update a patient's demographics",
  description: "Every change is a new version (see the history). A merged record answers 409.",
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(PatientPatch) },
  responses: { 200: json(Patient, "The updated patient") },
  errors: [409, 412, 422],
});

export const remove = defineRoute({
  method: "delete",
  path: "/patients/{id}",
  tags,
  access: "patients:delete",
  summary: "Delete a patient record (soft: kept for audit, hidden from lists)",
  request: { params: IdParam, headers: IfMatchHeader },
  responses: { 204: { description: "Deleted" } },
  errors: [409, 412],
});
