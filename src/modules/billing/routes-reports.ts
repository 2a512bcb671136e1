/** Billing reports: revenue by day, payer, service or practitioner; ageing; daily closes. */
import { z } from "@hono/zod-openapi";
import { defineRoute } from "../../middleware/define-route.ts";
import { isoDate } from "../patients/mod.ts";
import { XLSX_TYPE } from "../../lib/report-files.ts";

const tags = ["Billing"];

export const BillingReport = z.object({
  kind: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  data: z.array(z.record(z.string(), z.any())),
}).openapi("BillingReport");

const Format = z.enum(["json", "csv", "xlsx"]).default("json");
const Period = {
  from: isoDate.optional().openapi({ description: "First clinic-local day; default 30 days ago" }),
  to: isoDate.optional().openapi({ description: "Last clinic-local day; default today" }),
};

const responses = {
  200: {
    description: "The report",
    content: {
      "application/json": { schema: BillingReport },
      "text/csv": { schema: { type: "string" } as never },
      [XLSX_TYPE]: { schema: { type: "string", format: "binary" } as never },
    },
  },
};

export const revenueReport = defineRoute({
  method: "get",
  path: "/billing/reports/revenue",
  tags,
  access: "billing:reports",
  summary: "Revenue by day, payer, service or practitioner",
  description: "Payments received net of refunds and reversals over clinic-local days. By " +
    "service or practitioner a payment is shared over its invoice's lines in proportion to " +
    "their amounts. `format=csv|xlsx` downloads a file.",
  request: {
    query: z.object({
      by: z.enum(["day", "payer", "service", "practitioner"]).default("day"),
      format: Format,
      ...Period,
    }),
  },
  responses,
});

export const ageingReport = defineRoute({
  method: "get",
  path: "/billing/reports/ageing",
  tags,
  access: "billing:reports",
  summary: "Outstanding invoices by age since issue (0–30, 31–60, 61–90, 90+ days)",
  request: { query: z.object({ format: Format }) },
  responses,
});

export const cashUpReport = defineRoute({
  method: "get",
  path: "/billing/reports/cash-ups",
  tags,
  access: "billing:reports",
  summary: "The history of daily closes",
  request: { query: z.object({ format: Format, ...Period }) },
  responses,
});
