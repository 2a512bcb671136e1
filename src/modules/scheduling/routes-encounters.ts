/** Visits (encounters) and the queue. */
import { IdParam, json, jsonBody, PageSchema } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import {
  CallNextInput,
  Encounter,
  EncounterCancelInput,
  EncounterInput,
  EncounterListQuery,
  Queue,
  QueueQuery,
} from "./schemas.ts";

const tags = ["Visits and queue"];
const STATES = "States: waiting → in_consultation → closed; waiting or in_consultation → " +
  "cancelled; waiting → left_without_being_seen. An illegal move answers 409.";

export const open = defineRoute({
  method: "post",
  path: "/encounters",
  tags,
  access: "encounters:write",
  summary: "Open a visit (a walk-in, or the check-in of an appointment)",
  description: "One open visit per patient per facility: 409 with the open one's " +
    "`encounterId`, also when two desks race. With `appointmentId` it is that appointment's " +
    "check-in (same rules). The facility defaults to the caller's. An unknown patient or " +
    "appointment is a 422 naming the field.",
  request: { body: jsonBody(EncounterInput) },
  responses: { 201: json(Encounter, "The visit, waiting in the queue") },
});

export const list = defineRoute({
  method: "get",
  path: "/encounters",
  tags,
  access: "encounters:read",
  summary: "List visits",
  request: { query: EncounterListQuery },
  responses: { 200: json(PageSchema(Encounter, "EncounterPage"), "A page of visits") },
});

export const read = defineRoute({
  method: "get",
  path: "/encounters/{id}",
  tags,
  access: "encounters:read",
  summary: "Read a visit",
  request: { params: IdParam },
  responses: { 200: json(Encounter, "The visit") },
});

export const start = defineRoute({
  method: "post",
  path: "/encounters/{id}/start",
  tags,
  access: "encounters:treat",
  person: true,
  summary: "Start the consultation",
  description: "An unassigned visit goes to whoever starts it; its appointment becomes " +
    "in_progress. " + STATES,
  request: { params: IdParam },
  responses: { 200: json(Encounter, "The visit, in consultation") },
});

export const close = defineRoute({
  method: "post",
  path: "/encounters/{id}/close",
  tags,
  access: "encounters:treat",
  summary: "Close the visit",
  description: "Refused (409, `open` lists what) while another module holds it open, e.g. an " +
    "unsigned note; checked in the closing transaction. Its appointment becomes completed. " +
    STATES,
  request: { params: IdParam },
  responses: { 200: json(Encounter, "The closed visit") },
});

export const cancel = defineRoute({
  method: "post",
  path: "/encounters/{id}/cancel",
  tags,
  access: "encounters:write",
  summary: "Cancel a visit, or record that the patient left without being seen",
  description: "Its appointment is cancelled with the reason. " + STATES,
  request: { params: IdParam, body: jsonBody(EncounterCancelInput) },
  responses: { 200: json(Encounter, "The visit as it ended") },
});

export const queue = defineRoute({
  method: "get",
  path: "/queue",
  tags,
  access: "encounters:read",
  summary: "Who is waiting, in the order to be seen",
  description: "Emergencies first, then urgent, then by arrival. A practitioner's queue " +
    "includes walk-ins nobody has been assigned yet.",
  request: { query: QueueQuery },
  responses: { 200: json(Queue, "Waiting patients, next first") },
});

export const callNext = defineRoute({
  method: "post",
  path: "/queue/next",
  tags,
  access: "encounters:treat",
  person: true,
  summary: "Call the next patient in",
  description: "Starts the first visit of the practitioner's queue (the caller's by default). " +
    "Two practitioners calling at once get two different patients. 404 when nobody waits.",
  request: { body: jsonBody(CallNextInput) },
  responses: { 200: json(Encounter, "The visit now in consultation") },
  errors: [404],
});
