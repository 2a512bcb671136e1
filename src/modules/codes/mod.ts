/**
 * ICD-10-CM diagnosis codes for the clinical record: search, browse, and the check other
 * modules make before recording a diagnosis (`isDiagnosisCode`). A curated list of common codes
 * ships with the module; `deno task codes:import` puts the full list in the data folder, which
 * is served instead when present. Reference data: no tables, no audit.
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

const WARM_UP_MS = 3_000;

export const codesModule = defineModule({
  name: "codes",
  routes: routesOf(registerCodeHandlers),
  permissions: { "codes:read": ALL_STAFF },
  // The list is loaded and indexed once per process, off the start's path (~40 ms for the
  // shipped list, ~1 s for a full import): a few seconds after start, or by its first use if
  // that comes sooner.
  onStart: (deps) => {
    const index = () => codeIndexFor(deps.config.dataDir, deps.logger);
    serveCodes(index);
    const warm = setTimeout(index, WARM_UP_MS);
    Deno.unrefTimer(warm);
    return Promise.resolve(() => Promise.resolve(clearTimeout(warm)));
  },
});
