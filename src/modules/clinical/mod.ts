/**
 * Clinical care: vital signs and consultation notes on the visits the front desk opens. A visit
 * with an unsigned note cannot close (its `encounter.close` gate).
 */
import {
  clinicalNotes,
  clinicalTemplates,
  prescriptionItems,
  prescriptions,
  vitalObservations,
} from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { routesOf } from "../../lib/router.ts";
import {
  registerNoteHandlers,
  registerPrescriptionHandlers,
  registerVitalsHandlers,
} from "./handlers.ts";
import { registerTemplateHandlers } from "./handlers-templates.ts";
import { patientPrescriptions } from "./prescriptions.ts";
import { unsignedNotes } from "./notes.ts";
import { latestVitals } from "./vitals.ts";

export { Note, Observation } from "./schemas.ts";
/**
 * The PDF parts other modules print with (billing's receipts), in the same font and layout.
 * Loaded on first use: pdf-lib and fontkit take ~0.3 s to load, a third of a cold start.
 */
export const loadPdfKit = () => import("./pdf/kit.ts");

export const clinicalModule = defineModule({
  name: "clinical",
  routes: routesOf(
    registerVitalsHandlers,
    registerNoteHandlers,
    registerPrescriptionHandlers,
    registerTemplateHandlers,
  ),
  permissions: {
    // Reception sees that a visit exists (scheduling), never what it holds.
    "clinical:read": ["DOCTOR", "NURSE"],
    "vitals:write": ["DOCTOR", "NURSE"],
    "notes:write": ["DOCTOR"],
    "prescriptions:read": ["DOCTOR", "NURSE", "PHARMACY"],
    "prescriptions:write": ["DOCTOR"],
    // Templates are clinical content (diagnoses, doses): written by those who prescribe, read by
    // nurses too. Sharing one with the whole organisation is a right of its own, so that it can
    // be narrowed to some role without touching the code.
    "templates:read": ["DOCTOR", "NURSE"],
    "templates:write": ["DOCTOR"],
    "templates:share": ["DOCTOR"],
  },
  tables: [
    { table: vitalObservations, sync: "merge", versioned: true },
    // A signed note is changed by amendment only, so two sides changing one concurrently is for
    // a person to reconcile.
    { table: clinicalNotes, sync: "queue", versioned: true },
    // Dispensing (the pharmacy issue) changes a prescription's status; two sides doing so
    // apart is for a person to reconcile.
    { table: prescriptions, sync: "queue", versioned: true },
    { table: prescriptionItems, sync: "queue", versioned: true },
    { table: clinicalTemplates, sync: "merge", versioned: true },
  ],
  patientReferences: [
    vitalObservations.patientId,
    clinicalNotes.patientId,
    prescriptions.patientId,
  ],
  gates: { "encounter.close": unsignedNotes },
  summarySections: {
    latestVitals: { permission: "clinical:read", load: latestVitals },
    activePrescriptions: {
      permission: "prescriptions:read",
      load: (deps, a, patientId) => patientPrescriptions(deps, a, patientId, { live: true }),
    },
  },
});
