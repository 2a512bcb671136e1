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
  /** Highest resident since the process started, or since `resetPeakMemory` (VmHWM). */
  peakMiB: number;
  /** Of the resident now: anonymous (V8 heaps, malloc, stacks: only swap can take it back). */
  anonMiB: number;
  /**
   * Of the resident now: file pages (the deno binary's code, native libraries, the database's
   * memory-mapped pages), clean copies of files the OS drops under pressure and reads back.
   */
  fileMiB: number;
}

export function serverMemory(pid: number): Memory | null {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kib = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1]);
    const mib = (field: string) => Math.round(kib(field) / 1024);
    const memory = {
      rssMiB: mib("VmRSS"),
      peakMiB: mib("VmHWM"),
      anonMiB: mib("RssAnon"),
      fileMiB: mib("RssFile"),
    };
    return Number.isFinite(memory.rssMiB) ? memory : null;
  } catch {
    return null;
  }
}

/**
 * Sets the process's VmHWM back to its current RSS (Linux 4.0+), so that a peak measured after
 * this leaves out what came before, e.g. the login's scrypt, which holds 128 MiB while it runs.
 * Answers false where that is not possible.
 */
export function resetPeakMemory(pid: number): boolean {
  try {
    Deno.writeTextFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/**
 * Samples the process's memory every `intervalMs` until `stop()`, which answers the sample with
 * the highest RSS (for its anonymous/file split), its `peakMiB` raised to VmHWM when the kernel
 * saw a higher peak between samples; pass `useHwm: false` when VmHWM could not be reset to the
 * start of the period (it would include what came before).
 */
export function trackPeakMemory(
  pid: number,
  { intervalMs = 100, useHwm = true } = {},
): { stop(): Memory | null } {
  let peak: Memory | null = null;
  const sample = () => {
    const m = serverMemory(pid);
    if (m && (!peak || m.rssMiB > peak.rssMiB)) peak = m;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const last = serverMemory(pid);
      if (!peak) return last;
      const hwm = useHwm ? last?.peakMiB ?? 0 : 0;
      return { ...peak, peakMiB: Math.max(peak.rssMiB, hwm) };
    },
  };
}

/** "123 µs (1.7× health)", or "n/a" when /proc was not readable. */
export function cpuFigure(us: number | null, healthUs?: number | null): string {
  if (us === null) return "n/a";
  const ratio = healthUs ? ` (${(us / healthUs).toFixed(1)}× health)` : "";
  return `${Math.round(us)} µs${ratio}`;
}
