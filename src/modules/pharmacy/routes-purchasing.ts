/** Suppliers and purchase orders. Goods arrive through POST /stock/receipts. */
import { IdParam, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  PurchaseOrder,
  PurchaseOrderInput,
  Supplier,
  SupplierInput,
  SupplierList,
} from "./schemas-purchasing.ts";

const tags = ["Pharmacy and stock"];
const STATES = "States: draft → sent → partially received → received → closed; draft or sent → " +
  "cancelled. Goods are received with POST /stock/receipts naming `purchaseOrderId`; more " +
  "than ordered needs the receipt's `reason`. An illegal move answers 409.";

export const createSupplier = defineRoute({
  method: "post",
  path: "/suppliers",
  tags,
  access: "stock:write",
  summary: "Add a supplier",
  request: { body: jsonBody(SupplierInput) },
  responses: { 201: json(Supplier, "The supplier") },
});

export const listSuppliers = defineRoute({
  method: "get",
  path: "/suppliers",
  tags,
  access: "stock:read",
  summary: "The suppliers",
  responses: { 200: json(SupplierList, "Suppliers by name") },
});

export const createOrder = defineRoute({
  method: "post",
  path: "/purchase-orders",
  tags,
  access: "stock:write",
  summary: "Draft a purchase order",
  description: "Numbered PO-YYYY-NNNN per organisation. " + STATES,
  request: { body: jsonBody(PurchaseOrderInput) },
  responses: { 201: json(PurchaseOrder, "The draft order") },
});

export const readOrder = defineRoute({
  method: "get",
  path: "/purchase-orders/{id}",
  tags,
  access: "stock:read",
  summary: "Read a purchase order with what has arrived",
  request: { params: IdParam },
  responses: { 200: json(PurchaseOrder, "The order") },
});

const step = (name: "send" | "close" | "cancel", summary: string) =>
  defineRoute({
    method: "post",
    path: `/purchase-orders/{id}/${name}`,
    tags,
    access: "stock:write",
    summary,
    description: STATES,
    request: { params: IdParam },
    responses: { 200: json(PurchaseOrder, "The order as it is now") },
  });

export const sendOrder = step("send", "Mark a draft order as sent to the supplier");
export const closeOrder = step("close", "Close an order (received, or no more expected)");
export const cancelOrder = step("cancel", "Cancel an order before anything arrived");
