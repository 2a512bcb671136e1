import { z } from "@hono/zod-openapi";
import { ROLES } from "../../lib/permissions.ts";
import { Email } from "../../lib/schemas.ts";

const NewPassword = z.string().min(1).max(256).openapi({
  example: "violet kettle drums at dawn",
  description: "At least PASSWORD_MIN_LENGTH characters (12 by default), at most 128, any " +
    "characters, no composition rules; one of the most common passwords is refused (422).",
});

export const RegisterBody = z.object({
  organizationCode: z.string().trim().min(1).max(20).openapi({ example: "SUNRISE" }),
  fullName: z.string().trim().min(2).max(200).openapi({ example: "Amina Otieno" }),
  email: Email.openapi({ example: "amina.otieno@example.com" }),
  phone: z.string().trim().regex(/^\+?[0-9 ()-]{5,30}$/, "a phone number").optional()
    .openapi({ example: "+254 712 345678" }),
  requestedRole: z.enum(ROLES).openapi({
    example: "NURSE",
    description: "The role you work in; ADMIN cannot be requested (422).",
  }),
  password: NewPassword,
}).openapi("RegisterRequest");

export const RegisterResponse = z.object({
  status: z.literal("received"),
  detail: z.string(),
}).openapi("RegisterResponse");

/** An email, or an organisation's code with an employee id. */
const AccountName = {
  email: Email.optional().openapi({ example: "amina.otieno@example.com" }),
  organizationCode: z.string().trim().min(1).max(20).optional().openapi({
    description: "With employeeId, instead of email.",
  }),
  employeeId: z.string().trim().min(1).max(20).optional(),
};

function oneName(
  b: { email?: string; organizationCode?: string; employeeId?: string },
  ctx: z.RefinementCtx,
) {
  if (b.email && (b.organizationCode || b.employeeId)) {
    ctx.addIssue({
      code: "custom",
      path: ["email"],
      message: "send either email or organizationCode and employeeId",
    });
  } else if (!b.email) {
    for (const f of ["organizationCode", "employeeId"] as const) {
      if (!b[f]) ctx.addIssue({ code: "custom", path: [f], message: "required without an email" });
    }
  }
}

export const ResetRequestBody = z.object(AccountName).superRefine(oneName)
  .openapi("PasswordResetRequest");

export const ResetRequested = z.object({ status: z.literal("requested"), detail: z.string() })
  .openapi("PasswordResetRequested");

export const ResetConfirmBody = z.object({
  ...AccountName,
  code: z.string().trim().regex(/^\d{6}$/, "6 digits").openapi({ example: "042917" }),
  newPassword: NewPassword,
}).superRefine(oneName).openapi("PasswordResetConfirm");

export const PasswordChanged = z.object({ status: z.literal("changed") })
  .openapi("PasswordChanged");

export const ChangePasswordBody = z.object({
  currentPassword: z.string().min(1).max(256).openapi({ example: "correct horse battery staple" }),
  newPassword: NewPassword,
}).openapi("ChangePasswordRequest");

export const IssuedResetCode = z.object({
  code: z.string().openapi({
    example: "042917",
    description: "Shown once: hand it to the person, who sets a new password with it at " +
      "POST /auth/password-reset/confirm within 30 minutes (5 tries). Only its hash is stored.",
  }),
  expiresAt: z.string(),
}).openapi("IssuedPasswordResetCode");
