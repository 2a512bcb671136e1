import { IdParam, IfMatchHeader, json, jsonBody, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  Invitation,
  InvitationListQuery,
  InviteBody,
  NewInvitation,
  User,
  UserListQuery,
  UserPatch,
} from "./schemas.ts";

const tags = ["Users"];

export const invite = defineRoute({
  method: "post",
  path: "/users",
  tags,
  access: "users:write",
  secret: true,
  summary: "Invite a person to join the organisation",
  description: "Records an invitation with the role (and facility) the person will have, and " +
    "answers it with a one-time `code`. Hand the code over; the person accepts it at " +
    "POST /auth/invitations/accept with their password (a new one if they have no account yet) " +
    "and only then becomes a staff member here, with an employee id from the role (ADM001, " +
    "DOC001, …). The answer is the same whether or not the address already has an account " +
    "anywhere, and no existing account is changed or shown. The code is never stored, so an " +
    "Idempotency-Key replay answers 409 instead of repeating it. 409 also when the person is " +
    "already a member here.",
  request: { body: jsonBody(InviteBody) },
  responses: { 201: json(NewInvitation, "The invitation and its one-time code") },
});

export const listInvitations = defineRoute({
  method: "get",
  path: "/users/invitations",
  tags,
  access: "users:read",
  summary: "List the organisation's invitations",
  description: "Newest first. `status=pending` lists those that can still be accepted.",
  request: { query: InvitationListQuery },
  responses: { 200: json(PageSchema(Invitation, "InvitationPage"), "A page of invitations") },
});

export const revokeInvitation = defineRoute({
  method: "delete",
  path: "/users/invitations/{id}",
  tags,
  access: "users:write",
  summary: "Revoke a pending invitation",
  description: "Its code stops working at once. Only a pending invitation can be revoked (422).",
  request: { params: IdParam, headers: IfMatchHeader },
  responses: { 200: json(Invitation, "The revoked invitation") },
  errors: [412, 422],
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
  summary: "Change a staff member's role, facility, status or employee id",
  description: "Only membership fields: the name, email and password belong to the person's " +
    "account, which only they change (PATCH /auth/me). An employee id taken by another member " +
    "answers 409, and so does demoting or deactivating the last active ADMIN.",
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(UserPatch) },
  responses: { 200: json(User, "The updated staff member") },
  errors: [409, 412, 422],
});

export const deactivate = defineRoute({
  method: "delete",
  path: "/users/{id}",
  tags,
  access: "users:write",
  summary: "Deactivate a staff member and end their sessions here",
  description: "Accounts are never deleted, ADMINs' included. An admin cannot deactivate " +
    "themselves, and the organisation's last active ADMIN cannot be deactivated or demoted " +
    "(409, decided inside the write).",
  request: { params: IdParam, headers: IfMatchHeader },
  responses: { 200: json(User, "The deactivated staff member") },
  errors: [409, 412, 422],
});
