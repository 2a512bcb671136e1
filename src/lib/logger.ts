/**
 * JSON-lines logger. Lines are buffered and written together every few milliseconds: one write
 * per request would cost a system call each on the hot path.
 */
import type { LogLevel } from "./config.ts";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  flush(): void;
}

export function createLogger(level: LogLevel, write = (s: string) => writeStdout(s)): Logger {
  const min = ORDER[level];
  let buffer: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0) return;
    const out = buffer.join("");
    buffer = [];
    write(out);
  };
  const log = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    buffer.push(
      JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }) + "\n",
    );
    if (buffer.length >= 256) flush();
    else if (timer === undefined) timer = setTimeout(flush, 50);
  };
  return {
    debug: (m, f) => log("debug", m, f),
    info: (m, f) => log("info", m, f),
    warn: (m, f) => log("warn", m, f),
    error: (m, f) => log("error", m, f),
    flush,
  };
}

const encoder = new TextEncoder();
function writeStdout(s: string) {
  const bytes = encoder.encode(s);
  let written = 0;
  while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
}
