import { json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  ConfirmBody,
  DisableBody,
  EnrollResponse,
  MfaStatus,
  OrgSecurity,
  RecoveryCodes,
  SetupBody,
  VerifyBody,
  VerifyResponse,
} from "./schemas-mfa.ts";

const tags = ["Auth"];
const CODES = "Codes are TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of drift " +
  "allowed); a code is refused in a time step already used. Wrong codes count against the " +
  "address and the account like wrong passwords (429 with Retry-After).";

export const mfaStatus = defineRoute({
  method: "get",
  path: "/auth/2fa",
  tags,
  access: "authenticated",
  summary: "Your two-factor authentication: on or off, recovery codes left, required or not",
  responses: { 200: json(MfaStatus, "Two-factor state") },
});

export const enroll = defineRoute({
  method: "post",
  path: "/auth/2fa/enroll",
  tags,
  access: "authenticated",
  secret: true,
  summary: "Start two-factor enrolment: a new secret and its otpauth URI",
  description: "Add the URI (as a QR code) or the secret to an authenticator app, then send its " +
    "code to `/auth/2fa/confirm` within 15 minutes. Until confirmed the enrolment stays on this " +
    "server and changes nothing; a new enrolment replaces it. 409: already on.",
  responses: { 200: json(EnrollResponse, "The secret, shown once") },
  errors: [409],
});

export const confirm = defineRoute({
  method: "post",
  path: "/auth/2fa/confirm",
  tags,
  access: "authenticated",
  secret: true,
  summary: "Turn two-factor authentication on with the first code",
  description: "Answers ten recovery codes, shown once and stored hashed; each signs in once " +
    `in place of a code. From then on login takes two steps. ${CODES} 409: no enrolment ` +
    "waiting; 422: wrong code.",
  request: { body: jsonBody(ConfirmBody) },
  responses: { 200: json(RecoveryCodes, "On; the recovery codes") },
  errors: [409, 422, 429],
});

export const disable = defineRoute({
  method: "post",
  path: "/auth/2fa/disable",
  tags,
  access: "authenticated",
  summary: "Turn two-factor authentication off (password and a code)",
  description: "With your password and a current code or an unused recovery code. 409: not " +
    "on, or your role requires it (an organisation where you are ADMIN, or the platform). 422: " +
    `wrong password or code. ${CODES}`,
  request: { body: jsonBody(DisableBody) },
  responses: { 200: json(MfaStatus, "Off") },
  errors: [409, 422, 429],
});

export const setup = defineRoute({
  method: "post",
  path: "/auth/2fa/setup",
  tags,
  access: "public",
  summary: "Enrol during login when your role requires two-factor authentication",
  description: "With the `mfaToken` of login's 403 `mfa-enrolment-required`: a new secret and " +
    "its otpauth URI. Send the app's first code with the same token to `/auth/2fa/verify`, " +
    "which turns the factor on, signs you in and answers the recovery codes. 401: the token " +
    "has ended (5 minutes, 5 codes). 403: the factor is already on.",
  request: { body: jsonBody(SetupBody) },
  responses: { 200: json(EnrollResponse, "The secret, shown once") },
  errors: [401, 403, 429],
});

export const verify = defineRoute({
  method: "post",
  path: "/auth/2fa/verify",
  tags,
  access: "public",
  summary: "The second step of login: a code or a recovery code for the tokens",
  description: "With the `mfaToken` login answered and a current code (or an unused recovery " +
    "code): the same body a login without two-factor answers. The token works for 5 minutes " +
    `and 5 codes; wrong codes answer 401. ${CODES}`,
  request: { body: jsonBody(VerifyBody) },
  responses: { 200: json(VerifyResponse, "Tokens and the signed-in user") },
  errors: [401, 403, 429],
});

export const getOrgSecurity = defineRoute({
  method: "get",
  path: "/organizations/current/security",
  tags: ["Organizations"],
  access: "organization:read",
  summary: "The organisation's sign-in rules",
  responses: { 200: json(OrgSecurity, "Sign-in rules") },
});

export const putOrgSecurity = defineRoute({
  method: "put",
  path: "/organizations/current/security",
  tags: ["Organizations"],
  access: "organization:write",
  summary: "Require two-factor authentication for the organisation's ADMINs",
  description: "With `requireMfaForAdmins` on, an ADMIN without two-factor authentication is " +
    "refused at login with 403 `mfa-enrolment-required` and an `mfaToken` to enrol with " +
    "(`/auth/2fa/setup`); sessions already open stay open. Audited.",
  request: { body: jsonBody(OrgSecurity) },
  responses: { 200: json(OrgSecurity, "Sign-in rules") },
});
