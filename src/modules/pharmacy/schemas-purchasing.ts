import { z } from "@hono/zod-openapi";

const Id = z.string().uuid();

export const SupplierInput = z.object({
  name: z.string().trim().min(2).max(200).openapi({ example: "Mission for Essential Drugs" }),
  phone: z.string().trim().max(40).nullable().optional(),
  email: z.string().trim().email().max(200).nullable().optional(),
  address: z.string().trim().max(500).nullable().optional(),
}).openapi("SupplierInput");

export const Supplier = z.object({
  id: z.string(),
  name: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  address: z.string().nullable(),
  active: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
}).openapi("Supplier");

export const SupplierList = z.object({ data: z.array(Supplier) }).openapi("SupplierList");

export const PurchaseOrderInput = z.object({
  supplierId: Id,
  storeId: Id.optional(),
  notes: z.string().trim().max(1000).nullable().optional(),
  lines: z.array(z.object({
    medicationId: Id,
    quantity: z.number().int().min(1).max(10_000_000),
    unitCost: z.number().int().min(0).max(1_000_000_000).openapi({
      description: "Minor units per base unit",
    }),
  })).min(1).max(200),
}).openapi("PurchaseOrderInput");

export const PurchaseOrder = z.object({
  id: z.string(),
  number: z.string().openapi({ example: "PO-2026-0007" }),
  supplierId: z.string(),
  storeId: z.string(),
  status: z.enum(["draft", "sent", "partially_received", "received", "closed", "cancelled"]),
  sentAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  notes: z.string().nullable(),
  lines: z.array(z.object({
    id: z.string(),
    medicationId: z.string(),
    quantity: z.number().int(),
    unitCost: z.number().int(),
    received: z.number().int(),
  })),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("PurchaseOrder");
