import { z } from "@hono/zod-openapi";
import { PageQuery, PageSchema } from "../../lib/openapi.ts";

const Id = z.string().uuid();
const Money = z.number().int().openapi({
  description: "Minor units of the organisation's currency",
});

export const QueueQuery = z.object({
  ...PageQuery,
  status: z.enum(["active", "partially_dispensed"]).optional().openapi({
    description: "Default: both",
  }),
  patientId: Id.optional(),
  prescriberId: Id.optional(),
  number: z.string().trim().max(40).optional().openapi({
    description: "A prescription number, or its beginning",
    example: "RX-202612",
  }),
});

const DueItem = z.object({
  id: z.string(),
  medicationId: z.string().nullable(),
  medication: z.string(),
  genericName: z.string(),
  prescribed: z.number(),
  dispensed: z.number(),
  remaining: z.number(),
  durationDays: z.number().int().nullable(),
  instructions: z.string().nullable(),
});

export const QueueEntry = z.object({
  id: z.string(),
  number: z.string(),
  status: z.enum(["active", "partially_dispensed"]),
  patient: z.object({ id: z.string(), mrn: z.string(), name: z.string() }),
  prescriberId: z.string(),
  issuedOn: z.string(),
  validUntil: z.string(),
  createdAt: z.string(),
  items: z.array(DueItem),
}).openapi("PrescriptionQueueEntry");

export const QueuePage = PageSchema(QueueEntry, "PrescriptionQueuePage");

export const SessionInput = z.object({
  prescriptionId: Id.optional().openapi({ description: "Scan against this prescription" }),
  patientId: Id.optional().openapi({ description: "Over the counter: optional" }),
  storeId: Id.optional(),
}).openapi("DispensingSessionInput");

export const ScanIntoSession = z.object({
  code: z.string().trim().min(1).max(200).openapi({ example: "5000158062078" }),
  quantity: z.number().int().min(1).max(100_000).default(1).openapi({
    description: "Units (base unit) this scan stands for: 1 for a unit, the pack size for a pack",
  }),
  substitutionReason: z.string().trim().min(3).max(500).optional().openapi({
    description: "Handing over another product of the prescribed generic",
  }),
}).openapi("ScanIntoSession");

const Warning = z.object({
  kind: z.enum([
    "not_on_prescription",
    "more_than_prescribed",
    "prescription_required",
    "substitution",
    "short_stock",
  ]),
  medicationId: z.string(),
  message: z.string(),
});

export const SessionLine = z.object({
  medicationId: z.string(),
  name: z.string(),
  genericName: z.string(),
  code: z.string().nullable(),
  quantity: z.number().int(),
  unit: z.string(),
  unitPrice: Money,
  amount: Money,
  substitutionReason: z.string().nullable(),
  prescriptionItemId: z.string().nullable(),
  available: z.number().int().openapi({
    description: "Dispensable (unexpired) units in the store",
  }),
});

export const DispensingSession = z.object({
  id: z.string(),
  status: z.enum(["open", "completed", "abandoned"]),
  prescriptionId: z.string().nullable(),
  prescriptionNumber: z.string().nullable(),
  patientId: z.string().nullable(),
  storeId: z.string(),
  lines: z.array(SessionLine),
  totals: z.object({ quantity: z.number().int(), amount: Money, currency: z.string() }),
  due: z.array(DueItem).openapi({ description: "The prescription's items and what remains" }),
  warnings: z.array(Warning).openapi({
    description: "What completing would refuse or what needs a second look",
  }),
  dispensationId: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("DispensingSession");

export const ScanResult = DispensingSession.extend({
  scan: z.object({
    accepted: z.boolean(),
    medicationId: z.string(),
    warning: Warning.nullable(),
  }),
}).openapi("DispensingSessionScan");

export const RemoveInput = z.object({ medicationId: Id }).openapi("RemoveFromSession");

export const CompleteInput = z.object({
  override: z.object({ reason: z.string().trim().min(3).max(500) }).optional().openapi({
    description: "More than prescribed, or a prescription-only medicine without a " +
      "prescription: needs pharmacy:override",
  }),
}).openapi("CompleteDispensingSession");
