/**
 * Every module, in mount order. The app, the permission matrix, versioning, merge references,
 * row hooks and summary sections are built from this list (lib/module.ts); a module that is not
 * here does not exist. Fixed paths (/patients/stats, /patients/export, /patients/import) are
 * mounted before /patients/{id}.
 */
import type { ModuleDef } from "../lib/module.ts";
import { allergiesModule } from "./allergies/mod.ts";
import { auditModule } from "./audit/mod.ts";
import { billingModule } from "./billing/mod.ts";
import { clinicalModule } from "./clinical/mod.ts";
import { codesModule } from "./codes/mod.ts";
import { authModule } from "./auth/mod.ts";
import { facilitiesModule } from "./facilities/mod.ts";
import { medicalHistoryModule } from "./medical-history/mod.ts";
import { notificationsModule } from "./notifications/mod.ts";
import { organizationsModule } from "./organizations/mod.ts";
import { patientDocumentsModule } from "./patient-documents/mod.ts";
import { patientDuplicatesModule } from "./patient-duplicates/mod.ts";
import { patientRecordModule } from "./patient-record/mod.ts";
import { patientSearchModule } from "./patient-search/mod.ts";
import { patientTransferModule } from "./patient-transfer/mod.ts";
import { patientsModule } from "./patients/mod.ts";
import { pharmacyModule } from "./pharmacy/mod.ts";
import { schedulingModule } from "./scheduling/mod.ts";
import { syncModule } from "./sync/mod.ts";
import { systemModule } from "./system/mod.ts";
import { usersModule } from "./users/mod.ts";

export const MODULES: readonly ModuleDef[] = [
  systemModule,
  authModule,
  organizationsModule,
  facilitiesModule,
  codesModule,
  usersModule,
  patientSearchModule,
  patientTransferModule,
  patientsModule,
  patientDuplicatesModule,
  allergiesModule,
  medicalHistoryModule,
  patientRecordModule,
  patientDocumentsModule,
  schedulingModule,
  clinicalModule,
  pharmacyModule,
  billingModule,
  notificationsModule,
  syncModule,
  auditModule,
];
