import { IdParam, IfMatchHeader, json, jsonBody, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  HistoryEntry,
  HistoryEntryInput,
  HistoryEntryListQuery,
  HistoryEntryPatch,
} from "./schemas.ts";
import { entryParams, EntryVersionPage, VersionPageQuery } from "../patients/mod.ts";

const tags = ["Medical history"];
const collection = "/patients/{id}/medical-history";
const member = `${collection}/{entryId}`;
const Params = entryParams("entryId");

const RULES = "Rules (422 naming the field): a condition is active or resolved, a medication " +
  "active or stopped, a surgery or family history recorded; endDate not before onsetDate; " +
  "onsetDate not in the future; dosage only for medications; relation required for family " +
  "history and only there.";

export const list = defineRoute({
  method: "get",
  path: collection,
  tags,
  access: "patients:clinical:read",
  summary: "List a patient's medical history",
  description: "Chronic conditions, surgeries, medications and family history, oldest first; " +
    "filter with `kind` and `status`. Audited as patient-history-entry.list.",
  request: { params: IdParam, query: HistoryEntryListQuery },
  responses: {
    200: json(PageSchema(HistoryEntry, "MedicalHistoryPage"), "A page of history entries"),
  },
});

export const create = defineRoute({
  method: "post",
  path: collection,
  tags,
  access: "patients:clinical:write",
  summary: "Add a medical history entry",
  description: `Version 1 of the entry; status defaults to the first of its kind. ${RULES} ` +
    "A merged record answers 409.",
  request: { params: IdParam, body: jsonBody(HistoryEntryInput) },
  responses: { 201: json(HistoryEntry, "The new entry") },
});

export const update = defineRoute({
  method: "patch",
  path: member,
  tags,
  access: "patients:clinical:write",
  summary: "Update a medical history entry",
  description: "Every change is a new version; `kind` cannot change. If-Match with the ETag " +
    `you read; a stale one answers 412. ${RULES}`,
  request: { params: Params, headers: IfMatchHeader, body: jsonBody(HistoryEntryPatch) },
  responses: { 200: json(HistoryEntry, "The updated entry") },
  errors: [409, 412, 422],
});

export const remove = defineRoute({
  method: "delete",
  path: member,
  tags,
  access: "patients:clinical:write",
  summary: "Remove a medical history entry (soft: its versions stay readable)",
  request: { params: Params, headers: IfMatchHeader },
  responses: { 204: { description: "Removed" } },
  errors: [409, 412],
});

export const versions = defineRoute({
  method: "get",
  path: `${member}/history`,
  tags,
  access: "patients:clinical:read",
  summary: "List the versions of a medical history entry",
  description: "Oldest first: who changed it, when, which fields, and the entry as it was. " +
    "Readable after removal. Audited as patient-history-entry.history.",
  request: { params: Params, query: VersionPageQuery },
  responses: {
    200: json(EntryVersionPage(HistoryEntry, "MedicalHistory"), "A page of versions"),
  },
});
