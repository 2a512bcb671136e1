import { json, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { AuditEvent, AuditQuery } from "./schemas.ts";

export const list = defineRoute({
  method: "get",
  path: "/audit-events",
  tags: ["Audit"],
  access: "audit:read",
  summary: "Search the organisation's audit trail (read-only)",
  description: "Newest first. Reads are recorded in batches, so the latest few hundred " +
    "milliseconds of reads may not be listed yet. No operation changes or deletes an entry.",
  request: { query: AuditQuery },
  responses: { 200: json(PageSchema(AuditEvent, "AuditEventPage"), "A page of audit events") },
});

export const listPlatform = defineRoute({
  method: "get",
  path: "/platform/audit-events",
  tags: ["Audit"],
  access: "platform:audit:read",
  summary: "Search the platform's audit trail (read-only)",
  description: "What belongs to no organisation: failed logins and invitation attempts of " +
    "unknown addresses or accounts without an organisation, rate-limit refusals not tied to " +
    "an account, and platform sessions. Same filters and order as /audit-events.",
  request: { query: AuditQuery },
  responses: { 200: json(PageSchema(AuditEvent, "AuditEventPage"), "A page of audit events") },
});
