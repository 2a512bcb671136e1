/**
 * Patient export: a CSV stream that pulls one batch of patients at a time from the search
 * module's iterator, so memory stays flat however many patients match. The export is audited
 * before the first byte goes out (so an interrupted download is still on record), and every
 * patient it contains is audited as a read when its row is produced.
 */
import { stringify } from "csv-stringify/sync";
import type { Actor, Deps } from "../../lib/context.ts";
import { iteratePatients, type SearchFilters } from "../patient-search/mod.ts";
import { viewPatient } from "../patients/mod.ts";
import { exportColumns, recordOf } from "./csv-cells.ts";

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
