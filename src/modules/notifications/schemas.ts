import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/openapi.ts";

export const CHANNELS = ["webhook", "email"] as const;
export const STATUSES = ["pending", "sending", "sent", "failed", "cancelled"] as const;
export type Channel = typeof CHANNELS[number];
export type Status = typeof STATUSES[number];

export const Notification = z.object({
  id: z.string(),
  channel: z.enum(CHANNELS),
  recipient: z.string().nullable().openapi({ example: "amani@example.org" }),
  kind: z.string().openapi({ example: "appointment.reminder" }),
  subject: z.string(),
  body: z.string(),
  payload: z.record(z.string(), z.unknown()),
  patientId: z.string().nullable(),
  relatedType: z.string().openapi({ example: "appointment" }),
  relatedId: z.string(),
  dueAt: z.string(),
  status: z.enum(STATUSES),
  attempts: z.number().int().openapi({ description: "Attempts since it was created or retried" }),
  nextAttemptAt: z.string(),
  claimedUntil: z.string().nullable(),
  lastError: z.string().nullable(),
  sentAt: z.string().nullable(),
  originSite: z.string().openapi({
    description: 'The site code of the node that delivers it ("" for a standalone or primary)',
  }),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("Notification");

export const DeliveryAttempt = z.object({
  id: z.string(),
  attempt: z.number().int(),
  at: z.string(),
  outcome: z.enum(["sent", "failed"]),
  httpStatus: z.number().int().nullable(),
  smtpResponse: z.string().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().int(),
}).openapi("NotificationDeliveryAttempt");

export const NotificationDetail = Notification.extend({
  deliveryAttempts: z.array(DeliveryAttempt).openapi({
    description: "This server's attempts, oldest first (each node keeps its own log)",
  }),
}).openapi("NotificationDetail");

export const NotificationListQuery = z.object({
  ...PageQuery,
  status: z.enum(STATUSES).optional().openapi({ param: { name: "status", in: "query" } }),
  relatedType: z.string().min(1).max(100).optional().openapi({
    param: { name: "relatedType", in: "query" },
    example: "appointment",
  }),
  relatedId: z.string().min(1).max(100).optional().openapi({
    param: { name: "relatedId", in: "query" },
  }),
  patientId: z.string().uuid().optional().openapi({ param: { name: "patientId", in: "query" } }),
});
