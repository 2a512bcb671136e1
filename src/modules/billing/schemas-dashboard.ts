/** API shapes of the admin dashboard. Amounts are null for roles that do not handle money. */
import { z } from "@hono/zod-openapi";
import { isoDate } from "../patients/mod.ts";

const Amount = z.number().int().nullable();

export const DashboardStats = z.object({
  date: z.string().openapi({ description: "Today, in the clinic's timezone" }),
  patientsToday: z.number().int().openapi({ description: "Patients with a visit today" }),
  newRegistrations: z.number().int(),
  appointments: z.object({ scheduled: z.number().int(), walkIn: z.number().int() }),
  revenueToday: Amount.openapi({ description: "Payments received net of refunds" }),
  revenueMonth: Amount,
  outstanding: Amount.openapi({ description: "Σ balance of issued and partially paid invoices" }),
  pharmacyAlerts: z.number().int(),
  currency: z.string(),
}).openapi("DashboardStats");

export const RevenueQuery = z.object({
  days: z.coerce.number().int().min(1).max(366).default(30),
  from: isoDate.optional().openapi({
    description: "The first clinic-local day; default the one that ends the series today",
  }),
});

export const RevenueSeries = z.object({
  from: z.string(),
  to: z.string(),
  currency: z.string(),
  data: z.array(z.object({
    date: z.string(),
    cash: z.number().int(),
    card: z.number().int(),
    mobile_money: z.number().int(),
    bank: z.number().int(),
    insurance: z.number().int(),
    total: z.number().int(),
  })),
}).openapi("RevenueSeries");

export const AppointmentsQuery = z.object({
  from: isoDate.optional().openapi({ description: "First clinic-local day; default today" }),
  to: isoDate.optional().openapi({ description: "Last clinic-local day; default `from`" }),
});

export const AppointmentBreakdown = z.object({
  from: z.string(),
  to: z.string(),
  total: z.number().int(),
  byStatus: z.record(z.string(), z.number().int()),
  byType: z.record(z.string(), z.number().int()),
  walkIns: z.number().int(),
}).openapi("AppointmentBreakdown");

export const ActivityQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const Activity = z.object({
  data: z.array(z.object({
    id: z.string(),
    at: z.string(),
    action: z.string(),
    entityType: z.string().nullable(),
    entityId: z.string().nullable(),
    actor: z.object({ id: z.string(), name: z.string().nullable(), role: z.string().nullable() })
      .nullable(),
    patient: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  })),
}).openapi("ActivityFeed");
