import { IdParam, json, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { Notification, NotificationDetail, NotificationListQuery } from "./schemas.ts";

const tags = ["Notifications"];

export const list = defineRoute({
  method: "get",
  path: "/notifications",
  tags,
  access: "notifications:read",
  summary: "List the organisation's notifications (the outbox), newest first",
  description: "Filter by `status`, by what they are about (`relatedType`, `relatedId`) or by " +
    "`patientId`. Each patient whose notifications a page shows is audited as read.",
  request: { query: NotificationListQuery },
  responses: {
    200: json(PageSchema(Notification, "NotificationPage"), "A page of notifications"),
  },
});

export const read = defineRoute({
  method: "get",
  path: "/notifications/{id}",
  tags,
  access: "notifications:read",
  summary: "Read a notification with this server's delivery attempts",
  description: "Each node keeps the log of its own attempts; a notification is delivered by " +
    "the node that created it (`originSite`).",
  request: { params: IdParam },
  responses: { 200: json(NotificationDetail, "The notification and its delivery attempts") },
});

export const retry = defineRoute({
  method: "post",
  path: "/notifications/{id}/retry",
  tags,
  access: "notifications:write",
  summary: "Queue a failed notification again, due now, with the retry schedule started over",
  description: "409 unless the notification has failed.",
  request: { params: IdParam },
  responses: { 200: json(Notification, "The notification, pending again") },
  errors: [409],
});
