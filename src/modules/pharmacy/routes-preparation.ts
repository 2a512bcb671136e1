/** In-house preparation: work centres, formulas, preparation orders, their steps and reports. */
import { IdParam, IfMatchHeader, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  CancelInput,
  CompleteInput,
  Formula,
  FormulaInput,
  FormulaList,
  OrderReport,
  PeriodQuery,
  PeriodReport,
  PositionParam,
  PreparationOrder,
  PreparationOrderInput,
  PreparationOrderPage,
  PreparationOrderQuery,
  StepFinishInput,
  StepList,
  StepQuery,
  WorkCentre,
  WorkCentreInput,
  WorkCentreList,
  WorkCentrePatch,
} from "./schemas-preparation.ts";

const tags = ["Pharmacy and stock"];
const STATES = "States: draft → confirmed → in_progress → done; draft, confirmed or " +
  "in_progress → cancelled. An illegal move answers 409.";

export const createWorkCentre = defineRoute({
  method: "post",
  path: "/pharmacy/work-centres",
  tags,
  access: "formulas:write",
  summary: "Add a work centre (mixing bench, filling line) with its cost per hour",
  request: { body: jsonBody(WorkCentreInput) },
  responses: { 201: json(WorkCentre, "The work centre") },
});

export const listWorkCentres = defineRoute({
  method: "get",
  path: "/pharmacy/work-centres",
  tags,
  access: "preparation:read",
  summary: "The work centres, by name",
  responses: { 200: json(WorkCentreList, "Work centres") },
});

export const readWorkCentre = defineRoute({
  method: "get",
  path: "/pharmacy/work-centres/{id}",
  tags,
  access: "preparation:read",
  summary: "Read a work centre",
  request: { params: IdParam },
  responses: { 200: json(WorkCentre, "The work centre") },
});

export const updateWorkCentre = defineRoute({
  method: "patch",
  path: "/pharmacy/work-centres/{id}",
  tags,
  access: "formulas:write",
  summary: "Rename a work centre, change its cost per hour, or deactivate it",
  description: "A new cost per hour prices work finished from then on; completed orders keep " +
    "the unit cost they were given.",
  request: { params: IdParam, headers: IfMatchHeader, body: jsonBody(WorkCentrePatch) },
  responses: { 200: json(WorkCentre, "The work centre") },
});

export const createFormula = defineRoute({
  method: "post",
  path: "/pharmacy/formulas",
  tags,
  access: "formulas:write",
  summary: "Add a formula: the bill of materials and work steps of a product",
  description: "Ingredient quantities are base units per batch of `batchSize` base units of " +
    "the product. 422 naming the field for an unknown product, ingredient or work centre, the " +
    "product among its own ingredients, an ingredient listed twice, or a quantity or batch " +
    "size that is not positive.",
  request: { body: jsonBody(FormulaInput) },
  responses: { 201: json(Formula, "The formula") },
});

export const listFormulas = defineRoute({
  method: "get",
  path: "/pharmacy/formulas",
  tags,
  access: "preparation:read",
  summary: "The formulas, by name",
  responses: { 200: json(FormulaList, "Formulas with their ingredients and steps") },
});

export const readFormula = defineRoute({
  method: "get",
  path: "/pharmacy/formulas/{id}",
  tags,
  access: "preparation:read",
  summary: "Read a formula",
  request: { params: IdParam },
  responses: { 200: json(Formula, "The formula") },
});

export const createOrder = defineRoute({
  method: "post",
  path: "/pharmacy/preparation-orders",
  tags,
  access: "preparation:write",
  summary: "Draft a preparation order",
  description: "Numbered PREP-YYYY-NNNN per organisation; the formula's steps are copied, each " +
    "with its assignee from `assignees` (step position → user). " + STATES,
  request: { body: jsonBody(PreparationOrderInput) },
  responses: { 201: json(PreparationOrder, "The draft order") },
});

export const listOrders = defineRoute({
  method: "get",
  path: "/pharmacy/preparation-orders",
  tags,
  access: "preparation:read",
  summary: "Preparation orders",
  request: { query: PreparationOrderQuery },
  responses: { 200: json(PreparationOrderPage, "A page of orders") },
});

export const readOrder = defineRoute({
  method: "get",
  path: "/pharmacy/preparation-orders/{id}",
  tags,
  access: "preparation:read",
  summary: "Read a preparation order with its steps",
  request: { params: IdParam },
  responses: { 200: json(PreparationOrder, "The order") },
});

export const confirmOrder = defineRoute({
  method: "post",
  path: "/pharmacy/preparation-orders/{id}/confirm",
  tags,
  access: "preparation:write",
  summary: "Confirm a draft order, reserving its ingredients",
  description: "Each ingredient's batches × quantity must be available in the order's store: " +
    "unexpired on hand, less what other confirmed or in-progress orders reserve. Otherwise 409 " +
    "naming the short ingredient. Reservations hold between preparation orders only; " +
    "dispensing is not blocked by them (completion checks the stock again). " + STATES,
  request: { params: IdParam },
  responses: { 200: json(PreparationOrder, "The confirmed order with what it reserved") },
});

export const cancelOrder = defineRoute({
  method: "post",
  path: "/pharmacy/preparation-orders/{id}/cancel",
  tags,
  access: "preparation:write",
  summary: "Cancel an order that is not done, releasing its reservation",
  description: STATES,
  request: { params: IdParam, body: jsonBody(CancelInput) },
  responses: { 200: json(PreparationOrder, "The cancelled order") },
});

export const startStep = defineRoute({
  method: "post",
  path: "/pharmacy/preparation-orders/{id}/steps/{position}/start",
  tags,
  access: "preparation:write",
  summary: "Start a step of a confirmed or in-progress order",
  description: "Steps are done in order: a step starts once those before it are finished " +
    "(409 otherwise). The first start puts the order in progress.",
  request: { params: PositionParam },
  responses: { 200: json(PreparationOrder, "The order with its steps") },
});

export const finishStep = defineRoute({
  method: "post",
  path: "/pharmacy/preparation-orders/{id}/steps/{position}/finish",
  tags,
  access: "preparation:write",
  summary: "Finish a started step",
  description: "Its actual minutes are `minutes` when given, else the time since it started " +
    "rounded to the nearest minute. A step not started, or finished already, answers 409.",
  request: { params: PositionParam, body: jsonBody(StepFinishInput) },
  responses: { 200: json(PreparationOrder, "The order with its steps") },
});

export const completeOrder = defineRoute({
  method: "post",
  path: "/pharmacy/preparation-orders/{id}/complete",
  tags,
  access: "preparation:write",
  summary: "Complete an order: consume its ingredients and receive the product",
  description: "Every step must be finished (409). In one transaction, each ingredient's " +
    "unexpired batches are consumed first-expiry-first-out (ledger `preparation_use`) and a " +
    "new batch of the product is received (`preparation_output`, batch number default the " +
    "order's number, expiry default today plus the shelf life). Unit cost = (ingredients at " +
    "the consumed batches' costs + Σ actual minutes × cost per hour / 60) / output, rounded " +
    "half up to minor units. Stock short now answers 409 and nothing is written.",
  request: { params: IdParam, body: jsonBody(CompleteInput) },
  responses: { 200: json(PreparationOrder, "The done order with its batch and unit cost") },
});

export const listSteps = defineRoute({
  method: "get",
  path: "/pharmacy/preparation-steps",
  tags,
  access: "preparation:read",
  summary: "Preparation steps; `mine=true` for the caller's own",
  description: "Steps of orders that are not cancelled, oldest order first.",
  request: { query: StepQuery },
  responses: { 200: json(StepList, "Steps with their order's number and status") },
});

export const orderReport = defineRoute({
  method: "get",
  path: "/pharmacy/preparation-orders/{id}/report",
  tags,
  access: "preparation:read",
  summary: "An order's minutes, yield and cost",
  description: "Planned against actual minutes per step and per work centre, yield (made " +
    "against batches × batch size), and cost split into ingredients (from the ledger) and " +
    "work (at the centres' current costs per hour); `perUnit` is the unit cost set on " +
    "completion.",
  request: { params: IdParam },
  responses: { 200: json(OrderReport, "The report") },
});

export const periodReport = defineRoute({
  method: "get",
  path: "/pharmacy/reports/preparation",
  tags,
  access: "preparation:read",
  summary: "Preparation over a period: minutes, yield and cost per order and work centre",
  description: "Orders done over clinic-local days [from, to].",
  request: { query: PeriodQuery },
  responses: { 200: json(PeriodReport, "The report") },
});
