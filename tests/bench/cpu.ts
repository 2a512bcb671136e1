/**
 * What one server request costs the machine: the server process's CPU time (user + system,
 * summed by the kernel over all its threads: main, audit worker, libSQL, V8 GC) and its resident
 * memory, read from its own /proc counters (Linux; elsewhere every figure is null).
 */

import { procTicks, TICKS_PER_SECOND } from "./cpu_usage.ts";

/** utime + stime of the whole process in ms; children are not counted (the server has none). */
export function serverCpuMs(pid: number): number | null {
  try {
    return (procTicks(pid, false) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

function totalCpuMs(pids: number[]): number | null {
  let total = 0;
  for (const pid of pids) {
    const ms = serverCpuMs(pid);
    if (ms === null) return null;
    total += ms;
  }
  return total;
}

/**
 * Starts counting the CPU of the server process(es); the returned function answers µs per
 * request for `requests` answered since then. Ticks are 10 ms, so a phase needs a second or more
 * of load for the figure to be good to a few per cent.
 */
export function startServerCpu(pid: number | number[]): (requests: number) => number | null {
  const pids = Array.isArray(pid) ? pid : [pid];
  const before = totalCpuMs(pids);
  return (requests) => {
    const after = totalCpuMs(pids);
    if (before === null || after === null || requests <= 0) return null;
    return ((after - before) * 1000) / requests;
  };
}

export interface Memory {
  /** Resident now. */
  rssMiB: number;
  /** Highest resident since the process started (VmHWM). */
  peakMiB: number;
}

export function serverMemory(pid: number): Memory | null {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kib = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1]);
    return { rssMiB: Math.round(kib("VmRSS") / 1024), peakMiB: Math.round(kib("VmHWM") / 1024) };
  } catch {
    return null;
  }
}

/** "123 µs (1.7× health)", or "n/a" when /proc was not readable. */
export function cpuFigure(us: number | null, healthUs?: number | null): string {
  if (us === null) return "n/a";
  const ratio = healthUs ? ` (${(us / healthUs).toFixed(1)}× health)` : "";
  return `${Math.round(us)} µs${ratio}`;
}
