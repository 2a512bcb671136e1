import { z } from "@hono/zod-openapi";
import { IdParam, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { LoginResponse } from "./schemas-mfa.ts";
import {
  AcceptInvitationBody,
  LoginBody,
  RefreshBody,
  SessionList,
  SessionUser,
  SwitchBody,
  TokenResponse,
  UpdateMeBody,
} from "./schemas.ts";

const tags = ["Auth"];
const Ok = z.object({ ok: z.literal(true) }).openapi("Ok");

export const login = defineRoute({
  method: "post",
  path: "/auth/login",
  tags,
  access: "public",
  summary: "Log in with email, or organisation code and employee ID, and password",
  description: "`{email, password}` or `{organizationCode, employeeId, password}`. An unknown " +
    "account and a wrong password answer the same 401. Only once the password is right does " +
    "a 403 say why the account cannot sign in, each with its own problem type: " +
    "`account-deactivated`, `registration-rejected`, `pending-approval` (temporary access " +
    "over), `mfa-enrolment-required`. With two-factor authentication on, the answer is " +
    "`{mfaRequired: true, mfaToken}` and POST /auth/2fa/verify gives the tokens. Attempts are " +
    "rate limited per address, per address and account, and per account with growing delays " +
    "(429 with Retry-After).",
  request: { body: jsonBody(LoginBody) },
  responses: { 200: json(LoginResponse, "Tokens and the signed-in user, or the second step") },
  errors: [401, 403, 429],
});

export const refresh = defineRoute({
  method: "post",
  path: "/auth/refresh",
  tags,
  access: "public",
  summary: "Exchange a refresh token for a new token pair",
  description: "The refresh token rotates on every use. Presenting a used one again ends the " +
    "whole session, as it signals a stolen token.",
  request: { body: jsonBody(RefreshBody) },
  responses: { 200: json(TokenResponse, "A new token pair") },
  errors: [401, 429],
});

export const logout = defineRoute({
  method: "post",
  path: "/auth/logout",
  tags,
  access: "authenticated",
  summary: "End the current session",
  responses: { 200: json(Ok, "Session ended") },
});

export const logoutAll = defineRoute({
  method: "post",
  path: "/auth/logout-all",
  tags,
  access: "authenticated",
  summary: "End every session of the current user",
  responses: { 200: json(Ok, "All sessions ended") },
});

export const me = defineRoute({
  method: "get",
  path: "/auth/me",
  tags,
  access: "authenticated",
  summary: "The signed-in user and their organisations",
  responses: { 200: json(SessionUser, "The signed-in user") },
});

export const switchOrganization = defineRoute({
  method: "post",
  path: "/auth/switch-organization",
  tags,
  access: "authenticated",
  secret: true,
  summary: "Act in another organisation the user belongs to",
  description: "Issues a new token pair for that organisation (or, for a super admin, " +
    "`organizationId: null`: the platform) and ends the current session. Tokens are never " +
    "stored, so an Idempotency-Key replay answers 409 rather than repeating them.",
  request: { body: jsonBody(SwitchBody) },
  responses: { 200: json(TokenResponse, "Tokens for the chosen organisation") },
  errors: [403],
});

export const listSessions = defineRoute({
  method: "get",
  path: "/auth/sessions",
  tags,
  access: "authenticated",
  summary: "The signed-in user's active sessions",
  description: "Newest first, at most 100. `current` marks the one this request used.",
  responses: { 200: json(SessionList, "Active sessions") },
});

export const revokeSession = defineRoute({
  method: "delete",
  path: "/auth/sessions/{id}",
  tags,
  access: "authenticated",
  summary: "End one of your own sessions",
  description: "Its access and refresh tokens stop working at once. Another user's session id " +
    "answers 404.",
  request: { params: IdParam },
  responses: { 204: { description: "Ended" } },
});

export const updateMe = defineRoute({
  method: "patch",
  path: "/auth/me",
  tags,
  access: "authenticated",
  summary: "Change your own name",
  description: "Your account is yours: its name shows in every organisation you belong to, " +
    "and only you (or a platform super admin) change it. The change is audited in each of them.",
  request: { body: jsonBody(UpdateMeBody) },
  responses: { 200: json(SessionUser, "The signed-in user") },
});

export const acceptInvitation = defineRoute({
  method: "post",
  path: "/auth/invitations/accept",
  tags,
  access: "public",
  summary: "Join an organisation with an invitation code",
  description: "With the code an admin handed you and your password: your existing password " +
    "if the invited address has an account (it joins the organisation and keeps its name and " +
    "password), or the password of a new account. Answers tokens signed in to that " +
    "organisation. A wrong or expired code and a wrong password answer the same 401; attempts " +
    "are rate limited like logins (429), and five wrong passwords revoke the invitation. 403: " +
    "the account is deactivated; 409: already a member.",
  request: { body: jsonBody(AcceptInvitationBody) },
  responses: { 200: json(TokenResponse, "Tokens and the signed-in user") },
  errors: [401, 403, 409, 429],
});
