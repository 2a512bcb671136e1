import { z } from "@hono/zod-openapi";
import { ROLES } from "../../lib/permissions.ts";

export const PendingRegistration = z.object({
  id: z.string().openapi({ description: "The user's id, as in /users/{id}." }),
  email: z.string(),
  fullName: z.string(),
  phone: z.string().nullable(),
  requestedRole: z.enum(ROLES),
  employeeId: z.string(),
  temporaryUntil: z.string().nullable(),
  temporaryAccess: z.boolean().openapi({
    description: "Whether the account still works on its temporary access.",
  }),
  registeredAt: z.string(),
  version: z.number().int(),
}).openapi("PendingRegistration");

export const PendingList = z.object({ data: z.array(PendingRegistration) })
  .openapi("PendingRegistrationList");

export const ApproveBody = z.object({
  role: z.enum(ROLES).openapi({
    example: "NURSE",
    description: "The role granted; it may differ from the one requested.",
  }),
}).strict().openapi("ApproveRegistrationRequest");

export const RejectBody = z.object({
  reason: z.string().trim().min(3).max(500).openapi({ example: "Not on the staff roster." }),
}).strict().openapi("RejectRegistrationRequest");
