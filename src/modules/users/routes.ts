import {
  defineRoute,
  IdParam,
  IfMatchHeader,
  json,
  jsonBody,
  PageSchema,
} from "../../lib/openapi.ts";
import { CreateUserBody, User, UserListQuery, UserPatch } from "./schemas.ts";

const tags = ["Users"];

export const create = defineRoute({
  method: "post",
  path: "/users",
  tags,
  access: "users:write",
  summary: "Add a staff member to the organisation",
  description:
    "Allocates an employee id from the role (ADM001, DOC001, …). An email that already " +
    "has an account gets a membership here instead of a second account.",
  request: { body: jsonBody(CreateUserBody) },
  responses: { 201: json(User, "The staff member") },
});

export const list = defineRoute({
  method: "get",
  path: "/users",
  tags,
  access: "users:read",
  summary: "List the organisation's staff",
  request: { query: UserListQuery },
  responses: { 200: json(PageSchema(User, "UserPage"), "A page of staff") },
});

export const read = defineRoute({
  method: "get",
  path: "/users/{id}",
  tags,
  access: "users:read",
  summary: "Read a staff member",
  request: { params: IdParam },
  responses: { 200: json(User, "The staff member") },
});

export const update = defineRoute({
  method: "patch",
  path: "/users/{id}",
  tags,
  access: "users:write",
  summary: "Change a staff member's name, role, facility or status",
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(UserPatch) },
  responses: { 200: json(User, "The updated staff member") },
  errors: [412, 422],
});

export const deactivate = defineRoute({
  method: "delete",
  path: "/users/{id}",
  tags,
  access: "users:write",
  summary: "Deactivate a staff member and end their sessions here",
  description: "Accounts are never deleted. An admin cannot deactivate themselves.",
  request: { params: IdParam, headers: IfMatchHeader },
  responses: { 200: json(User, "The deactivated staff member") },
  errors: [412, 422],
});
