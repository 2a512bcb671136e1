import {
  defineRoute,
  IdParam,
  IfMatchHeader,
  json,
  jsonBody,
  PageSchema,
} from "../../lib/openapi.ts";
import { Patient, PatientInput, PatientListQuery, PatientPatch } from "./schemas.ts";

const tags = ["Patients"];

export const create = defineRoute({
  method: "post",
  path: "/patients",
  tags,
  access: "patients:write",
  summary: "Register a patient",
  description: "Allocates the next MRN of the organisation inside the same transaction.",
  request: { body: jsonBody(PatientInput) },
  responses: { 201: json(Patient, "The registered patient") },
});

export const list = defineRoute({
  method: "get",
  path: "/patients",
  tags,
  access: "patients:read",
  summary: "List or search patients",
  request: { query: PatientListQuery },
  responses: { 200: json(PageSchema(Patient, "PatientPage"), "A page of patients") },
});

export const read = defineRoute({
  method: "get",
  path: "/patients/{id}",
  tags,
  access: "patients:read",
  summary: "Read a patient",
  description: "Audited as patient.read. The ETag is the record's version, for If-Match.",
  request: { params: IdParam },
  responses: { 200: json(Patient, "The patient") },
});

export const update = defineRoute({
  method: "patch",
  path: "/patients/{id}",
  tags,
  access: "patients:write",
  summary: "Update a patient's demographics",
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(PatientPatch) },
  responses: { 200: json(Patient, "The updated patient") },
  errors: [412],
});

export const remove = defineRoute({
  method: "delete",
  path: "/patients/{id}",
  tags,
  access: "patients:delete",
  summary: "Delete a patient record (soft: kept for audit, hidden from lists)",
  request: { params: IdParam, headers: IfMatchHeader },
  responses: { 204: { description: "Deleted" } },
  errors: [412],
});
