import { IdParam, IfMatchHeader, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { User } from "./schemas.ts";
import { ApproveBody, PendingList, RejectBody } from "./schemas-approval.ts";

const tags = ["Users"];

export const listPending = defineRoute({
  method: "get",
  path: "/users/pending",
  tags,
  access: "users:read",
  summary: "Self-registrations waiting for a decision",
  description: "Oldest first. `temporaryAccess` says whether the account still works on its " +
    "temporary hours.",
  responses: { 200: json(PendingList, "Pending registrations") },
});

export const approve = defineRoute({
  method: "post",
  path: "/users/{id}/approve",
  tags,
  access: "users:write",
  summary: "Approve a self-registration with the role granted",
  description: "The membership becomes a normal one with the granted role (which may differ " +
    "from the one requested); its temporary-access marker ends. 409 when it was already " +
    "decided.",
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(ApproveBody) },
  responses: { 200: json(User, "The approved staff member") },
  errors: [409, 412],
});

export const reject = defineRoute({
  method: "post",
  path: "/users/{id}/reject",
  tags,
  access: "users:write",
  summary: "Reject a self-registration",
  description: "The membership ends with the reason and the person's sessions here end at " +
    "once; login then answers 403 `registration-rejected`. The account itself stays (accounts " +
    "are never deleted). 409 when it was already decided.",
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(RejectBody) },
  responses: { 200: json(User, "The rejected membership") },
  errors: [409, 412],
});
