/**
 * Publishing an import: its checked rows registered in short write transactions, each closed
 * once it has held the write lock for `chunkMs`, with a pause between them, so
 * other writes (a registration at the desk, a payment) take their turn in between instead of
 * waiting for the whole file. One transaction for 10,000 rows held the lock for 10-40 s.
 *
 * All-or-nothing survives the split: the rows were checked before the first write
 * (import-check.ts), and when a transaction still refuses a row (a patient registered meanwhile)
 * or fails, the rows already published are deleted again, as audited writes in the change log
 * like any deletion, so sync replicas lose them too. Until the import answers, its published rows
 * are visible like any registered patient; a process that dies mid-import keeps them (README).
 */
import type { Db } from "../../../db/client.ts";
import { patients } from "../../../db/schema/mod.ts";
import { updateInTenant } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { ProblemError } from "../../lib/errors.ts";
import { orgSettings } from "../organizations/mod.ts";
import { registerInTx } from "../patients/mod.ts";
import { pause, rowErrorsOf } from "./import-check.ts";
import type { RowError, ValidRow } from "./rows.ts";

/**
 * How long one transaction of an import may go on adding rows. Its last row and its commit (an
 * fsync) come on top: measured, 45-60 ms in all, up to ~100 ms on a loaded machine.
 */
export const CHUNK_MS = 40;
/** The pause between two transactions: long enough for a waiting request to reach the queue. */
export const GAP_MS = 5;

export interface PublishSettings {
  /** See CHUNK_MS. */
  chunkMs?: number;
  /** Runs after each committed transaction but the last, before the next one is queued. */
  afterChunk?: (published: number) => Promise<void>;
}

export interface Published {
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
 * entry in the transaction of the last row. With `allOrNothing`, a refused row or any failure
 * deletes what was published (a failure is then thrown again).
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
    patients: [],
    refused: new Map(),
    undone: false,
    transactions: 0,
    longestTransactionMs: 0,
  };
  const timed = async <T>(fn: (tx: Db, start: number) => Promise<T>): Promise<T> => {
    let start = 0;
    const result = await deps.db.transaction((tx) => {
      start = performance.now();
      return fn(tx, start);
    });
    out.transactions++;
    out.longestTransactionMs = Math.max(out.longestTransactionMs, performance.now() - start);
    return result;
  };
  const t0 = performance.now();
  let next = 0;
  try {
    while (next < rows.length) {
      if (next > 0) {
        await opts.settings?.afterChunk?.(out.patients.length);
        await pause(GAP_MS);
      }
      const chunk = await timed(async (tx, start) => {
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
        if (i === rows.length) {
          await opts.audit(
            tx,
            out.patients.length + done.length,
            out.refused.size + refused.length,
          );
        }
        return { done, refused, next: i };
      });
      out.patients.push(...chunk.done);
      for (const [row, errors] of chunk.refused) out.refused.set(row, errors);
      next = chunk.next;
    }
  } catch (err) {
    if (!opts.allOrNothing) throw err;
    await undo(deps, a, out, chunkMs, timed);
    if (!(err instanceof Refused)) throw err;
    out.refused.set(err.row, err.errors);
  }
  deps.logger.info(out.undone ? "patient import undone" : "patient import published", {
    orgId: a.orgId,
    rows: rows.length,
    transactions: out.transactions,
    longestTransactionMs: Math.round(out.longestTransactionMs),
    ms: Math.round(performance.now() - t0),
  });
  return out;
}

/** Deletes the published rows again, in transactions as short as those that wrote them. */
async function undo(
  deps: Deps,
  a: Actor,
  out: Published,
  chunkMs: number,
  timed: <T>(fn: (tx: Db, start: number) => Promise<T>) => Promise<T>,
) {
  const ids = out.patients.map((p) => p.id);
  out.patients = [];
  out.undone = ids.length > 0;
  let next = 0;
  while (next < ids.length) {
    await pause(GAP_MS);
    next = await timed(async (tx, start) => {
      const at = deps.clock.now().toISOString();
      let i = next;
      while (i < ids.length && (i === next || performance.now() - start < chunkMs)) {
        const id = ids[i++];
        const deleted = await updateInTenant(tx, patients, {
          orgId: a.orgId,
          id,
          set: { deletedAt: at },
          actorId: a.userId,
          at,
          operation: "delete",
        });
        // Not found: someone deleted it meanwhile, which is the end wanted.
        if (!deleted.ok) continue;
        await deps.audit.record(tx, a, {
          action: "patient.import-undo",
          entityType: "patient",
          entityId: id,
          patientId: id,
        });
      }
      return i;
    });
  }
}
