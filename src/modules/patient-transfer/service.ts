/**
 * Patient export and import.
 *
 * Export: a CSV stream that pulls one batch of patients at a time from the search module's
 * iterator, so memory stays flat however many patients match. The export is audited before the
 * first byte goes out (so an interrupted download is still on record), and every patient it
 * contains is audited as a read when its row is produced.
 *
 * Import: every row validated like POST /patients, duplicates looked for in the file and among
 * registered patients, and the registrations written in ONE transaction. All-or-nothing (the
 * default) rolls that transaction back when any row is rejected, so a rejected import changes
 * nothing; partial commits the valid rows. A dry run always rolls back: it runs exactly the checks
 * of a real run (including the duplicate check, which needs the rows registered before it in the
 * same file) and reports what the real run would answer.
 */
import type { Actor, Deps } from "../../lib/context.ts";
import { ProblemError } from "../../lib/errors.ts";
import { orgSettings } from "../organizations/mod.ts";
import { importReads, readRows, type SheetRows } from "./read-file.ts";
import {
  inFileDuplicates,
  isBlankRow,
  mapHeader,
  type RejectedRow,
  type RowError,
  validateRow,
  type ValidRow,
} from "./rows.ts";
import { stringify } from "csv-stringify/sync";
import { iteratePatients, type SearchFilters } from "../patient-search/mod.ts";
import { registerInTx, viewPatient } from "../patients/mod.ts";
import { exportColumns, recordOf } from "./csv-cells.ts";

// --- Export ------------------------------------------------------------------------------

const BATCH = 500;

export type ExportFilters = SearchFilters;

/** The filters as audit detail: "status=active", "tags=vip,diabetic". */
function describe(filters: ExportFilters): string[] {
  return Object.entries(filters)
    .filter(([, v]) => v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : String(v)}`);
}

export async function exportPatients(deps: Deps, a: Actor, filters: ExportFilters) {
  await deps.db.transaction((tx) =>
    deps.audit.record(tx, a, {
      action: "patient.export",
      entityType: "patient",
      changedFields: ["format=csv", ...describe(filters)],
    })
  );
  const columns = exportColumns(a.role);
  const batches = iteratePatients(deps, a.orgId, filters, BATCH);
  const encoder = new TextEncoder();
  let first = true;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (first) {
        first = false;
        controller.enqueue(encoder.encode(stringify([columns.map((c) => c.name)], {
          bom: true,
          record_delimiter: "windows",
        })));
        return;
      }
      const next = await batches.next();
      if (next.done) {
        controller.close();
        return;
      }
      const records = next.value.map((row) => {
        deps.audit.recordRead(a, {
          action: "patient.export",
          entityType: "patient",
          entityId: row.id,
          patientId: row.id,
        });
        return recordOf(viewPatient(row, a.role), columns);
      });
      controller.enqueue(encoder.encode(stringify(records, { record_delimiter: "windows" })));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
  const day = deps.clock.now().toISOString().slice(0, 10);
  return { filename: `patients-${day}.csv`, stream };
}

// --- Import ------------------------------------------------------------------------------

export type ImportMode = "all-or-nothing" | "partial";

export interface ImportOptions {
  mode: ImportMode;
  dryRun: boolean;
  allowDuplicates: boolean;
}

export interface ImportReport {
  mode: ImportMode;
  dryRun: boolean;
  /** Data rows in the file (blank rows are skipped and not counted). */
  rows: number;
  /** Registered, or that would be on a dry run. */
  imported: number;
  rejected: RejectedRow[];
  /** Ids and MRNs are null on a dry run: nothing was kept. */
  patients: { row: number; id: string | null; mrn: string | null }[];
  warnings: string[];
}

/** Thrown inside the transaction to roll it back while keeping what it found. */
class Rollback extends Error {}

export async function importPatients(
  deps: Deps,
  a: Actor,
  file: File,
  opts: ImportOptions,
): Promise<ImportReport> {
  const { maxBytes, maxRows } = deps.config.imports;
  if (file.size > maxBytes) {
    throw new ProblemError(
      413,
      `The file is ${file.size} bytes; imports take at most ${maxBytes}.`,
    );
  }
  // The reader bounds rows, columns, cell size and uncompressed content while it reads, in a
  // worker; the data-row check below still states the rule on exactly the rows imported.
  if (!importReads.tryStart(deps.config.imports.maxConcurrent)) {
    throw new ProblemError(
      429,
      "Other imports are being read right now; send this one again in a few seconds.",
      {},
      { "Retry-After": "5" },
    );
  }
  let sheet: SheetRows;
  try {
    sheet = await readRows(new Uint8Array(await file.arrayBuffer()), deps.config.imports);
  } finally {
    importReads.finish();
  }
  const [header, ...body] = sheet.rows;
  if (!header || isBlankRow(header)) {
    throw new ProblemError(422, "The file is empty: the first row must name the columns.");
  }
  const { columns, warnings } = mapHeader(header);
  const data = body.map((cells, i) => ({ row: i + 2, cells })).filter((r) => !isBlankRow(r.cells));
  if (data.length === 0) throw new ProblemError(422, "The file has a header row but no data rows.");
  if (data.length > maxRows) {
    throw new ProblemError(
      413,
      `The file has ${data.length} data rows; imports take at most ${maxRows}. Split it.`,
    );
  }

  const rejected = new Map<number, RowError[]>();
  const valid: ValidRow[] = [];
  for (const { row, cells } of data) {
    const result = validateRow(columns, cells, opts.allowDuplicates);
    if ("errors" in result) rejected.set(row, result.errors);
    else valid.push({ row, input: result.input });
  }
  const repeats = opts.allowDuplicates ? new Map() : inFileDuplicates(valid);
  for (const [row, error] of repeats) rejected.set(row, [error]);
  const toRegister = valid.filter((v) => !repeats.has(v.row));

  const patients: ImportReport["patients"] = [];
  const commit = async () => {
    try {
      await deps.db.transaction(async (tx) => {
        const org = await orgSettings(tx, a.orgId);
        for (const { row, input } of toRegister) {
          try {
            const p = await registerInTx(deps, tx, a, input, org);
            patients.push({ row, id: p.id, mrn: p.mrn });
          } catch (err) {
            // Duplicates (409) and record rules (422) are found before registerInTx writes.
            if (!(err instanceof ProblemError) || (err.status !== 409 && err.status !== 422)) {
              throw err;
            }
            rejected.set(row, rowErrorsOf(err));
          }
        }
        const refused = opts.mode === "all-or-nothing" && rejected.size > 0;
        if (opts.dryRun || refused) throw new Rollback();
        await deps.audit.record(tx, a, {
          action: "patient.import",
          entityType: "patient",
          changedFields: summary(opts, data.length, patients.length, rejected.size),
        });
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
      return false;
    }
    return true;
  };
  const committed = toRegister.length > 0 ? await commit() : false;

  const report: ImportReport = {
    mode: opts.mode,
    dryRun: opts.dryRun,
    rows: data.length,
    imported: opts.mode === "all-or-nothing" && rejected.size > 0 ? 0 : patients.length,
    rejected: [...rejected].sort(([x], [y]) => x - y).map(([row, errors]) => ({ row, errors })),
    patients: committed ? patients : patients.map((p) => ({ row: p.row, id: null, mrn: null })),
    warnings,
  };
  if (!committed) {
    // Nothing was written, so there is no transaction to audit in; queue the attempt instead.
    deps.audit.recordRead(a, {
      action: opts.dryRun ? "patient.import-dry-run" : "patient.import",
      outcome: rejected.size > 0 ? "failure" : "success",
      entityType: "patient",
      changedFields: summary(opts, data.length, report.imported, rejected.size),
    });
  }
  if (opts.mode === "all-or-nothing" && rejected.size > 0) {
    throw new ProblemError(
      422,
      `${rejected.size} of ${data.length} rows were rejected; nothing was imported. Fix them, ` +
        "or import with mode=partial to keep the valid rows.",
      {
        type: "https://clinic-api.dev/problems/import-rejected",
        rows: report.rows,
        imported: 0,
        dryRun: opts.dryRun,
        rejected: report.rejected,
        warnings,
      },
    );
  }
  return report;
}

/** A rejection from registerInTx as row errors; candidates are named, not shown in full. */
function rowErrorsOf(err: ProblemError): RowError[] {
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

/** The audit table has no free-form detail; the import's figures go where field names would. */
const summary = (opts: ImportOptions, rows: number, imported: number, rejected: number) => [
  `mode=${opts.mode}`,
  `rows=${rows}`,
  `imported=${imported}`,
  `rejected=${rejected}`,
];
