/**
 * A replica's side of sync. So far: first contact. Until its primary has told it which
 * organisation and site code it serves, a replica allocates no numbers; the answer is stored
 * (sync_state) so a restart, or days offline, need not ask again. While the primary is
 * unreachable it retries with exponential backoff, and the API keeps serving throughout.
 */
import { eq } from "drizzle-orm";
import { syncState } from "../../../db/schema/mod.ts";
import { schemaVersion } from "../../../db/migrate.ts";
import type { Deps } from "../../lib/context.ts";
import { Hello } from "./schemas.ts";

const MAX_BACKOFF_MS = 5 * 60_000;

/** What this replica knows of itself, or undefined before first contact. */
export async function replicaState(deps: Deps) {
  const [row] = await deps.db.db.select().from(syncState).where(eq(syncState.id, 1));
  return row;
}

/** Asks the primary who this node is and stores the answer; throws when it cannot. */
export async function contactPrimary(deps: Deps) {
  const { primaryUrl, nodeToken } = deps.config.sync;
  const res = await fetch(new URL("/api/v1/sync/hello", primaryUrl!), {
    headers: { authorization: `Bearer ${nodeToken}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`the primary answered ${res.status} to hello`);
  const hello = Hello.parse(await res.json());
  if (hello.schemaVersion !== schemaVersion()) {
    throw new Error(
      `the primary's schema (${hello.schemaVersion}) is not this node's (${schemaVersion()}): ` +
        "upgrade the older one",
    );
  }
  const row = {
    id: 1,
    nodeId: hello.nodeId,
    orgId: hello.organizationId,
    siteCode: hello.siteCode,
    facilityIds: hello.facilityIds,
    schemaVersion: hello.schemaVersion,
    contactedAt: deps.clock.now().toISOString(),
  };
  await deps.db.transaction((tx) =>
    tx.insert(syncState).values(row).onConflictDoUpdate({ target: syncState.id, set: row })
  );
  deps.site.code = hello.siteCode;
  deps.logger.info("sync: first contact", { siteCode: hello.siteCode, node: hello.nodeId });
}

/**
 * Starts the replica's loop; answers the function that stops it. The first contact is made as
 * soon as the primary answers, then nothing more yet (push and pull come next).
 */
export async function startReplica(deps: Deps): Promise<() => Promise<void>> {
  const known = await replicaState(deps);
  if (known) deps.site.code = known.siteCode;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let delay = 1000;
  const tick = () => {
    running = (async () => {
      try {
        if (!deps.site.code) await contactPrimary(deps);
        delay = deps.config.sync.intervalSeconds * 1000;
      } catch (err) {
        deps.logger.warn("sync: primary unreachable, retrying", {
          error: String(err),
          retryInSeconds: Math.round(delay / 1000),
        });
        delay = Math.min(delay * 2, MAX_BACKOFF_MS);
      }
      if (!stopped && !deps.site.code) timer = setTimeout(tick, delay);
    })();
  };
  if (!deps.site.code) timer = setTimeout(tick, 0);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
