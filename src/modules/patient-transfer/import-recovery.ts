/**
 * Start-up's side of an import's all-or-nothing: an import this node's process left unfinished
 * (killed, crashed, the power cut between two of its transactions) is undone as the process
 * would have undone it, once its claim has lapsed (import-record.ts), in short audited
 * transactions, and logged at warn. Before that lapse the import may still be running in
 * another process on the same database, so it is left alone and looked at again then; after a
 * crash of the only process, its rows stay visible until then (at most `claimMs` from the crash).
 *
 * It runs in the background so a start is not delayed by a large undo; shutdown waits for it.
 */
import type { Deps } from "../../lib/context.ts";
import { CHUNK_MS } from "./import-publish.ts";
import {
  abandonedImports,
  claimAbandoned,
  linkedPatients,
  unfinishedImports,
} from "./import-record.ts";
import { type Timed, undoPatients } from "./import-undo.ts";

type Unfinished = Awaited<ReturnType<typeof unfinishedImports>>[number];

/** The module's onStart: nothing to do (one read of a small table) unless an import was left. */
export async function recoverImports(deps: Deps): Promise<void | (() => Promise<void>)> {
  const found = await unfinishedImports(deps.db.db);
  if (found.length === 0) return;
  // Only those found now: imports started later belong to live processes, this one included.
  const ids = new Set(found.map((i) => i.id));
  let stopped = false;
  let wake = () => {};
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const running = (async () => {
    while (!stopped) {
      const now = deps.clock.now();
      for (const imp of await abandonedImports(deps.db.db, now.toISOString())) {
        if (stopped) return;
        if (ids.has(imp.id)) await undoAbandoned(deps, imp);
      }
      const left = (await unfinishedImports(deps.db.db)).filter((i) => ids.has(i.id));
      if (left.length === 0) return;
      const next = Math.min(...left.map((i) => Date.parse(i.claimedUntil)));
      await sleep(Math.max(100, next - deps.clock.now().getTime() + 100));
    }
  })().catch((err) =>
    deps.logger.error("patient import recovery failed; it runs again at the next start", {
      error: String(err),
    })
  );
  return async () => {
    stopped = true;
    wake();
    await running;
  };
}

async function undoAbandoned(deps: Deps, imp: Unfinished) {
  const at = deps.clock.now().toISOString();
  if (!await deps.db.transaction((tx) => claimAbandoned(deps, tx, imp.id, at))) return;
  const ids = await linkedPatients(deps.db.db, imp.id);
  const timed: Timed = (fn) => deps.db.transaction((tx) => fn(tx, performance.now()));
  const requestId = `patient-import-recovery:${deps.site.code ?? "local"}`;
  const t0 = performance.now();
  // The server undoes it, not a person: the entries name the import and the recovery.
  const deleted = await undoPatients(
    deps,
    {
      orgId: imp.orgId,
      importId: imp.id,
      who: { orgId: imp.orgId, requestId },
      actorId: null,
      detail: [`import=${imp.id}`, "interrupted"],
      chunkMs: CHUNK_MS,
    },
    ids,
    timed,
  );
  deps.audit.recordRead({ orgId: imp.orgId, userId: imp.startedBy ?? undefined, requestId }, {
    action: "patient.import",
    outcome: "failure",
    entityType: "patient",
    changedFields: [
      `mode=${imp.mode}`,
      `rows=${imp.rows}`,
      "imported=0",
      `import=${imp.id}`,
      "interrupted",
    ],
  });
  deps.logger.warn("patient import interrupted; undone at start", {
    importId: imp.id,
    orgId: imp.orgId,
    startedAt: imp.startedAt,
    status: imp.status,
    registered: ids.length,
    deleted,
    ms: Math.round(performance.now() - t0),
  });
}
