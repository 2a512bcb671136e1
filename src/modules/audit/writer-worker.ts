/// <reference lib="deno.worker" />
/**
 * Appends batches of audit entries, and indexes them by patient (patient-index.ts), on a libSQL
 * connection of its own, off the main thread: an append of a second's worth of reads (index
 * maintenance plus the COMMIT's fsync) takes tens of milliseconds, which on the main thread would
 * stall every request in flight.
 */
import { type DatabaseHandle, openDatabase } from "../../../db/client.ts";
import { appendBatch, type WriterReply, type WriterRequest } from "./entries.ts";
import { indexPatients } from "./patient-index.ts";

let handle: DatabaseHandle | undefined;

// Messages are handled one at a time, in order, because each append is synchronous underneath.
self.onmessage = async (e: MessageEvent<WriterRequest>) => {
  const msg = e.data;
  if (msg.type === "open") {
    handle = openDatabase(msg.options);
    return;
  }
  try {
    if (msg.type === "append") await appendBatch(handle!, msg.batch);
    else if (msg.type === "index") await handle!.transaction(indexPatients, { alone: true });
    else {
      handle?.close();
      handle = undefined;
    }
    self.postMessage({ id: msg.id, ok: true } satisfies WriterReply);
  } catch (err) {
    self.postMessage({ id: msg.id, ok: false, error: String(err) } satisfies WriterReply);
  }
};
