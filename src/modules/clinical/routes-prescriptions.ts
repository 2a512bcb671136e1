/** Prescriptions with their safety check. */
import { IdParam, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  NewPrescription,
  PatientPrescriptionsQuery,
  Prescription,
  PrescriptionCancelInput,
  PrescriptionInput,
  PrescriptionList,
} from "./schemas-prescriptions.ts";

const tags = ["Clinical care"];

export const create = defineRoute({
  method: "post",
  path: "/prescriptions",
  tags,
  access: "prescriptions:write",
  person: true,
  summary: "Prescribe, after the safety check",
  description: "The items are checked against the patient's active allergies (by substance and " +
    "drug class), active prescriptions and current medications (duplicate therapy and " +
    "interactions) and the maximum daily doses (a child needs a weight recorded on the visit). " +
    "Any warning answers 409 with `warnings: [{kind, severity, detail}]` unless " +
    "`acknowledgeWarnings` gives a reason for each kind; acknowledgements are kept and " +
    "audited. Numbered RX-YYYYMM-NNNN per organisation. The quantity is computed for counted " +
    "units (tablets, capsules…) and required otherwise (422). A closed or cancelled visit " +
    "answers 409; an unknown one 422.",
  request: { body: jsonBody(PrescriptionInput) },
  responses: { 201: json(NewPrescription, "The prescription, status active") },
});

export const read = defineRoute({
  method: "get",
  path: "/prescriptions/{id}",
  tags,
  access: "prescriptions:read",
  summary: "Read a prescription",
  description: "`expired` is derived from `validUntil` and the clinic's date. With " +
    "`Accept: application/pdf` it answers the printable prescription (as GET …/pdf).",
  request: { params: IdParam },
  responses: { 200: json(Prescription, "The prescription") },
});

export const cancel = defineRoute({
  method: "post",
  path: "/prescriptions/{id}/cancel",
  tags,
  access: "prescriptions:write",
  person: true,
  summary: "Cancel a prescription",
  description: "Only while active: once the pharmacy has dispensed from it, it stays (409).",
  request: { params: IdParam, body: jsonBody(PrescriptionCancelInput) },
  responses: { 200: json(Prescription, "The cancelled prescription") },
});

export const ofPatient = defineRoute({
  method: "get",
  path: "/patients/{id}/prescriptions",
  tags,
  access: "prescriptions:read",
  summary: "A patient's prescriptions, newest first",
  request: { params: IdParam, query: PatientPrescriptionsQuery },
  responses: { 200: json(PrescriptionList, "Prescriptions") },
});

export const pdf = defineRoute({
  method: "get",
  path: "/prescriptions/{id}/pdf",
  tags,
  access: "prescriptions:read",
  summary: "The printable prescription (PDF)",
  description: "A4: the clinic, the prescriber, the patient with MRN, the number and date, the " +
    "items in words, the validity, and a QR code carrying the prescription number for scanning " +
    "at the pharmacy. `GET /prescriptions/{id}` with `Accept: application/pdf` answers the " +
    "same. Audited as prescription.print.",
  request: { params: IdParam },
  responses: {
    200: {
      description: "The PDF",
      content: { "application/pdf": { schema: { type: "string", format: "binary" } as never } },
    },
  },
});
