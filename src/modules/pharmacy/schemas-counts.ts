import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/openapi.ts";

const Id = z.string().uuid();
const STATUSES = ["open", "submitted", "posted", "cancelled"] as const;

export const CountInput = z.object({
  storeId: Id.optional().openapi({ description: "Default: the organisation's first store" }),
  medicationIds: z.array(Id).min(1).max(1000).optional().openapi({
    description: "Count only these medications' batches; default every batch of the store",
  }),
  notes: z.string().trim().max(1000).nullable().optional().openapi({
    example: "Month-end count of the dispensary",
  }),
}).openapi("StockCountInput");

export const CountLinesInput = z.object({
  items: z.array(z.object({
    batchId: Id.optional().openapi({ description: "The batch, typed; or name it as below" }),
    code: z.string().trim().min(3).max(100).optional().openapi({
      description: "A scanned medication code, with `batchNumber`",
      example: "5012345678900",
    }),
    medicationId: Id.optional().openapi({ description: "The medication, with `batchNumber`" }),
    batchNumber: z.string().trim().min(1).max(100).optional().openapi({ example: "PCM-2407" }),
    quantity: z.number().int().min(0).max(10_000_000).openapi({
      description: "Units found, in the medication's base unit",
      example: 96,
    }),
  })).min(1).max(500),
  mode: z.enum(["set", "add"]).default("set").openapi({
    description: "`set`: the quantity is the batch's count; `add`: it adds to what was counted " +
      "so far (a second shelf)",
  }),
}).openapi("StockCountLinesInput");

export const SubmitInput = z.object({
  uncountedAsZero: z.boolean().default(false).openapi({
    description: "Take batches nobody counted as found empty; otherwise they refuse the submit",
  }),
}).openapi("StockCountSubmitInput");

export const ApproveInput = z.object({
  note: z.string().trim().min(1).max(1000).openapi({
    example: "Breakage confirmed with the store keeper",
  }),
}).openapi("StockCountApproveInput");

export const CountQuery = z.object({
  ...PageQuery,
  status: z.enum(STATUSES).optional(),
  storeId: Id.optional(),
});

const CountLine = z.object({
  id: z.string(),
  batchId: z.string(),
  medicationId: z.string(),
  medication: z.string(),
  batchNumber: z.string(),
  expiryDate: z.string(),
  unitCost: z.number().int(),
  frozenQuantity: z.number().int(),
  countedQuantity: z.number().int().nullable(),
  countedBy: z.string().nullable(),
  countedAt: z.string().nullable(),
  scannedCode: z.string().nullable(),
  movementsSinceFreeze: z.number().int().openapi({
    description: "Units in (+) and out (−) of the batch since the freeze, this count's own " +
      "variance left out",
  }),
  expectedNow: z.number().int().openapi({ description: "frozenQuantity + movementsSinceFreeze" }),
  variance: z.number().int().nullable().openapi({
    description: "counted − expected: provisional while open, fixed at submit",
  }),
  varianceValue: z.number().int().nullable().openapi({ description: "variance × unit cost" }),
  version: z.number().int(),
});

const CountFields = {
  id: z.string(),
  number: z.string().openapi({ example: "CNT-2026-0003" }),
  storeId: z.string(),
  status: z.enum(STATUSES),
  frozenAt: z.string(),
  submittedAt: z.string().nullable(),
  postedAt: z.string().nullable(),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
  notes: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const StockCount = z.object({
  ...CountFields,
  needsApproval: z.boolean().openapi({
    description: "A variance is above the threshold: an admin approves before it is posted",
  }),
  threshold: z.object({ units: z.number().int(), value: z.number().int().nullable() }),
  currency: z.string(),
  lines: z.array(CountLine),
}).openapi("StockCount");

export const StockCountSummary = z.object({ ...CountFields, lineCount: z.number().int() })
  .openapi("StockCountSummary");
