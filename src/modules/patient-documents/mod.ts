/** Patient documents: upload, list, metadata, download and soft delete. */
import { patientDocuments } from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { routesOf } from "../../lib/router.ts";
import { registerDocumentHandlers } from "./handlers.ts";
import { recentDocuments } from "./repository.ts";

export { RecentDocument } from "./schemas.ts";
export { createFileStorage } from "./storage.ts";

/** How many documents the patient summary shows. */
export const RECENT_DOCUMENTS = 5;

export const patientDocumentsModule = defineModule({
  name: "patient-documents",
  routes: routesOf(registerDocumentHandlers),
  permissions: {
    "patient-documents:read": ["ADMIN", "RECEPTION", "DOCTOR", "NURSE", "PHARMACY", "LAB"],
    "patient-documents:write": ["ADMIN", "RECEPTION", "DOCTOR", "NURSE", "LAB"],
  },
  tables: [{
    table: patientDocuments,
    sync: "merge",
    versioned: true,
    file: {
      storageKey: patientDocuments.storageKey,
      sha256: patientDocuments.sha256,
      sizeBytes: patientDocuments.sizeBytes,
    },
  }],
  patientReferences: [patientDocuments.patientId],
  summarySections: {
    recentDocuments: {
      permission: "patient-documents:read",
      // Finance sees demographics and insurance only, even if it is ever granted documents.
      hiddenFrom: ["FINANCE"],
      placement: "top",
      load: (deps, a, patientId) =>
        recentDocuments(deps.db.db, a.orgId, patientId, RECENT_DOCUMENTS),
    },
  },
});
