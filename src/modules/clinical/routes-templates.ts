/** Consultation and prescription templates, and filling a draft note from one. */
import { IdParam, IfMatchHeader, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { Note } from "./schemas.ts";
import {
  ApplyTemplateInput,
  Template,
  TemplateInput,
  TemplateList,
  TemplateListQuery,
  TemplatePatch,
} from "./schemas-templates.ts";

const tags = ["Clinical care"];
const WHO = "A template is its author's own (`templates:write`, doctors) or, with " +
  "`shared: true`, the organisation's: creating or changing a shared one needs " +
  "`templates:share` (doctors; not administrators, since a template is clinical content: " +
  "diagnoses, doses). Everyone sees the shared ones and their own; a colleague's own answers " +
  "404 as if it did not exist. Templates are not patient data: writes are audited, reads not.";

export const create = defineRoute({
  method: "post",
  path: "/clinical-templates",
  tags,
  access: "templates:write",
  person: true,
  summary: "Save a consultation or prescription template",
  description: "`content` is what the write routes take: a note template holds NoteInput's " +
    "fields (diagnoses checked against the code list, 422 naming `content.diagnoses.N.code`; " +
    "no `followUpDate`, since one fixed date would be wrong on every later use); a " +
    "prescription template holds `{items}` as POST /prescriptions takes them. " + WHO,
  request: { body: jsonBody(TemplateInput) },
  responses: { 201: json(Template, "The template") },
});

export const list = defineRoute({
  method: "get",
  path: "/clinical-templates",
  tags,
  access: "templates:read",
  summary: "Templates the caller may use, by name",
  description: "The organisation's shared templates and the caller's own; active ones unless " +
    "`include=inactive`. `q` matches words of the name. " + WHO,
  request: { query: TemplateListQuery },
  responses: { 200: json(TemplateList, "Templates") },
});

export const read = defineRoute({
  method: "get",
  path: "/clinical-templates/{id}",
  tags,
  access: "templates:read",
  summary: "Read a template",
  description: "A prescription template's `content.items` are sent as they are to " +
    "POST /prescriptions, where the safety check runs as for any prescription. " + WHO,
  request: { params: IdParam },
  responses: { 200: json(Template, "The template") },
});

export const update = defineRoute({
  method: "patch",
  path: "/clinical-templates/{id}",
  tags,
  access: "templates:write",
  summary: "Change a template",
  description: "Its owner changes their own; a shared one needs `templates:share` (403). " +
    "`content` replaces the whole content, in the template's kind. Notes already made from " +
    "the template do not change. " + WHO,
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(TemplatePatch) },
  responses: { 200: json(Template, "The template as it is now") },
});

export const deactivate = defineRoute({
  method: "delete",
  path: "/clinical-templates/{id}",
  tags,
  access: "templates:write",
  summary: "Deactivate a template (it stays on record)",
  description: "As for changing it. PATCH `active: true` brings it back. " + WHO,
  request: { params: IdParam, headers: IfMatchHeader },
  responses: { 200: json(Template, "The deactivated template") },
});

export const apply = defineRoute({
  method: "post",
  path: "/notes/{id}/apply-template",
  tags,
  access: "notes:write",
  summary: "Fill a draft note from a note template",
  description: "Copies the template's fields into the draft: only its author's draft, on an " +
    "open visit (403 for anyone else, 409 once signed or the visit closed). Fields the draft " +
    "already has are kept unless `overwrite: true`; practice-system fields go by system. The " +
    "note records `templateId`; the content is copied, so editing the template later changes " +
    "no note made from it. An unknown, colleague's own, deactivated or prescription template " +
    "answers 422 naming `templateId`.",
  request: { params: IdParam, body: jsonBody(ApplyTemplateInput) },
  responses: { 200: json(Note, "The draft as it is now") },
});
