import { IdParam, IfMatchHeader, json, jsonBody, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { Facility, FacilityInput, FacilityListQuery, FacilityPatch } from "./schemas.ts";

const tags = ["Facilities"];

export const create = defineRoute({
  method: "post",
  path: "/facilities",
  tags,
  access: "facilities:write",
  summary: "Add a facility (branch)",
  request: { body: jsonBody(FacilityInput) },
  responses: { 201: json(Facility, "The new facility") },
});

export const list = defineRoute({
  method: "get",
  path: "/facilities",
  tags,
  access: "facilities:read",
  summary: "List the organisation's facilities",
  request: { query: FacilityListQuery },
  responses: { 200: json(PageSchema(Facility, "FacilityPage"), "A page of facilities") },
});

export const read = defineRoute({
  method: "get",
  path: "/facilities/{id}",
  tags,
  access: "facilities:read",
  summary: "Read a facility",
  request: { params: IdParam },
  responses: { 200: json(Facility, "The facility") },
});

export const update = defineRoute({
  method: "patch",
  path: "/facilities/{id}",
  tags,
  access: "facilities:write",
  summary: "Update a facility",
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(FacilityPatch) },
  responses: { 200: json(Facility, "The updated facility") },
  errors: [409, 412],
});

export const deactivate = defineRoute({
  method: "delete",
  path: "/facilities/{id}",
  tags,
  access: "facilities:write",
  summary: "Deactivate a facility (it stays on record)",
  request: { params: IdParam, headers: IfMatchHeader },
  responses: { 200: json(Facility, "The deactivated facility") },
  errors: [412],
});
