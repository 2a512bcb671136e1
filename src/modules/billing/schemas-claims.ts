/** API shapes of insurance claims. */
import { z } from "@hono/zod-openapi";
import { isoDate } from "../patients/mod.ts";

const Id = z.string().uuid();
const Provider = z.string().trim().min(1).max(120).openapi({ example: "NHIF" });

export const ClaimInput = z.union([
  z.object({
    provider: Provider,
    periodFrom: isoDate.openapi({ example: "2026-03-01" }),
    periodTo: isoDate.openapi({ example: "2026-03-31" }),
  }),
  z.object({ provider: Provider, encounterId: Id }),
]).openapi("ClaimInput", {
  example: { provider: "NHIF", periodFrom: "2026-03-01", periodTo: "2026-03-31" },
});

export const CLAIM_STATUSES = [
  "draft",
  "submitted",
  "approved",
  "partially_approved",
  "rejected",
  "paid",
] as const;

export const Claim = z.object({
  id: z.string(),
  number: z.string().openapi({ example: "CLM-2026-00003" }),
  provider: z.string(),
  scheme: z.string().nullable(),
  periodFrom: z.string().nullable(),
  periodTo: z.string().nullable(),
  encounterId: z.string().nullable(),
  status: z.enum(CLAIM_STATUSES),
  claimed: z.number().int(),
  approved: z.number().int().nullable(),
  paidAmount: z.number().int().nullable(),
  currency: z.string(),
  submittedAt: z.string().nullable(),
  decidedAt: z.string().nullable(),
  paidAt: z.string().nullable(),
  lines: z.array(z.object({
    id: z.string(),
    invoiceId: z.string(),
    invoiceLineId: z.string().nullable(),
    patientId: z.string().nullable(),
    memberNumber: z.string().nullable(),
    claimed: z.number().int(),
    approved: z.number().int().nullable(),
  })),
  version: z.number().int(),
  createdAt: z.string(),
}).openapi("Claim");

export const ClaimList = z.object({ data: z.array(Claim) }).openapi("ClaimList");
export const ClaimQuery = z.object({
  provider: z.string().max(120).optional(),
  status: z.enum(CLAIM_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

export const DecideInput = z.object({
  status: z.enum(["approved", "partially_approved", "rejected"]).openapi({ example: "approved" }),
  approved: z.number().int().min(0).max(1_000_000_000_000).optional().openapi({
    description: "The total approved, shared over the lines in order; or give `lines`",
  }),
  lines: z.array(z.object({ lineId: Id, approved: z.number().int().min(0) })).max(5000)
    .optional(),
  note: z.string().trim().max(1000).optional(),
}).openapi("ClaimDecision");

export const PayClaimInput = z.object({
  amount: z.number().int().min(1).max(1_000_000_000_000).openapi({ example: 8000 }),
}).openapi("ClaimPayment");

export const ExportQuery = z.object({ format: z.enum(["csv", "xlsx"]).default("csv") });
