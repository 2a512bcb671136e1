import { IdParam, IfMatchHeader, json, jsonBody, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { Allergy, AllergyInput, AllergyListQuery, AllergyPatch } from "./schemas.ts";
import { entryParams, entryRoutes } from "../patients/mod.ts";
import { patientAllergies } from "../../../db/schema/mod.ts";

const tags = ["Allergies"];
const collection = "/patients/{id}/allergies";
const member = `${collection}/{allergyId}`;
const Params = entryParams("allergyId");

export const list = defineRoute({
  method: "get",
  path: collection,
  tags,
  access: "patients:clinical:read",
  summary: "List a patient's allergies",
  description: "Oldest first; removed allergies are not listed. Audited as " +
    "patient-allergy.list. A merged record still lists what it kept.",
  request: { params: IdParam, query: AllergyListQuery },
  responses: { 200: json(PageSchema(Allergy, "AllergyPage"), "A page of allergies") },
});

export const create = defineRoute({
  method: "post",
  path: collection,
  tags,
  access: "patients:clinical:write",
  summary: "Record an allergy",
  description: "Version 1 of the allergy. A second active allergy to the same substance " +
    "(compared without case, accents or punctuation) answers 409 with `existingId`; a merged " +
    "record answers 409; an onset in the future answers 422.",
  request: { params: IdParam, body: jsonBody(AllergyInput) },
  responses: { 201: json(Allergy, "The recorded allergy") },
});

export const update = defineRoute({
  method: "patch",
  path: member,
  tags,
  access: "patients:clinical:write",
  summary: "Update an allergy",
  description: "Every change is a new version. If-Match with the ETag you read; a stale one " +
    "answers 412. Making it a duplicate of another active allergy answers 409.",
  request: { params: Params, headers: IfMatchHeader, body: jsonBody(AllergyPatch) },
  responses: { 200: json(Allergy, "The updated allergy") },
  errors: [409, 412, 422],
});

/** Removal and versions are the kit's, word for word. */
export const { remove, versions } = entryRoutes({
  collection,
  param: "allergyId",
  tags,
  noun: "allergy",
  schema: Allergy,
  schemaName: "Allergy",
  read: "patients:clinical:read",
  write: "patients:clinical:write",
}, patientAllergies);
