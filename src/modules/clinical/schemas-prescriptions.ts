import { z } from "@hono/zod-openapi";
import { isoDate } from "../patients/mod.ts";
import { ROUTES } from "./prescription-rules.ts";
import { ItemPracticeInput } from "./practice.ts";

const KINDS = ["allergy", "duplicate_therapy", "interaction", "dose"] as const;

const Frequency = z.union([
  z.object({ timesPerDay: z.number().int().min(1).max(24) }).strict(),
  z.object({ everyHours: z.number().int().min(1).max(72) }).strict(),
  z.object({ asNeeded: z.literal(true), maxPerDay: z.number().int().min(1).max(24) }).strict(),
]).openapi("Frequency", {
  description: "{timesPerDay} | {everyHours} | {asNeeded: true, maxPerDay}",
  example: { timesPerDay: 3 },
});

const ItemFields = z.object({
  medicationId: z.string().uuid().nullable().optional().openapi({
    description: "The catalogue medication prescribed. Its name and generic name fill " +
      "`medication` and `genericName` when those are absent; the pharmacy then dispenses it, " +
      "or another product of the same generic with a reason.",
  }),
  medication: z.string().trim().min(1).max(200).optional().openapi({
    description: "Required without medicationId",
    example: "Amoxil 500 mg capsules",
  }),
  genericName: z.string().trim().min(1).max(200).optional().openapi({
    description: "Required without medicationId",
    example: "amoxicillin",
  }),
  dose: z.number().positive().max(100_000).openapi({ example: 1 }),
  unit: z.string().trim().min(1).max(20).openapi({
    description: "mg, g, mcg, mL, IU, or a counted unit: tablet, capsule, sachet, " +
      "suppository, pessary, patch, puff, drop, ampoule, vial, lozenge, dose",
    example: "capsule",
  }),
  route: z.enum(ROUTES),
  frequency: Frequency,
  durationDays: z.number().int().min(1).max(365).nullable().optional().openapi({ example: 5 }),
  quantity: z.number().positive().max(100_000).nullable().optional().openapi({
    description: "Computed for counted units when absent (dose × doses a day × days); " +
      "required otherwise",
  }),
  instructions: z.string().trim().max(500).nullable().optional().openapi({
    example: "After meals",
  }),
  practice: ItemPracticeInput,
});

const Item = ItemFields.superRefine((item, ctx) => {
  if (item.medicationId) return;
  for (const key of ["medication", "genericName"] as const) {
    if (!item[key]) {
      ctx.addIssue({ code: "custom", path: [key], message: "required without medicationId" });
    }
  }
});

export const PrescriptionInput = z.object({
  encounterId: z.string().uuid(),
  items: z.array(Item).min(1).max(30),
  validUntil: isoDate.optional().openapi({ description: "Default: 30 days (configurable)" }),
  notes: z.string().trim().max(2000).nullable().optional(),
  acknowledgeWarnings: z.array(z.object({
    kind: z.enum(KINDS),
    reason: z.string().trim().min(3).max(500),
  })).max(4).optional().openapi({
    description: "One per warning kind: it covers every warning of that kind.",
  }),
}).openapi("PrescriptionInput");

export const Prescription = z.object({
  id: z.string(),
  number: z.string().openapi({ example: "RX-202612-0042" }),
  encounterId: z.string(),
  patientId: z.string(),
  prescriberId: z.string(),
  status: z.enum(["active", "partially_dispensed", "dispensed", "cancelled", "expired"]),
  issuedOn: z.string(),
  validUntil: z.string(),
  notes: z.string().nullable(),
  acknowledgements: z.array(z.object({
    kind: z.enum(KINDS),
    reason: z.string(),
    warnings: z.array(z.object({ severity: z.string(), detail: z.string() })),
  })),
  cancelledAt: z.string().nullable(),
  cancelReason: z.string().nullable(),
  items: z.array(ItemFields.extend({
    id: z.string(),
    medicationId: z.string().nullable(),
    medication: z.string(),
    genericName: z.string(),
    quantity: z.number(),
  })),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("Prescription");

export const NewPrescription = Prescription.extend({
  unchecked: z.array(z.string()).openapi({
    description: "Medicines the safety tables do not know: not checked",
  }),
}).openapi("NewPrescription");

export const PrescriptionList = z.object({ data: z.array(Prescription) })
  .openapi("PrescriptionList");

export const PatientPrescriptionsQuery = z.object({
  live: z.enum(["true", "false"]).optional().openapi({
    description: "Only those that can still be dispensed",
  }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const PrescriptionCancelInput = z.object({
  reason: z.string().trim().min(1).max(500),
}).openapi("PrescriptionCancelInput");
