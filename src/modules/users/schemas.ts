import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/openapi.ts";
import { ROLES } from "../../lib/permissions.ts";
import { Email } from "../../lib/schemas.ts";

export const InviteBody = z.object({
  email: Email.openapi({ example: "nurse.wanjiru@sunrise.clinic" }),
  fullName: z.string().trim().min(2).max(200).openapi({
    example: "Grace Wanjiru",
    description: "The name a new account starts with. An existing account keeps its own name.",
  }),
  role: z.enum(ROLES).openapi({ example: "NURSE" }),
  facilityId: z.string().uuid().nullable().optional().openapi({
    description: "Omitted: the inviting admin's facility. null: no facility.",
  }),
}).openapi("InviteRequest");

export const InvitationStatus = z.enum(["pending", "accepted", "revoked", "expired"]);

export const Invitation = z.object({
  id: z.string(),
  email: z.string(),
  fullName: z.string(),
  role: z.enum(ROLES),
  facilityId: z.string().nullable(),
  status: InvitationStatus,
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
  userId: z.string().nullable().openapi({
    description: "The staff member it made, once accepted.",
  }),
  version: z.number().int(),
  createdAt: z.string(),
}).openapi("Invitation");

export const NewInvitation = Invitation.extend({
  code: z.string().openapi({
    example: "7KQ2-M9XD-4HTR",
    description: "Shown once: hand it to the person, who accepts with it and their password " +
      "at POST /auth/invitations/accept. Only its hash is stored.",
  }),
}).openapi("NewInvitation");

export const InvitationListQuery = z.object({
  ...PageQuery,
  status: InvitationStatus.optional(),
});

const EmployeeId = z.string().trim().toUpperCase().regex(
  /^[A-Z0-9][A-Z0-9-]{1,19}$/,
  "2 to 20 letters, digits or hyphens",
);

/**
 * Membership fields only. The name, email and password belong to the person's account, which
 * may be a member of other organisations too: only the person (PATCH /auth/me) changes them.
 */
export const UserPatch = z.object({
  role: z.enum(ROLES).optional(),
  facilityId: z.string().uuid().nullable().optional(),
  active: z.boolean().optional(),
  employeeId: EmployeeId.optional().openapi({ example: "NUR014" }),
}).strict().refine((o) => Object.keys(o).length > 0, "send at least one field").openapi(
  "UserPatch",
);

export const User = z.object({
  id: z.string(),
  email: z.string(),
  fullName: z.string(),
  role: z.enum(ROLES),
  employeeId: z.string().openapi({ example: "NUR001" }),
  facilityId: z.string().nullable(),
  active: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("User");

export const UserListQuery = z.object({
  ...PageQuery,
  role: z.enum(ROLES).optional(),
  active: z.enum(["true", "false"]).optional(),
});
