import { IdParam, IfMatchHeader, json, jsonBody, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  HistoryEntry,
  HistoryEntryInput,
  HistoryEntryListQuery,
  HistoryEntryPatch,
} from "./schemas.ts";
import { entryParams, entryRoutes } from "../patients/mod.ts";
import { patientHistoryEntries } from "../../../db/schema/mod.ts";

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

/** Removal and versions are the kit's, word for word. */
export const { remove, versions } = entryRoutes({
  collection,
  param: "entryId",
  tags,
  noun: "medical history entry",
  schema: HistoryEntry,
  schemaName: "MedicalHistory",
  read: "patients:clinical:read",
  write: "patients:clinical:write",
}, patientHistoryEntries);
