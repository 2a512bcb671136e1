import { z } from "@hono/zod-openapi";
import { ROLES } from "../../lib/permissions.ts";
import { Email, Password } from "../../lib/schemas.ts";

export const LoginBody = z.object({
  email: Email.optional().openapi({
    description: "Sign in by email, or by organizationCode and employeeId.",
  }),
  organizationCode: z.string().trim().min(1).max(20).optional().openapi({
    example: "SUNRISE",
    description: "With employeeId: employee ids are unique only within an organisation.",
  }),
  employeeId: z.string().trim().min(1).max(20).optional().openapi({ example: "DOC001" }),
  password: z.string().min(1).max(256).openapi({ example: "correct horse battery staple" }),
  organizationId: z.string().uuid().optional().openapi({
    description: "Organisation to act in; defaults to the user's first active membership " +
      "(for a platform super admin: the platform; by employee id: that organisation).",
  }),
}).superRefine((b, ctx) => {
  if (b.email && (b.organizationCode || b.employeeId)) {
    ctx.addIssue({
      code: "custom",
      path: ["email"],
      message: "send either email or organizationCode and employeeId, not both",
    });
  } else if (!b.email) {
    for (const field of ["organizationCode", "employeeId"] as const) {
      if (!b[field]) {
        ctx.addIssue({
          code: "custom",
          path: [field],
          message: "required when signing in without an email",
        });
      }
    }
  }
}).openapi("LoginRequest", {
  example: { email: "admin@demo.clinic", password: "correct horse battery staple" },
});

export const RefreshBody = z.object({
  refreshToken: z.string().min(1).max(200),
}).openapi("RefreshRequest");

export const SwitchBody = z.object({
  organizationId: z.string().uuid().nullable().openapi({
    description: "An organisation you are an active member of, or null (super admin only) for " +
      "a platform session.",
  }),
}).openapi("SwitchOrganizationRequest");

export const AcceptInvitationBody = z.object({
  code: z.string().trim().min(1).max(40).openapi({ example: "7KQ2-M9XD-4HTR" }),
  password: Password.openapi({
    description: "Your password if the invited address already has an account; otherwise the " +
      "password of the new account.",
  }),
  fullName: z.string().trim().min(2).max(200).optional().openapi({
    description: "For a new account: your name, if the invitation spelt it wrong. An existing " +
      "account keeps its name.",
  }),
}).openapi("AcceptInvitationRequest");

export const UpdateMeBody = z.object({
  fullName: z.string().trim().min(2).max(200).openapi({ example: "Grace W. Kariuki" }),
}).strict().openapi("UpdateMeRequest");

export const MembershipSummary = z.object({
  organizationId: z.string(),
  organizationName: z.string(),
  organizationCode: z.string(),
  role: z.enum(ROLES),
  employeeId: z.string(),
}).openapi("MembershipSummary");

export const SessionUser = z.object({
  id: z.string(),
  email: z.string(),
  fullName: z.string(),
  role: z.string().openapi({ example: "ADMIN" }),
  organizationId: z.string().nullable(),
  facilityId: z.string().nullable(),
  isSuperAdmin: z.boolean(),
  organizations: z.array(MembershipSummary),
}).openapi("SessionUser");

export const TokenResponse = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().int().openapi({ description: "Access-token lifetime in seconds." }),
  tokenType: z.literal("Bearer"),
  user: SessionUser,
}).openapi("TokenResponse");

export type SessionUserT = z.infer<typeof SessionUser>;
export type TokenResponseT = z.infer<typeof TokenResponse>;

export const Session = z.object({
  id: z.string(),
  organizationId: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string().openapi({
    description: "When the session ends whatever its use (SESSION_MAX_HOURS after login).",
  }),
  lastUsedAt: z.string().openapi({
    description: "Its last refresh or request, to within a minute; the idle timeout " +
      "(SESSION_IDLE_TIMEOUT_MINUTES) counts from here.",
  }),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  device: z.string().nullable().openapi({ example: "Firefox 128 on Android" }),
  current: z.boolean().openapi({ description: "The session this request was made with." }),
}).openapi("Session");

export const SessionList = z.object({ data: z.array(Session) }).openapi("SessionList");
