/** Alerts, stores and changes to the catalogue. */
import { IdParam, IfMatchHeader, json, jsonBody, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { Medication } from "./schemas.ts";
import {
  AlertList,
  AlertQuery,
  CodeInput,
  MedicationPatch,
  Store,
  StoreInput,
  StoreListQuery,
  StorePatch,
} from "./schemas-catalogue.ts";

const tags = ["Pharmacy and stock"];

export const alerts = defineRoute({
  method: "get",
  path: "/pharmacy/alerts",
  tags,
  access: "stock:read",
  summary: "Stock alerts: out of stock, expired, low stock, expiring",
  description: "Computed when asked, per medication and store: `out_of_stock` (an active " +
    "medication once received, none on hand in unexpired batches), `low_stock` (on hand below " +
    "its reorder level), and per batch with stock `expired` (past its expiry date, by the " +
    "clinic's date) and `expiring` (within `expiringWithinDays`, default " +
    "PHARMACY_EXPIRY_ALERT_DAYS). Sorted in that order of kinds, most urgent first.",
  request: { query: AlertQuery },
  responses: { 200: json(AlertList, "The alerts") },
});

export const createStore = defineRoute({
  method: "post",
  path: "/stores",
  tags,
  access: "stores:write",
  summary: "Add a store (main store, dispensary, ward)",
  description: "Opening hours per ISO weekday, each interval's end after its start and none " +
    "overlapping (400 naming the field); default every day 00:00-23:59. An unknown facility " +
    "answers 422.",
  request: { body: jsonBody(StoreInput) },
  responses: { 201: json(Store, "The store") },
});

export const listStores = defineRoute({
  method: "get",
  path: "/stores",
  tags,
  access: "stock:read",
  summary: "The organisation's stores",
  request: { query: StoreListQuery },
  responses: { 200: json(PageSchema(Store, "StorePage"), "A page of stores") },
});

export const readStore = defineRoute({
  method: "get",
  path: "/stores/{id}",
  tags,
  access: "stock:read",
  summary: "Read a store",
  request: { params: IdParam },
  responses: { 200: json(Store, "The store") },
});

export const updateStore = defineRoute({
  method: "patch",
  path: "/stores/{id}",
  tags,
  access: "stores:write",
  summary: "Rename a store, change its opening hours, or deactivate it",
  description: "Days sent in `openingHours` replace those days; days left out are open all day.",
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(StorePatch) },
  responses: { 200: json(Store, "The store") },
});

export const updateMedication = defineRoute({
  method: "patch",
  path: "/medications/{id}",
  tags,
  access: "medications:write",
  summary: "Change a medication of the catalogue",
  description: "Name, strength, category, reorder level, price (minor units), whether it " +
    "needs a prescription, and `active` (an inactive one raises no alerts).",
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(MedicationPatch) },
  responses: { 200: json(Medication, "The medication") },
});

export const addCode = defineRoute({
  method: "post",
  path: "/medications/{id}/codes",
  tags,
  access: "medications:write",
  summary: "Add a barcode, QR or supplier code to a medication",
  description: "A code another medication of the organisation has answers 409; one this " +
    "medication has already changes nothing.",
  request: { params: IdParam, body: jsonBody(CodeInput) },
  responses: { 201: json(Medication, "The medication with its codes") },
});
