/**
 * The patient record: registration (MRN, duplicate check), read, update, delete, field
 * visibility per role, the search index that follows every write, and the patient-owned record
 * kit (owned.ts) every module with patient rows builds on. Other modules use this file only.
 */
import {
  patientNameTerms,
  patientNameVariants,
  patients,
  patientSearchTerms,
} from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { ADMIN_ONLY, ALL_STAFF, CLINICAL_READERS, CLINICIANS } from "../../lib/permissions.ts";
import { routesOf } from "../../lib/router.ts";
import { registerPatientHandlers } from "./handlers.ts";
import { ensureSearchIndex, indexPatientWrite } from "./search-index.ts";

// The record
export {
  isoDate,
  Patient,
  PatientInput,
  type PatientInputT,
  type PatientT,
  SEXES,
  STATUSES,
} from "./schemas.ts";
export { checkRegistration, registerInTx, registerPatient } from "./service.ts";
export { findPatient, findPatientJson, pageJson } from "./repository.ts";
export {
  canSeeField,
  viewPatient,
  visibleFields,
  visibleJson,
  visibleJsonArray,
} from "./visibility.ts";
export { formatMrn } from "./mrn.ts";
// The search index it keeps, and duplicate detection over it
export {
  pairTerm,
  patientNameParts,
  rangeEnd,
  reversedPhone,
  tagTerm,
  typoKeys,
} from "./search-terms.ts";
export { duplicateReasons, findDuplicateCandidates, identityKeys } from "./duplicate-check.ts";
// The patient-owned record kit
export {
  addEntry,
  changeEntry,
  clinicToday,
  dateProblems,
  type EntryKind,
  type EntryTable,
  type EntryTarget,
  headsOf,
  listOf,
  livePatient,
  type PageRequest,
  readablePatient,
  refuseIfAny,
  refuseMerged,
  summaryEntries,
  versionPage,
  versionsOf,
} from "./owned.ts";
export { entryRoutes, registerEntryHandlers } from "./owned-http.ts";
export {
  entryParams,
  EntryVersionPage,
  nonEmptyPatch,
  optionalText,
  requiredText,
  rowMeta,
  versionFields,
  VersionPageQuery,
} from "./owned-schemas.ts";

const derived = "derived from patients; rebuilt at start when missing";

export const patientsModule = defineModule({
  name: "patients",
  routes: routesOf(registerPatientHandlers),
  permissions: {
    "patients:read": ALL_STAFF,
    "patients:write": ["ADMIN", "RECEPTION"],
    "patients:delete": ADMIN_ONLY,
    "patients:clinical:read": CLINICAL_READERS,
    "patients:clinical:write": CLINICIANS,
  },
  tables: [
    { table: patients, sync: "merge", versioned: true },
    { table: patientSearchTerms, sync: "local", notVersioned: derived },
    { table: patientNameTerms, sync: "local", notVersioned: derived },
    { table: patientNameVariants, sync: "local", notVersioned: derived },
  ],
  keptOnMerge: [{
    column: patientSearchTerms.patientId,
    reason: "the index hook takes a merged record out of the index and gives its MRN to the " +
      "survivor",
  }],
  rowHooks: [{ table: patients, hook: indexPatientWrite }],
  onStart: ensureSearchIndex,
});
