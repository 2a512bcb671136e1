/// <reference lib="deno.worker" />
/**
 * Reads one uploaded import file off the main thread. Even within the limits, inflating and
 * scanning a large workbook or splitting a wide CSV takes CPU time that on the main thread would
 * stall every request in flight; here it only costs this worker, which the main thread
 * terminates once it has the answer, or when the read runs too long. One file per worker: a
 * worker is never reused, so nothing of one upload outlives its request.
 */
import { parseFile, type ParseReply, type ParseRequest } from "./parse-file.ts";

self.onmessage = (e: MessageEvent<ParseRequest>) => {
  self.postMessage(parseFile(e.data.bytes, e.data.limits) satisfies ParseReply);
};
