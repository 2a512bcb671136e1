import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/openapi.ts";
import { isoDate } from "../patients/mod.ts";

const Id = z.string().uuid();
const Money = z.number().int().min(0).max(1_000_000_000).openapi({
  description: "Minor units of the organisation's currency (cents), per base unit",
});

export const MedicationInput = z.object({
  name: z.string().trim().min(1).max(200).openapi({ example: "Amoxil 500 mg capsules" }),
  genericName: z.string().trim().min(1).max(200).openapi({ example: "amoxicillin" }),
  form: z.string().trim().min(1).max(40).openapi({ example: "capsule" }),
  strength: z.string().trim().max(50).nullable().optional().openapi({ example: "500 mg" }),
  category: z.string().trim().max(100).nullable().optional(),
  unit: z.string().trim().min(1).max(20).default("tablet").openapi({ example: "capsule" }),
  packSize: z.number().int().min(1).max(100_000).nullable().optional(),
  codes: z.array(z.string().trim().min(3).max(100)).max(20).optional().openapi({
    description: "Barcodes (EAN/GTIN), QR or supplier codes; unique in the organisation",
    example: ["5012345678900"],
  }),
  reorderLevel: z.number().int().min(0).max(10_000_000).openapi({ example: 100 }),
  unitPrice: Money.openapi({ example: 500 }),
  prescriptionRequired: z.boolean().openapi({ example: true }),
}).openapi("MedicationInput");

export const Medication = z.object({
  id: z.string(),
  name: z.string(),
  genericName: z.string(),
  form: z.string(),
  strength: z.string().nullable(),
  category: z.string().nullable(),
  unit: z.string(),
  packSize: z.number().int().nullable(),
  codes: z.array(z.string()),
  reorderLevel: z.number().int(),
  unitPrice: z.number().int(),
  currency: z.string(),
  prescriptionRequired: z.boolean(),
  active: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("Medication");

export const MedicationListQuery = z.object({
  ...PageQuery,
  q: z.string().trim().max(100).optional(),
});

export const ScanInput = z.object({
  code: z.string().trim().min(1).max(200).openapi({ example: "4006381333931" }),
}).openapi("ScanInput");

export const StockRow = z.object({
  batchId: z.string(),
  medicationId: z.string(),
  batchNumber: z.string(),
  expiryDate: z.string(),
  quantity: z.number().int(),
  storeId: z.string(),
  unitCost: z.number().int(),
}).openapi("StockRow");

export const ScanResult = z.object({
  medication: Medication.nullable(),
  batches: z.array(StockRow),
  prescription: z.record(z.string(), z.any()).nullable().openapi({
    description: "When the code is a prescription number (the QR on a printed prescription)",
  }),
}).openapi("ScanResult");

export const ReceiptInput = z.object({
  storeId: Id.optional().openapi({ description: "Default: the organisation's first store" }),
  supplierId: Id.optional(),
  purchaseOrderId: Id.optional().openapi({
    description: "Goods against this order: counted on its lines, store and supplier from it",
  }),
  reason: z.string().trim().max(500).optional().openapi({
    description: "Required when a line receives more than ordered",
  }),
  items: z.array(z.object({
    medicationId: Id,
    batchNumber: z.string().trim().min(1).max(60).openapi({ example: "AMX2411A" }),
    expiryDate: isoDate,
    quantity: z.number().int().min(1).max(10_000_000),
    unitCost: Money,
  })).min(1).max(200),
}).openapi("ReceiptInput");

export const ReceiptResult = z.object({
  id: z.string(),
  storeId: z.string(),
  movements: z.array(z.object({ id: z.string(), batchId: z.string(), quantity: z.number() })),
  version: z.number().int(),
}).openapi("ReceiptResult");

export const StockQuery = z.object({
  medicationId: Id.optional(),
  storeId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});

export const StockList = z.object({ data: z.array(StockRow) }).openapi("StockList");

export const MovementQuery = z.object({
  ...PageQuery,
  medicationId: Id.optional(),
  batchId: Id.optional(),
});

export const Movement = z.object({
  id: z.string(),
  medicationId: z.string(),
  batchId: z.string(),
  storeId: z.string(),
  type: z.string(),
  quantity: z.number().int(),
  quantityBefore: z.number().int(),
  quantityAfter: z.number().int(),
  actorId: z.string().nullable(),
  reason: z.string().nullable(),
  scannedCode: z.string().nullable(),
  documentType: z.string().nullable(),
  documentId: z.string().nullable(),
  patientId: z.string().nullable(),
  at: z.string(),
}).openapi("Movement");

export const MovementPage = z.object({
  data: z.array(Movement),
  nextCursor: z.string().nullable(),
}).openapi("MovementPage");

export const DispenseInput = z.object({
  prescriptionId: Id.optional(),
  patientId: Id.optional().openapi({ description: "Over the counter: optional" }),
  storeId: Id.optional(),
  items: z.array(
    z.object({
      medicationId: Id.optional(),
      code: z.string().trim().min(1).max(200).optional().openapi({
        description: "A scanned barcode instead of medicationId",
      }),
      quantity: z.number().int().min(1).max(100_000),
      substitutionReason: z.string().trim().min(3).max(500).optional().openapi({
        description: "Dispensing another product of the prescribed generic",
      }),
    }).refine((i) => i.medicationId || i.code, "give medicationId or code"),
  ).min(1).max(50),
  override: z.object({ reason: z.string().trim().min(3).max(500) }).optional().openapi({
    description: "More than prescribed, or a prescription-only medicine without a " +
      "prescription: needs pharmacy:override",
  }),
}).openapi("DispenseInput");

export const Dispensation = z.object({
  id: z.string(),
  prescriptionId: z.string().nullable(),
  prescriptionStatus: z.string().nullable(),
  patientId: z.string().nullable(),
  storeId: z.string(),
  total: z.number().int(),
  currency: z.string(),
  overrideReason: z.string().nullable(),
  items: z.array(z.object({
    medicationId: z.string(),
    batchId: z.string(),
    batchNumber: z.string(),
    expiryDate: z.string(),
    quantity: z.number().int(),
    unitPrice: z.number().int(),
  })),
  at: z.string(),
  version: z.number().int(),
}).openapi("Dispensation");

export const AdjustmentInput = z.object({
  batchId: Id,
  type: z.enum(["adjust", "damage", "expire"]),
  quantity: z.number().int().min(-10_000_000).max(10_000_000).refine((q) => q !== 0, "not 0")
    .openapi({ description: "Signed for adjust; the units written off for damage and expire" }),
  reason: z.string().trim().min(3).max(500),
}).openapi("AdjustmentInput");

export const ReturnInput = z.object({
  items: z.array(z.object({
    batchId: Id,
    quantity: z.number().int().min(1).max(100_000),
  })).min(1).max(50),
  reason: z.string().trim().min(3).max(500),
}).openapi("ReturnInput");

export const MovementList = z.object({ data: z.array(Movement) }).openapi("MovementList");

export const ReportQuery = z.object({
  format: z.enum(["json", "csv", "xlsx"]).default("json"),
  storeId: Id.optional(),
  from: isoDate.optional().openapi({
    description: "reports over a period: first clinic-local day",
  }),
  to: isoDate.optional().openapi({ description: "reports over a period: last clinic-local day" }),
});

export const MovementReportQuery = ReportQuery.extend({
  type: z.enum([
    "receive",
    "dispense",
    "return",
    "transfer_out",
    "transfer_in",
    "adjust",
    "damage",
    "expire",
    "count_variance",
    "preparation_use",
    "preparation_output",
  ]).optional().openapi({ description: "Only movements of this type" }),
});

export const Report = z.object({
  kind: z.enum(["valuation", "consumption", "movements", "expiry_losses"]),
  from: z.string().nullable(),
  to: z.string().nullable(),
  data: z.array(z.record(z.string(), z.any())),
}).openapi("StockReport");
