/** Shapes of the pharmacy's alerts, stores and catalogue changes. */
import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/openapi.ts";

const Id = z.string().uuid();

export const AlertQuery = z.object({
  storeId: Id.optional(),
  expiringWithinDays: z.coerce.number().int().min(0).max(3650).optional().openapi({
    description: "Default: PHARMACY_EXPIRY_ALERT_DAYS (90)",
  }),
});

// negative_stock: clinics apart took a batch below zero (sync); someone must count and adjust.
export const ALERT_KINDS = [
  "negative_stock",
  "out_of_stock",
  "expired",
  "low_stock",
  "expiring",
] as const;

export const Alert = z.object({
  kind: z.enum(ALERT_KINDS),
  medicationId: z.string(),
  medicationName: z.string(),
  storeId: z.string(),
  quantity: z.number().int(),
  reorderLevel: z.number().int().optional(),
  batchId: z.string().optional(),
  batchNumber: z.string().optional(),
  expiryDate: z.string().optional(),
  daysLeft: z.number().int().optional(),
}).openapi("PharmacyAlert");

export const AlertList = z.object({ data: z.array(Alert) }).openapi("PharmacyAlertList");

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM (00:00-23:59)");

export const OpeningHours = z.partialRecord(
  z.enum(["1", "2", "3", "4", "5", "6", "7"]),
  z.array(
    z.tuple([hhmm, hhmm]).refine(([from, to]) => to > from, "the end must come after the start"),
  ).max(10).refine(
    (list) =>
      [...list].sort((x, y) => x[0] < y[0] ? -1 : 1).every((iv, i, s) =>
        !i || iv[0] >= s[i - 1][1]
      ),
    "intervals must not overlap",
  ),
).openapi({
  description: 'Per ISO weekday ("1" Monday … "7" Sunday): intervals [["08:00","17:00"]]; an ' +
    "empty list is closed that day, a missing day is open all day. Default: every day " +
    "00:00-23:59.",
  example: { "1": [["08:00", "17:00"]], "6": [["09:00", "13:00"]], "7": [] },
});

export const StoreInput = z.object({
  name: z.string().trim().min(1).max(200).openapi({ example: "Dispensary" }),
  kind: z.enum(["main", "dispensary", "ward"]).openapi({ example: "dispensary" }),
  facilityId: Id.nullable().optional(),
  openingHours: OpeningHours.optional(),
}).openapi("StoreInput");

export const StorePatch = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  openingHours: OpeningHours.optional(),
  active: z.boolean().optional(),
}).refine((o) => Object.keys(o).length > 0, "send at least one field").openapi({
  example: { name: "Ward 3 store", openingHours: { "7": [] } },
}).openapi("StorePatch");

export const Store = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  facilityId: z.string().nullable(),
  openingHours: z.record(z.string(), z.array(z.tuple([z.string(), z.string()]))),
  active: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("Store");

export const StoreListQuery = z.object({ ...PageQuery });

export const MedicationPatch = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  strength: z.string().trim().max(50).nullable().optional(),
  category: z.string().trim().max(100).nullable().optional(),
  reorderLevel: z.number().int().min(0).max(10_000_000).optional(),
  unitPrice: z.number().int().min(0).max(1_000_000_000).optional().openapi({
    description: "Minor units of the organisation's currency, per base unit",
  }),
  prescriptionRequired: z.boolean().optional(),
  active: z.boolean().optional(),
}).refine((o) => Object.keys(o).length > 0, "send at least one field").openapi({
  example: { reorderLevel: 120 },
}).openapi("MedicationPatch");

export const CodeInput = z.object({
  code: z.string().trim().min(3).max(100).openapi({ example: "5012345678900" }),
}).openapi("MedicationCodeInput");
