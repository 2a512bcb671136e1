import { createRouter } from "../../lib/router.ts";

/** Duplicate candidates, merge and unmerge. (Stub: duplicates work fills it.) */
export function patientDuplicatesModule() {
  return createRouter();
}
