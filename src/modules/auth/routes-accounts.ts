import { IdParam, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  ChangePasswordBody,
  IssuedResetCode,
  PasswordChanged,
  RegisterBody,
  RegisterResponse,
  ResetConfirmBody,
  ResetRequestBody,
  ResetRequested,
} from "./schemas-accounts.ts";

const tags = ["Auth"];

export const register = defineRoute({
  method: "post",
  path: "/auth/register",
  tags,
  access: "public",
  summary: "Ask to join an organisation (self-registration)",
  description: "Creates an account with a pending membership in the organisation, with the " +
    "requested role and an employee id from it. The account signs in at once and works on that " +
    "role for REGISTRATION_TEMPORARY_HOURS (8 by default), its actions marked as temporary in " +
    "the audit trail, until an ADMIN approves it (possibly with another role) or rejects it; " +
    "after that time login answers 403 `pending-approval` until a decision. The answer is the " +
    "same 201 when the email already has an account, which is left exactly as it was. 422: " +
    "ADMIN requested, a password outside the policy, or an unknown organisation code. Rate " +
    "limited per address and per email (429 with Retry-After).",
  request: { body: jsonBody(RegisterBody) },
  responses: { 201: json(RegisterResponse, "Received") },
  errors: [422, 429],
});

export const requestReset = defineRoute({
  method: "post",
  path: "/auth/password-reset/request",
  tags,
  access: "public",
  summary: "Ask for a password reset code",
  description: "By email, or by organisation code and employee id. Voids earlier codes and " +
    "issues a 6-digit code valid 30 minutes (5 tries), emailed through the notification " +
    "outbox when an email channel is configured; otherwise an ADMIN issues one " +
    "(POST /users/{id}/password-reset). The answer is the same whether or not an account " +
    "matches. Rate limited per address and per account (429).",
  request: { body: jsonBody(ResetRequestBody) },
  responses: { 202: json(ResetRequested, "Requested") },
  errors: [429],
});

export const confirmReset = defineRoute({
  method: "post",
  path: "/auth/password-reset/confirm",
  tags,
  access: "public",
  summary: "Set a new password with a reset code",
  description: "Success ends every session of the account. A wrong, used, voided or expired " +
    "code answers 401; the fifth wrong code ends it (ask for a new one). A password outside " +
    "the policy answers 422. Rate limited per address and per account (429).",
  request: { body: jsonBody(ResetConfirmBody) },
  responses: { 200: json(PasswordChanged, "The password is changed") },
  errors: [401, 422, 429],
});

export const changePassword = defineRoute({
  method: "post",
  path: "/auth/password",
  tags,
  access: "authenticated",
  summary: "Change your password",
  description: "Needs your current password (422 naming currentPassword when wrong; tries are " +
    "rate limited, 429). Every other session of yours ends, here and, at their next pull, at " +
    "clinic replicas; this one goes on.",
  request: { body: jsonBody(ChangePasswordBody) },
  responses: { 200: json(PasswordChanged, "The password is changed") },
  errors: [422, 429],
});

export const issueReset = defineRoute({
  method: "post",
  path: "/users/{id}/password-reset",
  tags: ["Users"],
  access: "users:write",
  secret: true,
  summary: "Issue a password reset code to hand over",
  description: "For staff who cannot receive email: voids the member's earlier codes and " +
    "answers a new 6-digit code (valid 30 minutes, 5 tries) for them to use at " +
    "POST /auth/password-reset/confirm. Only for an account that works for this organisation " +
    "alone (422 otherwise: the person resets it themselves), and not a deactivated one (422). " +
    "The code is never stored in the clear, so an Idempotency-Key replay answers 409.",
  request: { params: IdParam },
  responses: { 201: json(IssuedResetCode, "The code, shown once") },
  errors: [422],
});
