/** Consultation notes: draft → signed → amended, with ICD-10 diagnoses. */
import { IdParam, IfMatchHeader, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { AmendInput, Note, NoteInput, NoteList, NotePatch, NoteVersions } from "./schemas.ts";

const tags = ["Clinical care"];
const STATES = "A note is draft → signed → amended: only its author edits a draft (403 for " +
  "anyone else) and signs it; signing locks it (409 on edits); an amendment is a new version " +
  "with a reason, and every version stays readable.";

export const write = defineRoute({
  method: "post",
  path: "/encounters/{id}/notes",
  tags,
  access: "notes:write",
  person: true,
  summary: "Start a consultation note (a draft) on a visit",
  description: "Diagnoses take ICD-10 category or subcategory codes (GET /codes/icd10); a " +
    "chapter, a block or an unknown code answers 422 naming it. A closed or cancelled visit " +
    "answers 409. " + STATES,
  request: { params: IdParam, body: jsonBody(NoteInput) },
  responses: { 201: json(Note, "The draft") },
});

export const visitNotes = defineRoute({
  method: "get",
  path: "/encounters/{id}/notes",
  tags,
  access: "clinical:read",
  summary: "A visit's consultation notes",
  request: { params: IdParam },
  responses: { 200: json(NoteList, "The notes, oldest first") },
});

export const read = defineRoute({
  method: "get",
  path: "/notes/{id}",
  tags,
  access: "clinical:read",
  summary: "Read a consultation note",
  request: { params: IdParam },
  responses: { 200: json(Note, "The note as it is now") },
});

export const edit = defineRoute({
  method: "patch",
  path: "/notes/{id}",
  tags,
  access: "notes:write",
  person: true,
  summary: "Edit a draft note",
  description: STATES,
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(NotePatch) },
  responses: { 200: json(Note, "The draft as it is now") },
  errors: [409, 412, 422],
});

export const sign = defineRoute({
  method: "post",
  path: "/notes/{id}/sign",
  tags,
  access: "notes:write",
  person: true,
  summary: "Sign a note",
  description: "Diagnoses confirmed in it join the patient's problem list (medical history) " +
    "unless already there. " + STATES,
  request: { params: IdParam },
  responses: { 200: json(Note, "The signed note") },
});

export const amend = defineRoute({
  method: "post",
  path: "/notes/{id}/amend",
  tags,
  access: "notes:write",
  person: true,
  summary: "Amend a signed note",
  description: "Also after the visit has closed: late corrections are what amendments are " +
    "for. " + STATES,
  request: { params: IdParam, body: jsonBody(AmendInput) },
  responses: { 200: json(Note, "The amended note") },
});

export const versions = defineRoute({
  method: "get",
  path: "/notes/{id}/versions",
  tags,
  access: "clinical:read",
  summary: "Every version of a note",
  request: { params: IdParam },
  responses: { 200: json(NoteVersions, "Versions, oldest first") },
});
