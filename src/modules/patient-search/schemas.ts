import { z } from "@hono/zod-openapi";
import { PageSchema } from "../../lib/openapi.ts";
import { Patient } from "../patients/mod.ts";

export const PatientPage = PageSchema(Patient, "PatientPage");

const counts = (example: Record<string, number>) =>
  z.record(z.string(), z.number().int()).openapi({ example });

export const PatientStats = z.object({
  total: z.number().int(),
  byStatus: counts({ active: 120, inactive: 4, deceased: 2, moved: 1 }),
  bySex: counts({ female: 70, male: 55, other: 1, unknown: 1 }),
  byAgeBand: counts({
    "0-4": 10,
    "5-14": 15,
    "15-24": 20,
    "25-44": 40,
    "45-64": 30,
    "65+": 10,
    unknown: 2,
  }),
  newThisWeek: z.number().int(),
  newThisMonth: z.number().int(),
}).openapi("PatientStats");
