/** GET /sync/status and POST /sync/run: the state of this server's sync, and a round on demand. */
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, ProblemError } from "../../lib/errors.ts";
import { countOpen } from "./conflicts.ts";
import { replicaStatus, runnerOf } from "./replica.ts";

export async function syncStatus(deps: Deps, a: Actor) {
  const role = deps.config.sync.role;
  const base = { role, siteCode: deps.site.code };
  if (role === "replica") return { ...base, ...await replicaStatus(deps) };
  return {
    ...base,
    pendingChanges: 0,
    lastPushAt: null,
    lastPullAt: null,
    lagSeconds: null,
    conflictsOpen: await countOpen(deps.db.db, a.orgId),
    lastError: null,
  };
}

export async function runNow(deps: Deps) {
  const runner = runnerOf(deps);
  if (deps.config.sync.role !== "replica" || !runner) {
    throw conflict("This server is not a replica: it has no primary to sync with.");
  }
  try {
    return await runner.run();
  } catch (err) {
    throw new ProblemError(
      503,
      `Sync did not complete: ${(err as Error).message}. The changes wait in the outbox.`,
      {},
      { "Retry-After": String(deps.config.sync.intervalSeconds) },
    );
  }
}
