/** The admin dashboard: cheap figures in the clinic's timezone. */
import { json } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  Activity,
  ActivityQuery,
  AppointmentBreakdown,
  AppointmentsQuery,
  DashboardStats,
  RevenueQuery,
  RevenueSeries,
} from "./schemas-dashboard.ts";

const tags = ["Dashboard"];

export const stats = defineRoute({
  method: "get",
  path: "/dashboard/stats",
  tags,
  access: "dashboard:read",
  summary: "Today's figures",
  description: "Patients seen and registered today, appointments booked vs walk-ins, revenue " +
    "today and this month (payments net of refunds), outstanding balance and pharmacy alerts, " +
    "in the clinic's timezone. Amounts are null for roles without `invoices:read`.",
  responses: { 200: json(DashboardStats, "The figures") },
});

export const revenue = defineRoute({
  method: "get",
  path: "/dashboard/revenue",
  tags,
  access: "invoices:read",
  summary: "Revenue per clinic-local day by payment method",
  description: "The last `days` days, today included, every day present (zeros too).",
  request: { query: RevenueQuery },
  responses: { 200: json(RevenueSeries, "The series") },
});

export const appointmentsBreakdown = defineRoute({
  method: "get",
  path: "/dashboard/appointments",
  tags,
  access: "dashboard:read",
  summary: "A day's appointments by status and type, and its walk-ins",
  request: { query: AppointmentsQuery },
  responses: { 200: json(AppointmentBreakdown, "The breakdown") },
});

export const activity = defineRoute({
  method: "get",
  path: "/dashboard/activity",
  tags,
  access: "dashboard:read",
  summary: "Recent changes from the audit trail",
  description: "Newest first; reads are left out. The patient a change concerned is shown " +
    "only to roles that may read patients.",
  request: { query: ActivityQuery },
  responses: { 200: json(Activity, "The feed") },
});
