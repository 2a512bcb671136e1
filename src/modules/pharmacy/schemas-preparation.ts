/** API shapes of in-house preparation: work centres, formulas, preparation orders and reports. */
import { z } from "@hono/zod-openapi";
import { PageQuery } from "../../lib/openapi.ts";
import { isoDate } from "../patients/mod.ts";

const Id = z.string().uuid();
const Money = z.number().int().min(0).max(1_000_000_000);
const Quantity = z.number().int().min(1).max(10_000_000);
/** Positive, checked by the service so that zero or less answers 422 naming the field. */
const Amount = z.number().int().min(-10_000_000).max(10_000_000);

export const WorkCentreInput = z.object({
  name: z.string().trim().min(1).max(200).openapi({ example: "Mixing bench" }),
  costPerHour: Money.openapi({
    description: "Minor units of the organisation's currency per hour of work here",
    example: 60000,
  }),
}).openapi("WorkCentreInput");

export const WorkCentrePatch = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  costPerHour: Money.optional(),
  active: z.boolean().optional(),
}).refine((o) => Object.keys(o).length > 0, "send at least one field").openapi({
  example: { costPerHour: 72000 },
}).openapi("WorkCentrePatch");

export const WorkCentre = z.object({
  id: z.string(),
  name: z.string(),
  costPerHour: z.number().int(),
  currency: z.string(),
  active: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("WorkCentre");

export const WorkCentreList = z.object({ data: z.array(WorkCentre) }).openapi("WorkCentreList");

export const FormulaInput = z.object({
  name: z.string().trim().min(1).max(200),
  productId: Id.openapi({ description: "The catalogue medication the formula makes" }),
  batchSize: Amount.openapi({ description: "Base units of the product one batch makes (> 0)" }),
  shelfLifeDays: z.number().int().min(1).max(3650),
  instructions: z.string().trim().max(5000).nullable().optional(),
  ingredients: z.array(z.object({
    medicationId: Id,
    quantity: Amount.openapi({ description: "Base units of the ingredient per batch (> 0)" }),
  })).min(1).max(50),
  steps: z.array(z.object({
    name: z.string().trim().min(1).max(200),
    workCentreId: Id,
    plannedMinutes: z.number().int().min(0).max(100_000),
  })).min(1).max(50).openapi({ description: "In the order they are done; positions from 1" }),
}).openapi({
  example: {
    name: "Paediatric paracetamol syrup 120 mg/5 mL",
    productId: "01936f0e-8a5c-7c4e-9d61-2f8b5a3c1e90",
    batchSize: 1000,
    shelfLifeDays: 90,
    ingredients: [{ medicationId: "01936f0e-8a5c-7c4e-9d61-2f8b5a3c1e91", quantity: 24 }],
    steps: [{
      name: "Mixing",
      workCentreId: "01936f0e-8a5c-7c4e-9d61-2f8b5a3c1e92",
      plannedMinutes: 30,
    }],
  },
}).openapi("FormulaInput");

export const Formula = z.object({
  id: z.string(),
  name: z.string(),
  productId: z.string(),
  batchSize: z.number().int(),
  shelfLifeDays: z.number().int(),
  instructions: z.string().nullable(),
  active: z.boolean(),
  ingredients: z.array(z.object({
    id: z.string(),
    medicationId: z.string(),
    quantity: z.number().int(),
  })),
  steps: z.array(z.object({
    id: z.string(),
    position: z.number().int(),
    name: z.string(),
    workCentreId: z.string(),
    plannedMinutes: z.number().int(),
  })),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("Formula");

export const FormulaList = z.object({ data: z.array(Formula) }).openapi("FormulaList");

export const PreparationOrderInput = z.object({
  formulaId: Id,
  batches: z.number().int().min(1).max(1000).openapi({ example: 2 }),
  storeId: Id.optional().openapi({
    description: "Where ingredients are taken from and the product goes; default the first",
  }),
  assignees: z.record(z.string().regex(/^\d{1,3}$/, "must be a step position"), Id).optional()
    .openapi({ description: "Step position → the staff member who does it" }),
  notes: z.string().trim().max(1000).optional(),
}).openapi("PreparationOrderInput");

export const CancelInput = z.object({
  reason: z.string().trim().min(3).max(1000).openapi({ example: "Ingredient recalled" }),
}).openapi("PreparationCancelInput");

export const StepFinishInput = z.object({
  minutes: z.number().int().min(0).max(100_000).optional().openapi({
    description: "Minutes worked, when not the time between start and finish",
  }),
}).openapi("PreparationStepFinishInput");

export const CompleteInput = z.object({
  batchNumber: z.string().trim().min(1).max(100).optional().openapi({
    description: "Default: the order's number",
  }),
  expiryDate: isoDate.optional().openapi({
    description: "Default: the clinic's today plus the formula's shelf life",
  }),
  outputQuantity: Quantity.optional().openapi({
    description: "Base units actually made (yield); default batches × batch size",
  }),
}).openapi("PreparationCompleteInput");

const Step = z.object({
  id: z.string(),
  orderId: z.string(),
  position: z.number().int(),
  name: z.string(),
  workCentreId: z.string(),
  plannedMinutes: z.number().int(),
  assigneeId: z.string().nullable(),
  status: z.enum(["pending", "in_progress", "done"]),
  startedAt: z.string().nullable(),
  startedBy: z.string().nullable(),
  finishedAt: z.string().nullable(),
  finishedBy: z.string().nullable(),
  actualMinutes: z.number().int().nullable(),
  version: z.number().int(),
}).openapi("PreparationStep");

export const PreparationOrder = z.object({
  id: z.string(),
  number: z.string().openapi({ example: "PREP-2026-0003" }),
  formulaId: z.string(),
  productId: z.string(),
  storeId: z.string(),
  batches: z.number().int(),
  plannedQuantity: z.number().int(),
  status: z.enum(["draft", "confirmed", "in_progress", "done", "cancelled"]),
  reserved: z.array(z.object({ medicationId: z.string(), quantity: z.number().int() }))
    .nullable(),
  steps: z.array(Step),
  outputBatchId: z.string().nullable(),
  outputQuantity: z.number().int().nullable(),
  unitCost: z.number().int().nullable().openapi({
    description: "Minor units per base unit of the product: ingredients plus work",
  }),
  currency: z.string(),
  confirmedAt: z.string().nullable(),
  doneAt: z.string().nullable(),
  cancelReason: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("PreparationOrder");

export const PreparationOrderQuery = z.object({
  ...PageQuery,
  status: z.enum(["draft", "confirmed", "in_progress", "done", "cancelled"]).optional().openapi({
    param: { name: "status", in: "query" },
  }),
});

export const PreparationOrderPage = z.object({
  data: z.array(PreparationOrder),
  nextCursor: z.string().nullable(),
}).openapi("PreparationOrderPage");

export const StepQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(200).openapi({
    param: { name: "limit", in: "query" },
  }),
  mine: z.enum(["true", "false"]).optional().openapi({
    param: { name: "mine", in: "query" },
    description: "Only the steps assigned to the caller",
  }),
  status: z.enum(["pending", "in_progress", "done"]).optional().openapi({
    param: { name: "status", in: "query" },
  }),
});

export const StepList = z.object({
  data: z.array(Step.extend({ orderNumber: z.string(), orderStatus: z.string() })),
}).openapi("PreparationStepList");

export const PositionParam = z.object({
  id: Id.openapi({ param: { name: "id", in: "path" } }),
  position: z.coerce.number().int().min(1).max(999).openapi({
    param: { name: "position", in: "path" },
    example: 1,
  }),
});

const Minutes = z.object({
  plannedMinutes: z.number().int(),
  actualMinutes: z.number().int(),
});

const CostSplit = z.object({
  ingredients: z.number().int().openapi({ description: "Minor units, at consumed batch costs" }),
  work: z.number().int().openapi({
    description: "Minor units: actual minutes × cost per hour / 60, rounded half up",
  }),
  total: z.number().int(),
  perUnit: z.number().int().nullable(),
  currency: z.string(),
});

export const OrderReport = z.object({
  orderId: z.string(),
  number: z.string(),
  status: z.string(),
  steps: z.array(Minutes.extend({
    position: z.number().int(),
    name: z.string(),
    workCentreId: z.string(),
    status: z.string(),
    actualMinutes: z.number().int().nullable(),
  })),
  workCentres: z.array(Minutes.extend({ workCentreId: z.string(), name: z.string() })),
  yield: z.object({
    planned: z.number().int(),
    actual: z.number().int().nullable(),
    percent: z.number().nullable().openapi({ description: "actual / planned × 100, 1 decimal" }),
  }),
  cost: CostSplit,
}).openapi("PreparationOrderReport");

export const PeriodQuery = z.object({
  from: isoDate.optional().openapi({
    param: { name: "from", in: "query" },
    description: "First clinic-local day the orders were done; default 29 days before `to`",
  }),
  to: isoDate.optional().openapi({
    param: { name: "to", in: "query" },
    description: "Last clinic-local day; default today",
  }),
});

export const PeriodReport = z.object({
  from: z.string(),
  to: z.string(),
  orders: z.array(z.object({
    orderId: z.string(),
    number: z.string(),
    productId: z.string(),
    doneAt: z.string(),
    plannedQuantity: z.number().int(),
    outputQuantity: z.number().int(),
    yieldPercent: z.number(),
    plannedMinutes: z.number().int(),
    actualMinutes: z.number().int(),
    cost: CostSplit,
  })),
  workCentres: z.array(Minutes.extend({ workCentreId: z.string(), name: z.string() })),
  totals: z.object({
    plannedQuantity: z.number().int(),
    outputQuantity: z.number().int(),
    yieldPercent: z.number().nullable(),
    plannedMinutes: z.number().int(),
    actualMinutes: z.number().int(),
    ingredients: z.number().int(),
    work: z.number().int(),
  }),
}).openapi("PreparationPeriodReport");
