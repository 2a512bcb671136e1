import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/openapi.ts";

const isoTime = z.string().datetime({ offset: true, message: "must be an ISO-8601 date-time" });

export const AuditQuery = z.object({
  ...PageQuery,
  actorId: z.string().uuid().optional(),
  patientId: z.string().uuid().optional().openapi({
    description: "Entries concerning this patient, alone or among the patients of a page.",
  }),
  action: z.string().max(100).optional().openapi({ example: "patient.read" }),
  entityType: z.string().max(50).optional(),
  entityId: z.string().max(100).optional(),
  outcome: z.enum(["success", "denied", "failure"]).optional(),
  from: isoTime.optional().openapi({ example: "2026-11-01T00:00:00.000Z" }),
  to: isoTime.optional(),
});

export const AuditEvent = z.object({
  id: z.string(),
  at: z.string(),
  action: z.string(),
  outcome: z.string(),
  actorId: z.string().nullable(),
  actorRole: z.string().nullable(),
  facilityId: z.string().nullable(),
  entityType: z.string().nullable(),
  entityId: z.string().nullable(),
  patientId: z.string().nullable().openapi({
    description: "The patient the event concerned, when it was one.",
  }),
  patientIds: z.array(z.string()).nullable().openapi({
    description:
      "The patients the event concerned, when it was several (a list or search page shows 25): " +
      "one entry per page. `patientId=` finds the entry under each of them.",
  }),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  changedFields: z.array(z.string()).nullable(),
}).openapi("AuditEvent");
