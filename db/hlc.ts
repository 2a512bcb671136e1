/**
 * A hybrid logical clock: wall time in milliseconds, a counter for changes within one
 * millisecond, and this process's id, as one string that sorts in clock order. Every change-log
 * entry carries one, so concurrent edits of a field resolve the same way on every node: the
 * later clock wins, ties broken by the process id. A clock received from another node moves
 * this one past it (`observeHlc`), so a change made after seeing another always sorts after it,
 * whatever the two machines' clocks say.
 *
 * The state is per process and needs no persistence: wall time moves on across restarts, and
 * two processes never share an id.
 */
const PROCESS_ID = crypto.randomUUID().slice(0, 8);
let lastMs = 0;
let counter = 0;

const WIDTH_MS = 9; // base 36: good until the year 5188
const WIDTH_COUNTER = 4;

/** The next clock value, strictly greater than every one this process made or observed. */
export function nextHlc(nowMs = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    counter = 0;
  } else counter++;
  return `${lastMs.toString(36).padStart(WIDTH_MS, "0")}-${
    counter.toString(36).padStart(WIDTH_COUNTER, "0")
  }-${PROCESS_ID}`;
}

/** Moves this clock past a value received from another node. */
export function observeHlc(remote: string) {
  const remoteMs = hlcTime(remote);
  const remoteCount = parseInt(remote.split("-")[1], 36);
  if (remoteMs > lastMs || (remoteMs === lastMs && remoteCount > counter)) {
    lastMs = remoteMs;
    counter = remoteCount;
  }
}

/** The wall time (ms) a clock value was made at. */
export function hlcTime(value: string): number {
  return parseInt(value.split("-")[0], 36);
}
