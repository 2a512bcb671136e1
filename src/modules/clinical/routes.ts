/** Vital signs on a visit, and a patient's vitals over time. Notes: routes-notes.ts. */
import { IdParam, IfMatchHeader, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  Observation,
  PatientVitalsQuery,
  VitalsInput,
  VitalsList,
  VitalsResult,
} from "./schemas.ts";

const tags = ["Clinical care"];

export const recordVitals = defineRoute({
  method: "post",
  path: "/encounters/{id}/vitals",
  tags,
  access: "vitals:write",
  summary: "Record vital signs on a visit",
  description: "Each value is converted to its stored unit (UCUM: mm[Hg], /min, Cel, %, kg, " +
    "cm, mmol/L, {score}; [degF], [lb_av], [in_i] and mg/dL are converted) and rounded to the " +
    "instrument's precision, then flagged critical_low | low | normal | high | critical_high: " +
    "adults by the NEWS2 bands, children (under 16) by the APLS normal ranges for their age. " +
    "BMI is derived when the visit has a weight and a height. A physiologically impossible " +
    "value, an unknown unit or a diastolic not below the systolic answers 422 naming the " +
    "observation; a closed or cancelled visit 409.",
  request: { params: IdParam, body: jsonBody(VitalsInput) },
  responses: { 201: json(VitalsResult, "The observations recorded, each with its flag") },
});

export const visitVitals = defineRoute({
  method: "get",
  path: "/encounters/{id}/vitals",
  tags,
  access: "clinical:read",
  summary: "A visit's vital signs",
  request: { params: IdParam },
  responses: { 200: json(VitalsList, "The observations, in the order recorded") },
});

export const readObservation = defineRoute({
  method: "get",
  path: "/vitals/{id}",
  tags,
  access: "clinical:read",
  summary: "Read one observation",
  request: { params: IdParam },
  responses: { 200: json(Observation, "The observation") },
});

export const removeObservation = defineRoute({
  method: "delete",
  path: "/vitals/{id}",
  tags,
  access: "vitals:write",
  summary: "Withdraw an observation entered in error",
  description: "It leaves the charts; its versions keep it. Only while the visit is open (409).",
  request: { params: IdParam, headers: IfMatchHeader },
  responses: { 200: json(Observation, "The withdrawn observation") },
  errors: [409],
});

export const patientVitals = defineRoute({
  method: "get",
  path: "/patients/{id}/vitals",
  tags,
  access: "clinical:read",
  summary: "A patient's vital signs over time, for charts",
  request: { params: IdParam, query: PatientVitalsQuery },
  responses: { 200: json(VitalsList, "Observations, oldest first") },
});
