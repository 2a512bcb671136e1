/** Practitioners' weekly schedules and their exceptions. */
import { IdParam, IfMatchHeader, json, jsonBody, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  ExceptionInput,
  ExceptionListQuery,
  Schedule,
  ScheduleException,
  ScheduleInput,
  ScheduleListQuery,
  SchedulePatch,
} from "./schemas.ts";

const tags = ["Schedules"];

export const create = defineRoute({
  method: "post",
  path: "/schedules",
  tags,
  access: "schedules:write",
  summary: "Add a weekly session to a practitioner's schedule",
  description: "Times are clinic-local (the organisation's timezone). 409 when it overlaps " +
    "another of the practitioner's sessions that weekday; 422 when the practitioner cannot " +
    "take appointments.",
  request: { body: jsonBody(ScheduleInput) },
  responses: { 201: json(Schedule, "The session") },
});

export const list = defineRoute({
  method: "get",
  path: "/schedules",
  tags,
  access: "schedules:read",
  summary: "List weekly sessions",
  request: { query: ScheduleListQuery },
  responses: { 200: json(PageSchema(Schedule, "SchedulePage"), "A page of sessions") },
});

export const read = defineRoute({
  method: "get",
  path: "/schedules/{id}",
  tags,
  access: "schedules:read",
  summary: "Read a weekly session",
  request: { params: IdParam },
  responses: { 200: json(Schedule, "The session") },
});

export const update = defineRoute({
  method: "patch",
  path: "/schedules/{id}",
  tags,
  access: "schedules:write",
  summary: "Change a weekly session",
  description: "Booked appointments stay as they are.",
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(SchedulePatch) },
  responses: { 200: json(Schedule, "The session as it is now") },
  errors: [409, 412, 422],
});

export const remove = defineRoute({
  method: "delete",
  path: "/schedules/{id}",
  tags,
  access: "schedules:write",
  summary: "Remove a weekly session",
  request: { params: IdParam, headers: IfMatchHeader },
  responses: { 200: json(Schedule, "The removed session") },
});

export const createException = defineRoute({
  method: "post",
  path: "/schedule-exceptions",
  tags,
  access: "schedules:write",
  summary: "Add leave, a holiday or an extra session",
  description: "Without `practitionerId`, leave and holidays apply to every practitioner (of " +
    "the facility, when one is named). Without times they take whole days.",
  request: { body: jsonBody(ExceptionInput) },
  responses: { 201: json(ScheduleException, "The exception") },
});

export const listExceptions = defineRoute({
  method: "get",
  path: "/schedule-exceptions",
  tags,
  access: "schedules:read",
  summary: "List schedule exceptions",
  request: { query: ExceptionListQuery },
  responses: {
    200: json(PageSchema(ScheduleException, "ScheduleExceptionPage"), "A page of exceptions"),
  },
});

export const removeException = defineRoute({
  method: "delete",
  path: "/schedule-exceptions/{id}",
  tags,
  access: "schedules:write",
  summary: "Remove a schedule exception",
  request: { params: IdParam, headers: IfMatchHeader },
  responses: { 200: json(ScheduleException, "The removed exception") },
});
