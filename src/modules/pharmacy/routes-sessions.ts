/** The pharmacy's prescription queue and dispensing sessions (scan, running total, complete). */
import { IdParam, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { Dispensation } from "./schemas.ts";
import {
  CompleteInput,
  DispensingSession,
  QueuePage,
  QueueQuery,
  RemoveInput,
  ScanIntoSession,
  ScanResult,
  SessionInput,
} from "./schemas-sessions.ts";

const tags = ["Pharmacy and stock"];
const SESSION = "A session is open until it is completed (dispensed) or abandoned; any write " +
  "to a closed session answers 409.";

export const queue = defineRoute({
  method: "get",
  path: "/pharmacy/prescriptions",
  tags,
  access: "dispense:write",
  summary: "The prescription queue",
  description: "Prescriptions with something still to dispense (active or partially " +
    "dispensed, not expired), newest first, with each item's prescribed, dispensed and " +
    "remaining quantities. Each entry shown is an audited read of the patient's record.",
  request: { query: QueueQuery },
  responses: { 200: json(QueuePage, "A page of the queue") },
});

export const openSession = defineRoute({
  method: "post",
  path: "/dispensing-sessions",
  tags,
  access: "dispense:write",
  summary: "Start a dispensing session",
  description: "Against a prescription that is still due (409 otherwise), or over the " +
    "counter. Scans then build the running total; nothing leaves stock until the session is " +
    "completed.",
  request: { body: jsonBody(SessionInput) },
  responses: { 201: json(DispensingSession, "The open session with what is due") },
});

export const readSession = defineRoute({
  method: "get",
  path: "/dispensing-sessions/{id}",
  tags,
  access: "dispense:write",
  summary: "Read a dispensing session",
  request: { params: IdParam },
  responses: { 200: json(DispensingSession, "The session, its running total and warnings") },
});

export const scan = defineRoute({
  method: "post",
  path: "/dispensing-sessions/{id}/scans",
  tags,
  access: "dispense:write",
  summary: "Scan a code into the session",
  description: "Adds `quantity` units of the scanned medication and answers the running " +
    "total. A medication that is not on the prescription is not added: the answer is 200 with " +
    "`scan.accepted: false` and the warning. Other warnings (more than prescribed, a " +
    "substitute without a reason, prescription required, short stock) are shown and decided " +
    "when the session is completed. An unknown code answers 422. " + SESSION,
  request: { params: IdParam, body: jsonBody(ScanIntoSession) },
  responses: { 200: json(ScanResult, "The session after the scan, and what the scan did") },
});

export const removeLine = defineRoute({
  method: "post",
  path: "/dispensing-sessions/{id}/remove",
  tags,
  access: "dispense:write",
  summary: "Take a medication out of the session",
  description: "The pack goes back on the shelf: its line leaves the running total. " + SESSION,
  request: { params: IdParam, body: jsonBody(RemoveInput) },
  responses: { 200: json(DispensingSession, "The session without it") },
});

export const complete = defineRoute({
  method: "post",
  path: "/dispensing-sessions/{id}/complete",
  tags,
  access: "dispense:write",
  summary: "Dispense what was scanned",
  description: "Dispenses every line in one transaction, with the rules of POST " +
    "/dispensations (stock, what remains on the prescription, substitution reasons, overrides), " +
    "and closes the session. Two completions racing dispense once; the other answers 409. " +
    SESSION,
  request: { params: IdParam, body: jsonBody(CompleteInput) },
  responses: { 201: json(Dispensation, "The dispensation") },
});

export const abandon = defineRoute({
  method: "post",
  path: "/dispensing-sessions/{id}/abandon",
  tags,
  access: "dispense:write",
  summary: "Abandon a session without dispensing",
  description: SESSION,
  request: { params: IdParam },
  responses: { 200: json(DispensingSession, "The abandoned session") },
});
