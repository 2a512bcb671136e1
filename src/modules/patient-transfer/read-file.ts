/**
 * Reads an uploaded CSV or XLSX file into rows of cells, in a worker (parse-worker.ts) so that
 * the main thread keeps answering other requests while a large or hostile file is read, within
 * the import limits (import-limits.ts) that bound what the read may allocate. The answer is the
 * rows, or the refusal as a ProblemError: 413 too big, 415 not CSV/XLSX, 422 mis-shaped.
 */
import { workerScript } from "../../../db/paths.ts";
import { ProblemError } from "../../lib/errors.ts";
import type { Cell } from "./columns.ts";
import type { ImportLimits } from "./import-limits.ts";
import type { ParseReply, ParseRequest } from "./parse-file.ts";

export interface SheetRows {
  kind: "csv" | "xlsx";
  /** Every record, header first, blank ones included so that indexes are row numbers - 1. */
  rows: Cell[][];
}

/**
 * Files being read by this process. Each read is bounded by the limits, but many at once would
 * multiply that memory, so one past `maxConcurrent` is refused (429) rather than queued. Per
 * process, like every in-memory limit: several API processes each allow as many.
 */
export const importReads = {
  active: 0,
  tryStart(max: number): boolean {
    if (this.active >= max) return false;
    this.active++;
    return true;
  },
  finish() {
    this.active = Math.max(0, this.active - 1);
  },
};

/**
 * A read within the limits takes a second or two; this backstop ends one that does not (a
 * machine under load, a case the limits missed) rather than let a worker spin for ever.
 */
export const READ_TIMEOUT_MS = 20_000;

/**
 * `bytes` is handed to the worker (transferred, not copied, when it is a whole buffer): the
 * caller must not use it afterwards.
 */
export function readRows(
  bytes: Uint8Array,
  limits: ImportLimits,
  timeoutMs = READ_TIMEOUT_MS,
): Promise<SheetRows> {
  const worker = new Worker(workerScript("src/modules/patient-transfer/parse-worker.ts"), {
    type: "module",
  });
  return new Promise<SheetRows>((resolve, reject) => {
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      worker.terminate();
      settle();
    };
    const timer = setTimeout(() =>
      finish(() =>
        reject(
          new ProblemError(
            413,
            `Reading the file took longer than ${timeoutMs / 1000} s; split it into smaller files.`,
          ),
        )
      ), timeoutMs);
    worker.onmessage = (e: MessageEvent<ParseReply>) =>
      finish(() => {
        const reply = e.data;
        if (reply.ok) resolve({ kind: reply.kind, rows: reply.rows });
        else reject(new ProblemError(reply.status, reply.detail));
      });
    worker.onerror = (e) => {
      // Handled here: unhandled, a worker's error would end the whole process.
      e.preventDefault();
      finish(() => reject(new Error(`The import parse worker failed: ${e.message}`)));
    };
    worker.onmessageerror = () =>
      finish(() => reject(new Error("The import parse worker's answer could not be read.")));
    const { maxRows, maxColumns, maxCellChars, maxUnzippedBytes } = limits;
    const request: ParseRequest = {
      bytes,
      limits: { maxRows, maxColumns, maxCellChars, maxUnzippedBytes },
    };
    const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength &&
      bytes.buffer instanceof ArrayBuffer;
    worker.postMessage(request, whole ? [bytes.buffer as ArrayBuffer] : []);
  });
}
