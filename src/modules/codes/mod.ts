/**
 * ICD-10-CM diagnosis codes for the clinical record: search, browse, and the check other
 * modules make before recording a diagnosis (`isDiagnosisCode`). A curated list of common codes
 * ships with the module; `deno task codes:import` puts the full list in the data folder, which
 * is loaded at start when present. Reference data: no tables, no audit.
 *
 * Source: ICD-10-CM, FY2025, National Center for Health Statistics; public domain.
 */
import { defineModule } from "../../lib/module.ts";
import { ALL_STAFF } from "../../lib/permissions.ts";
import { routesOf } from "../../lib/router.ts";
import { registerCodeHandlers } from "./handlers.ts";
import { codeIndexFor, serveCodes } from "./service.ts";

export type { Icd10Block, Icd10Chapter, Icd10Code } from "./catalog.ts";
export type { CodeDetail, CodeIndex, DiagnosisCheck } from "./service.ts";
export { codeIndexFor, isDiagnosisCode, lookupCode, searchCodes } from "./service.ts";

export const codesModule = defineModule({
  name: "codes",
  routes: routesOf(registerCodeHandlers),
  permissions: { "codes:read": ALL_STAFF },
  // Load (and index) the list once at start, so no request pays for it.
  onStart: (deps) => {
    serveCodes(codeIndexFor(deps.config.dataDir, deps.logger));
    return Promise.resolve();
  },
});
