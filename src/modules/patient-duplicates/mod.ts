import { createRouter } from "../../lib/router.ts";
import { registerDuplicateHandlers } from "./handlers.ts";

/** GET /patients/{id}/duplicates, POST /patients/{id}/merge and /unmerge. */
export function patientDuplicatesModule() {
  const r = createRouter();
  registerDuplicateHandlers(r);
  return r;
}
