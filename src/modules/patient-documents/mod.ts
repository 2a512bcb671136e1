import { createRouter } from "../../lib/router.ts";
import { registerDocumentHandlers } from "./handlers.ts";

/** Patient documents: upload, list, metadata, download and soft delete. */
export function patientDocumentsModule() {
  const r = createRouter();
  registerDocumentHandlers(r);
  return r;
}
