/**
 * Patient export and import.
 *
 * Export: a CSV stream that pulls one batch of patients at a time from the search module's
 * iterator, so memory stays flat however many patients match. The export is audited before the
 * first byte goes out (so an interrupted download is still on record), and every patient it
 * contains is audited as a read when its row is produced.
 *
 * Import: every row validated like POST /patients and checked, before the first write, for
 * likely duplicates in the file and among registered patients (import-check.ts); then the rows
 * are registered in short transactions (import-publish.ts), so the write lock is never held for
 * long. All-or-nothing (the default) writes nothing when a row is rejected, and deletes what it
 * published when a transaction still refuses a row; partial keeps the valid rows. An import that
 * fails midway is undone in either mode, by itself, or at the next start when its process died
 * (import-recovery.ts). A dry run runs the checks only and reports what the real run would answer.
 */
import type { Actor, Deps } from "../../lib/context.ts";
import { ProblemError } from "../../lib/errors.ts";
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
import { viewPatient } from "../patients/mod.ts";
import { checkRows } from "./import-check.ts";
import { publishRows, type PublishSettings } from "./import-publish.ts";
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

export async function importPatients(
  deps: Deps,
  a: Actor,
  file: File,
  opts: ImportOptions,
  /** How the rows are written (see import-publish.ts); tests set a hook between transactions. */
  publishing?: PublishSettings,
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
  const toRegister = await checkRows(deps, a, valid.filter((v) => !repeats.has(v.row)), rejected);

  const allOrNothing = opts.mode === "all-or-nothing";
  const write = !opts.dryRun && toRegister.length > 0 && !(allOrNothing && rejected.size > 0);
  const published = write
    ? await publishRows(deps, a, toRegister, {
      allOrNothing,
      settings: publishing,
      audit: (tx, imported, refused) =>
        deps.audit.record(tx, a, {
          action: "patient.import",
          entityType: "patient",
          changedFields: summary(opts, data.length, imported, rejected.size + refused),
        }),
    })
    : undefined;
  for (const [row, errors] of published?.refused ?? []) rejected.set(row, errors);
  const committed = published !== undefined && !published.undone &&
    !(allOrNothing && rejected.size > 0);

  const report: ImportReport = {
    mode: opts.mode,
    dryRun: opts.dryRun,
    rows: data.length,
    imported: allOrNothing && rejected.size > 0
      ? 0
      : published?.patients.length ?? toRegister.length,
    rejected: [...rejected].sort(([x], [y]) => x - y).map(([row, errors]) => ({ row, errors })),
    patients: published?.patients ??
      toRegister.map((p) => ({ row: p.row, id: null, mrn: null })),
    warnings,
  };
  if (!committed) {
    // Nothing was kept, so there is no transaction to audit in; queue the attempt instead.
    deps.audit.recordRead(a, {
      action: opts.dryRun ? "patient.import-dry-run" : "patient.import",
      outcome: rejected.size > 0 ? "failure" : "success",
      entityType: "patient",
      changedFields: summary(opts, data.length, report.imported, rejected.size),
    });
  }
  if (allOrNothing && rejected.size > 0) {
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

/** The audit table has no free-form detail; the import's figures go where field names would. */
const summary = (opts: ImportOptions, rows: number, imported: number, rejected: number) => [
  `mode=${opts.mode}`,
  `rows=${rows}`,
  `imported=${imported}`,
  `rejected=${rejected}`,
];
