import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/openapi.ts";
import { ROLES } from "../../lib/permissions.ts";
import { Email, Password } from "../auth/schemas.ts";

export const CreateUserBody = z.object({
  email: Email.openapi({ example: "nurse.wanjiru@sunrise.clinic" }),
  fullName: z.string().trim().min(2).max(200).openapi({ example: "Grace Wanjiru" }),
  role: z.enum(ROLES).openapi({ example: "NURSE" }),
  facilityId: z.string().uuid().nullable().optional(),
  password: Password.optional().openapi({
    description: "Required for a new account; ignored when the email already has an account " +
      "(that person is added to this organisation and keeps their password).",
  }),
}).openapi("CreateUserRequest");

export const UserPatch = z.object({
  fullName: z.string().trim().min(2).max(200).optional().openapi({ example: "Grace W. Kariuki" }),
  role: z.enum(ROLES).optional(),
  facilityId: z.string().uuid().nullable().optional(),
  active: z.boolean().optional(),
}).refine((o) => Object.keys(o).length > 0, "send at least one field").openapi("UserPatch");

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
