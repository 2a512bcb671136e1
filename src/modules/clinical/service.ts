/**
 * The clinical record of a visit. Its parts: vital signs (vitals.ts, with the rules in
 * vital-rules.ts) and consultation notes with diagnoses (notes.ts). Prescriptions and their
 * safety checks (prescriptions/) join it next.
 */
export { recordVitals, visitVitals } from "./vitals.ts";
export { signNote, writeNote } from "./notes.ts";
