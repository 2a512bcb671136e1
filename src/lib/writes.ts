import type { UpdateResult } from "../../db/tenant.ts";
import { notFound, preconditionFailed } from "./errors.ts";

/** Maps a failed versioned update to its HTTP meaning: 404 or 412 with the current ETag. */
export function unwrapUpdate<Row>(result: UpdateResult<Row>, what: string) {
  if (result.ok) return result;
  if (result.reason === "not-found") throw notFound(what);
  throw preconditionFailed(result.currentVersion);
}
