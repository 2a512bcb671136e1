import type { Deps } from "./context.ts";
import { ProblemError } from "./errors.ts";

/**
 * The site code that goes into every human number this server allocates (MRNK2-000042,
 * DOCK2-001): SITE_CODE on a standalone server, what the primary assigned on a replica. A
 * replica allocates none before its primary has told it its code: a number without it could
 * clash with another site's (503, retry later).
 */
export function numberingSite(deps: Deps): string | null {
  if (deps.site.code || deps.config.sync.role !== "replica") return deps.site.code;
  throw new ProblemError(
    503,
    "This clinic server has not reached its primary yet, so it cannot allocate numbers; retry " +
      "once it is connected.",
    {},
    { "Retry-After": String(deps.config.sync.intervalSeconds) },
  );
}
