/**
 * The patient filters shared by search, list and export: plain query parameters, all optional,
 * all combined with AND.
 */
import { z } from "@hono/zod-openapi";
import { isoDate, SEXES, STATUSES } from "../patients/mod.ts";

const q = (name: string, description: string) => ({
  param: { name, in: "query" as const },
  description,
});

/** Zod shape of the filter query parameters; spread it into a route's query object. */
export const PatientFilterQuery = {
  status: z.enum(STATUSES).optional().openapi(q("status", "Only patients with this status.")),
  tags: z.string().max(500).optional()
    .transform((s) => s?.split(",").map((t) => t.trim()).filter(Boolean))
    .openapi(q("tags", "Comma-separated tags; a patient must carry all of them.")),
  sex: z.enum(SEXES).optional().openapi(q("sex", "Only patients of this sex.")),
  ageMin: z.coerce.number().int().min(0).max(150).optional()
    .openapi(q("ageMin", "Minimum age in whole years (today in the organisation's timezone).")),
  ageMax: z.coerce.number().int().min(0).max(150).optional()
    .openapi(q("ageMax", "Maximum age in whole years (today in the organisation's timezone).")),
  registeredFrom: isoDate.optional()
    .openapi(q("registeredFrom", "Registered on or after this day (UTC).")),
  registeredTo: isoDate.optional()
    .openapi(q("registeredTo", "Registered on or before this day (UTC).")),
  lastVisitFrom: isoDate.optional()
    .openapi(q("lastVisitFrom", "Last visit on or after this day (UTC).")),
  lastVisitTo: isoDate.optional()
    .openapi(q("lastVisitTo", "Last visit on or before this day (UTC).")),
  hasAllergy: z.enum(["true", "false"]).optional().transform((s) =>
    s === undefined ? undefined : s === "true"
  ).openapi(q("hasAllergy", "Whether the patient has an active recorded allergy.")),
};

const filterObject = z.object(PatientFilterQuery);
/** Parsed filters, as the services take them. */
export type PatientFilters = Partial<z.output<typeof filterObject>>;

const FILTERS = Object.keys(PatientFilterQuery) as (keyof PatientFilters)[];

/** Whether any filter is set: the unfiltered list and search take shorter, prebuilt paths. */
export const hasFilters = (f: PatientFilters) =>
  FILTERS.some((k) => f[k] !== undefined && !(Array.isArray(f[k]) && f[k].length === 0));
