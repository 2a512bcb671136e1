import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/openapi.ts";

export const FacilityInput = z.object({
  name: z.string().trim().min(2).max(200).openapi({ example: "Westlands Branch" }),
  code: z.string().trim().toUpperCase().regex(/^[A-Z0-9-]{1,20}$/, "1-20 letters, digits or -")
    .openapi({ example: "WEST" }),
  address: z.string().trim().max(500).nullable().optional().openapi({ example: "12 Ring Rd" }),
  phone: z.string().trim().max(40).nullable().optional().openapi({ example: "+254 700 000 000" }),
}).openapi("FacilityInput");

export const FacilityPatch = FacilityInput.partial().extend({ active: z.boolean().optional() })
  .refine((o) => Object.keys(o).length > 0, "send at least one field")
  .openapi("FacilityPatch");

export const Facility = z.object({
  id: z.string(),
  name: z.string(),
  code: z.string(),
  address: z.string().nullable(),
  phone: z.string().nullable(),
  active: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("Facility");

export const FacilityListQuery = z.object({
  ...PageQuery,
  active: z.enum(["true", "false"]).optional(),
});
