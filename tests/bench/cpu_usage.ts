/**
 * Who used the CPUs during a measurement (Linux /proc; elsewhere every figure is null): the
 * server, this process with the load generator it waited for, and everything else. On a shared
 * machine "other" tells a clean run from a disturbed one.
 */

export const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface CpuUsage {
  /** Each in cores busy on average over the interval (1.0 = one core fully used). */
  server: number;
  bench: number;
  other: number;
  /** Time the hypervisor gave our vCPUs to someone else. */
  steal: number;
  cores: number;
}

interface Snapshot {
  at: number;
  busy: number;
  steal: number;
  server: number;
  bench: number;
}

/** A process's CPU time in clock ticks (user + system, all threads; its children's on demand). */
export function procTicks(pid: number | "self", withChildren: boolean): number {
  return statTicks(Deno.readTextFileSync(`/proc/${pid}/stat`), withChildren);
}

/** CPU ticks in the text of a /proc stat file: a process's, or a thread's (`task/<tid>/stat`). */
export function statTicks(text: string, withChildren = false): number {
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // f[0] is field 3 (state); utime, stime, cutime, cstime are fields 14-17.
  const [utime, stime, cutime, cstime] = [f[11], f[12], f[13], f[14]].map(Number);
  return utime + stime + (withChildren ? cutime + cstime : 0);
}

function snapshot(serverPid: number): Snapshot | null {
  try {
    const cpu = Deno.readTextFileSync("/proc/stat").split("\n")[0].trim().split(/\s+/).slice(1)
      .map(Number);
    const [user, nice, system, _idle, _iowait, irq, softirq, steal] = cpu;
    return {
      at: performance.now(),
      busy: user + nice + system + irq + softirq,
      steal: steal ?? 0,
      server: procTicks(serverPid, true),
      bench: procTicks("self", true),
    };
  } catch {
    return null;
  }
}

/** Starts measuring; the returned function answers the usage since then. */
export function startCpuUsage(serverPid: number): () => CpuUsage | null {
  const a = snapshot(serverPid);
  return () => {
    const b = snapshot(serverPid);
    if (!a || !b) return null;
    const seconds = (b.at - a.at) / 1000;
    const cores = (ticks: number) => ticks / TICKS_PER_SECOND / seconds;
    const server = cores(b.server - a.server);
    const bench = cores(b.bench - a.bench);
    return {
      server,
      bench,
      other: Math.max(0, cores(b.busy - a.busy) - server - bench),
      steal: cores(b.steal - a.steal),
      cores: navigator.hardwareConcurrency,
    };
  };
}

export function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "n/a";
  }
}
