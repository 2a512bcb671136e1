import { z } from "@hono/zod-openapi";
import { TokenResponse } from "./schemas.ts";

const Code = z.string().trim().regex(/^\d{6}$/, "6 digits").openapi({
  example: "123456",
  description: "The 6-digit code the authenticator app shows now.",
});
const RecoveryCode = z.string().trim().min(8).max(40).openapi({
  example: "k7mq-2xdr-9hta-pw3e",
  description: "One of the recovery codes shown at confirmation; each works once.",
});
const MfaToken = z.string().min(10).max(100).openapi({
  example: "mfa_Qm9ndXMtdG9rZW4tZm9yLXRoZS1leGFtcGxlLW9ubHk",
  description: "From the login answer (or its 403 when enrolment is required).",
});

export const MfaRequired = z.object({
  mfaRequired: z.literal(true),
  mfaToken: z.string().openapi({ description: "Valid 5 minutes, for at most 5 codes." }),
}).openapi("MfaRequired");

export const LoginResponse = z.union([TokenResponse, MfaRequired]).openapi("LoginResponse", {
  description: "Tokens, or, for an account with two-factor authentication, `mfaRequired` and " +
    "the `mfaToken` to send with a code to `POST /auth/2fa/verify`.",
});

export const EnrollResponse = z.object({
  secret: z.string().openapi({ example: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" }),
  otpauthUri: z.string().openapi({
    example: "otpauth://totp/Clinic%20API:grace%40sunrise.clinic?issuer=Clinic%20API&" +
      "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30",
    description: "For the authenticator app (as a QR code): TOTP, SHA-1, 6 digits, 30 s.",
  }),
}).openapi("MfaEnrollResponse");

export const ConfirmBody = z.object({ code: Code }).openapi("MfaConfirmRequest");

export const RecoveryCodes = z.object({
  recoveryCodes: z.array(z.string()).length(10).openapi({
    description: "Shown once: each signs in once in place of a code (a lost phone).",
  }),
}).openapi("MfaRecoveryCodes");

const oneFactor = (v: { code?: string; recoveryCode?: string }) => !!v.code !== !!v.recoveryCode;
const factorError = { message: "send either code or recoveryCode", path: ["code"] };

export const DisableBody = z.object({
  password: z.string().min(1).max(256).openapi({ example: "correct horse battery staple" }),
  code: Code.optional(),
  recoveryCode: RecoveryCode.optional(),
}).refine(oneFactor, factorError).openapi("MfaDisableRequest", {
  example: { password: "correct horse battery staple", code: "123456" },
});

export const SetupBody = z.object({ mfaToken: MfaToken }).openapi("MfaSetupRequest");

export const VerifyBody = z.object({
  mfaToken: MfaToken,
  code: Code.optional(),
  recoveryCode: RecoveryCode.optional(),
}).refine(oneFactor, factorError).openapi("MfaVerifyRequest", {
  example: { mfaToken: "mfa_Qm9ndXMtdG9rZW4tZm9yLXRoZS1leGFtcGxlLW9ubHk", code: "123456" },
});

export const VerifyResponse = TokenResponse.extend({
  recoveryCodes: z.array(z.string()).optional().openapi({
    description: "Only when this code confirmed an enrolment required at login: shown once.",
  }),
}).openapi("MfaVerifyResponse");

export const MfaStatus = z.object({
  enabled: z.boolean(),
  confirmedAt: z.string().nullable(),
  recoveryCodesLeft: z.number().int(),
  required: z.boolean().openapi({
    description: "An organisation where you are ADMIN, or the platform, requires it.",
  }),
}).openapi("MfaStatus");

export const OrgSecurity = z.object({
  requireMfaForAdmins: z.boolean().openapi({ example: false }),
}).strict().openapi("OrganizationSecurity");

export type MfaRequiredT = z.infer<typeof MfaRequired>;
export type VerifyResponseT = z.infer<typeof VerifyResponse>;
