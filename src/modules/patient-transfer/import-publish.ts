/**
 * Publishing an import: its checked rows registered in short write transactions, each closed
 * once it has held the write lock for `chunkMs`, with a pause between them, so
 * other writes (a registration at the desk, a payment) take their turn in between instead of
 * waiting for the whole file. One transaction for 10,000 rows held the lock for 10-40 s.
 *
 * All-or-nothing survives the split: the rows were checked before the first write
 * (import-check.ts), and when a transaction still refuses a row (a patient registered meanwhile)
 * or anything fails, the rows already published are deleted again (import-undo.ts). A process
 * that dies midway cannot do that itself: the import's record (import-record.ts), written with
 * its rows in each transaction, lets the next start do it (import-recovery.ts). Until the import
 * answers, its published rows are visible like any registered patient.
 */
import type { Db } from "../../../db/client.ts";
import { newId } from "../../../db/ids.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { ProblemError } from "../../lib/errors.ts";
import { orgSettings } from "../organizations/mod.ts";
import { registerInTx } from "../patients/mod.ts";
import { pause, rowErrorsOf } from "./import-check.ts";
import { ImportTakenOver, linkRows, openImport, renewImport } from "./import-record.ts";
import { GAP_MS, type Timed, undoPatients } from "./import-undo.ts";
import type { RowError, ValidRow } from "./rows.ts";

export { GAP_MS };

/**
 * How long one transaction of an import may go on adding rows. Its last row and its commit (an
 * fsync) come on top: measured, 45-60 ms in all, up to ~100 ms on a loaded machine.
 */
export const CHUNK_MS = 40;
export interface PublishSettings {
  /** See CHUNK_MS. */
  chunkMs?: number;
  /** Runs after each committed transaction but the last, before the next one is queued. */
  afterChunk?: (published: number) => Promise<void>;
}

export interface Published {
  /** The import's record (patient_imports), also when nothing of it was kept. */
  importId: string;
  /** Registered and kept; empty when the import was undone. */
  patients: { row: number; id: string; mrn: string }[];
  /** Rows a transaction refused although they passed the check (a patient registered meanwhile). */
  refused: Map<number, RowError[]>;
  /** Whether rows were published and then deleted again (all-or-nothing after a refusal). */
  undone: boolean;
  transactions: number;
  longestTransactionMs: number;
}

/** Thrown inside a transaction to roll back its rows when all-or-nothing meets a refused row. */
class Refused extends Error {
  constructor(readonly row: number, readonly errors: RowError[]) {
    super(`row ${row} refused`);
  }
}

/**
 * Registers `rows` in transactions of at most `chunkMs` each. `audit` writes the import's own
 * entry in the transaction of the last row. A failure deletes what was published and is thrown
 * again; so does a refused row with `allOrNothing` (it is then reported, not thrown).
 */
export async function publishRows(
  deps: Deps,
  a: Actor,
  rows: ValidRow[],
  opts: {
    allOrNothing: boolean;
    audit: (tx: Db, imported: number, refused: number) => Promise<void>;
    settings?: PublishSettings;
  },
): Promise<Published> {
  const chunkMs = opts.settings?.chunkMs ?? CHUNK_MS;
  const out: Published = {
    importId: newId(),
    patients: [],
    refused: new Map(),
    undone: false,
    transactions: 0,
    longestTransactionMs: 0,
  };
  const timed: Timed = async (fn) => {
    let start = 0;
    // A chunk holds the lock for ~40 ms: alone, so registrations around it do not wait for it.
    const result = await deps.db.transaction((tx) => {
      start = performance.now();
      return fn(tx, start);
    }, { alone: true });
    out.transactions++;
    out.longestTransactionMs = Math.max(out.longestTransactionMs, performance.now() - start);
    return result;
  };
  const t0 = performance.now();
  let next = 0;
  let recorded = false;
  try {
    while (next < rows.length) {
      if (next > 0) {
        await opts.settings?.afterChunk?.(out.patients.length);
        await pause(GAP_MS);
      }
      const chunk = await timed(async (tx, start) => {
        const at = deps.clock.now().toISOString();
        if (recorded) await renewImport(deps, tx, out.importId, at, ["publishing"]);
        else {
          await openImport(deps, tx, {
            id: out.importId,
            orgId: a.orgId,
            startedBy: a.userId,
            mode: opts.allOrNothing ? "all-or-nothing" : "partial",
            rows: rows.length,
            at,
          });
        }
        const org = await orgSettings(tx, a.orgId);
        const done: Published["patients"] = [];
        const refused: [number, RowError[]][] = [];
        let i = next;
        while (i < rows.length && (i === next || performance.now() - start < chunkMs)) {
          const { row, input } = rows[i++];
          try {
            const p = await registerInTx(deps, tx, a, input, org);
            done.push({ row, id: p.id, mrn: p.mrn });
          } catch (err) {
            // Refusals are found before registerInTx writes, so the transaction stays whole.
            if (!(err instanceof ProblemError) || (err.status !== 409 && err.status !== 422)) {
              throw err;
            }
            if (opts.allOrNothing) throw new Refused(row, rowErrorsOf(err));
            refused.push([row, rowErrorsOf(err)]);
          }
        }
        await linkRows(tx, out.importId, done.map((p) => p.id));
        if (i === rows.length) {
          await renewImport(deps, tx, out.importId, at, ["publishing"], {
            status: "done",
            finished: true,
          });
          await opts.audit(
            tx,
            out.patients.length + done.length,
            out.refused.size + refused.length,
          );
        }
        return { done, refused, next: i };
      });
      recorded = true;
      out.patients.push(...chunk.done);
      for (const [row, errors] of chunk.refused) out.refused.set(row, errors);
      next = chunk.next;
    }
  } catch (err) {
    // Another process's start-up took the import over when its claim lapsed, and undoes it.
    if (err instanceof ImportTakenOver) throw err;
    // Undone in partial mode too: without the answer, nobody knows which rows were kept.
    const ids = out.patients.map((p) => p.id);
    out.patients = [];
    out.undone = ids.length > 0;
    await undoPatients(
      deps,
      {
        orgId: a.orgId,
        importId: recorded ? out.importId : null,
        who: a,
        actorId: a.userId,
        detail: [`import=${out.importId}`],
        chunkMs,
      },
      ids,
      timed,
    );
    if (!(err instanceof Refused)) throw err;
    out.refused.set(err.row, err.errors);
  }
  deps.logger.info(out.undone ? "patient import undone" : "patient import published", {
    importId: out.importId,
    orgId: a.orgId,
    rows: rows.length,
    transactions: out.transactions,
    longestTransactionMs: Math.round(out.longestTransactionMs),
    ms: Math.round(performance.now() - t0),
  });
  return out;
}
