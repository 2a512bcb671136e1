/** The record's history and the summary: routes under /patients/{id} open to every role. */
import { z } from "@hono/zod-openapi";
import { IdParam, json, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { Patient } from "../patients/mod.ts";
import { versionFields, VersionPageQuery } from "../patients/mod.ts";
import { MergedSummary, PatientSummary } from "./schemas.ts";

const PatientVersion = z.object(versionFields).openapi("PatientVersion");
const PatientVersionDetail = z.object({ ...versionFields, patient: Patient })
  .openapi("PatientVersionDetail");

const VISIBILITY = "Field-level rules apply: a role that may not see a field (FINANCE: " +
  "emergency contacts, tags, preferences) neither sees it in a version nor in `fields`.";

export const history = defineRoute({
  method: "get",
  path: "/patients/{id}/history",
  tags: ["Patients"],
  access: "patients:read",
  summary: "List the versions of a patient record",
  description: "Oldest first: version, operation, when, who (`{id, name}`) and which fields " +
    `changed. ${VISIBILITY} A deleted record answers 404, like the record. Audited as ` +
    "patient.history.",
  request: { params: IdParam, query: VersionPageQuery },
  responses: { 200: json(PageSchema(PatientVersion, "PatientVersionPage"), "A page of versions") },
});

export const historyVersion = defineRoute({
  method: "get",
  path: "/patients/{id}/history/{version}",
  tags: ["Patients"],
  access: "patients:read",
  summary: "Read one version of a patient record",
  description: `The record as it was after that change. ${VISIBILITY} Audited as ` +
    "patient.history.",
  request: {
    params: IdParam.extend({
      version: z.coerce.number().int().min(1).max(2_147_483_647).openapi({
        param: { name: "version", in: "path" },
        example: 1,
      }),
    }),
  },
  responses: { 200: json(PatientVersionDetail, "The version") },
});

export const summary = defineRoute({
  method: "get",
  path: "/patients/{id}/summary",
  tags: ["Patients"],
  access: "patients:read",
  summary: "The patient summary: everything the doctor's screen needs in one call",
  description: "The record, active allergies, active problems, current medications, the five " +
    "most recent documents (metadata) and the sections other modules contribute (visits, " +
    "appointments, prescriptions, results) under `sections`. Each section is shown only to " +
    "roles allowed to see it: ADMIN, RECEPTION and FINANCE get no clinical sections, FINANCE " +
    "no documents; `omitted` names what was left out. A merged record answers 307 to the " +
    "survivor's summary. Audited as patient.summary.",
  request: { params: IdParam },
  responses: {
    200: json(PatientSummary, "The summary"),
    307: json(MergedSummary, "Merged: the survivor's summary is in Location"),
  },
});
