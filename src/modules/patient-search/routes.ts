import { z } from "@hono/zod-openapi";
import { json, PageQuery } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { PatientFilterQuery } from "./filters.ts";
import { PatientPage, PatientStats } from "./schemas.ts";
import { RESULT_MAX } from "./rank.ts";

const tags = ["Patients"];

export const list = defineRoute({
  method: "get",
  path: "/patients",
  tags,
  access: "patients:read",
  summary: "Search or list patients",
  description: "With `q`: one search box over names (prefix, case and accents ignored, one typo " +
    "or swapped pair of letters tolerated), phone numbers (any formatting; the last digits " +
    "suffice), MRNs (with or without the prefix and leading zeros) and document ids (any " +
    "punctuation). Results are ranked: identifier matches, then phone matches, then names " +
    "(exact before prefix before typo, every word must match), then by family and given " +
    `name. One search returns at most the best ${RESULT_MAX} matches: refine the search ` +
    "(more words, filters) rather than paging far. Its cursor is a position in that ranked " +
    "list, so a record changed between pages may move.\n\nWithout `q`: every patient, " +
    "keyset-paginated in `sort` order.\n\nFilters apply to both. Merged and deleted records " +
    "never appear. Every patient shown is audited as patient.list.",
  request: {
    query: z.object({
      q: z.string().max(200).optional().openapi({
        param: { name: "q", in: "query" },
        description: "Name, phone number, MRN or document id.",
        example: "mary kamau",
      }),
      sort: z.enum(["createdAt", "-createdAt", "familyName", "-familyName"]).default("-createdAt")
        .openapi({
          param: { name: "sort", in: "query" },
          description: "Order of the list without `q` (search results are ranked).",
        }),
      ...PatientFilterQuery,
      ...PageQuery,
    }),
  },
  responses: { 200: json(PatientPage, "One page of patients") },
});

export const stats = defineRoute({
  method: "get",
  path: "/patients/stats",
  tags,
  access: "patients:read",
  summary: "Patient statistics for the dashboard",
  description: "Listed patients (merged and deleted excluded) by status, sex and age band " +
    "(age from today in the organisation's timezone; no birth date counts as unknown), and " +
    "registrations since the start of this week (Monday) and month, in the organisation's " +
    "timezone.",
  responses: { 200: json(PatientStats, "Counts") },
});
