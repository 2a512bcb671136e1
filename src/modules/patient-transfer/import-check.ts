/**
 * The check of an import before its first write: each valid row as registerInTx would check it
 * (record rules, likely duplicates among registered patients), on the reader connection, and
 * against the file's earlier accepted rows, which registerInTx would have found registered. So
 * a file with a bad row is refused before anything is written, and a dry run writes nothing at all.
 */
import type { Actor, Deps } from "../../lib/context.ts";
import { ProblemError } from "../../lib/errors.ts";
import { orgSettings } from "../organizations/mod.ts";
import { checkRegistration, duplicateReasons, identityKeys } from "../patients/mod.ts";
import type { RowError, ValidRow } from "./rows.ts";

/** Work between two pauses, so requests keep being answered meanwhile. */
const SLICE_MS = 20;
const PAUSE_MS = 2;

/**
 * Lets other requests run for `ms`: database calls are synchronous under their promises, so a
 * loop of them holds the event loop. A request needs several turns of the loop (its body, its
 * token) before it reaches the database, hence a pause rather than one turn.
 */
export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The rows that pass, in file order; the others are added to `rejected`. Rows are checked in
 * file order, each against the earlier rows that passed, as one transaction registering them one
 * after the other would.
 */
export async function checkRows(
  deps: Deps,
  a: Actor,
  rows: ValidRow[],
  rejected: Map<number, RowError[]>,
): Promise<ValidRow[]> {
  const org = await orgSettings(deps.db.db, a.orgId);
  const byKey = new Map<string, ValidRow[]>();
  const passed: ValidRow[] = [];
  let slice = performance.now();
  for (const row of rows) {
    if (performance.now() - slice > SLICE_MS) {
      await pause(PAUSE_MS);
      slice = performance.now();
    }
    try {
      await checkRegistration(deps, deps.db.db, a, row.input, org);
    } catch (err) {
      if (!(err instanceof ProblemError) || (err.status !== 409 && err.status !== 422)) throw err;
      rejected.set(row.row, rowErrorsOf(err));
      continue;
    }
    const keys = identityKeys(row.input);
    if (!row.input.allowDuplicate) {
      const earlier = fileDuplicate(row, keys, byKey);
      if (earlier) {
        rejected.set(row.row, [earlier]);
        continue;
      }
    }
    passed.push(row);
    for (const key of keys) byKey.set(key, [...(byKey.get(key) ?? []), row]);
  }
  return passed;
}

/** The first earlier row of the file that `row` likely duplicates, as its row error. */
function fileDuplicate(row: ValidRow, keys: string[], byKey: Map<string, ValidRow[]>) {
  const seen = new Set<number>();
  for (const key of keys) {
    for (const other of byKey.get(key) ?? []) {
      if (seen.has(other.row)) continue;
      seen.add(other.row);
      const reasons = duplicateReasons(row.input, other.input);
      if (reasons.length > 0) {
        return {
          field: "(record)",
          message: `likely the same person as row ${other.row} (${reasons.join(", ")})`,
        } satisfies RowError;
      }
    }
  }
  return undefined;
}

/** A rejection from a registration's checks as row errors; candidates are named, not shown. */
export function rowErrorsOf(err: ProblemError): RowError[] {
  const candidates = err.extra.candidates as
    | { patient: { id: string; mrn: string }; score: number; reasons: string[] }[]
    | undefined;
  if (err.status === 409) {
    return [{
      field: "(record)",
      message: "likely already registered" +
        (candidates?.length ? `: ${candidates.map((c) => c.patient.mrn).join(", ")}` : ""),
      candidates: candidates?.map((c) => ({
        id: c.patient.id,
        mrn: c.patient.mrn,
        score: c.score,
        reasons: c.reasons,
      })),
    }];
  }
  const errors = err.extra.errors ?? [];
  return errors.length > 0
    ? errors.map((e) => ({ field: e.path, message: e.message }))
    : [{ field: "(record)", message: err.detail }];
}
