/**
 * Random access to the entries of a ZIP held in memory, and each entry inflated as a stream.
 *
 * Entries are found through the central directory, so the workbook, its relations, styles and
 * shared strings are read before the sheet whatever order the archive stores them in. The sizes
 * the archive declares are never trusted for the output: every inflated chunk is counted against
 * the budget, and inflating stops at the first chunk past it, so a "zip bomb" costs at most one
 * chunk's expansion (DEFLATE expands at most ~1032:1, so 8 KiB in gives at most ~8 MiB out).
 */
import { Inflate } from "fflate";
import { UnreadableError } from "./import-limits.ts";

export interface ZipEntry {
  name: string;
  method: number;
  /** Compressed bytes, clamped to the archive: the only declared size that is used. */
  start: number;
  end: number;
}

const IN_CHUNK = 8 * 1024;
const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Part names are case-insensitive in Office files (OPC); the first of two equal names wins. */
export function zipEntries(zip: Uint8Array): Map<string, ZipEntry> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const u16 = (at: number) => at + 2 <= zip.length ? view.getUint16(at, true) : fail();
  const u32 = (at: number) => at + 4 <= zip.length ? view.getUint32(at, true) : fail();
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail();
  const count = u16(eocd + 10);
  let at = u32(eocd + 16);
  // ZIP64 marks these fields all-ones; a workbook small enough to import never needs it.
  if (count === 0xffff || at === 0xffffffff) fail();
  const names = new TextDecoder();
  const entries = new Map<string, ZipEntry>();
  for (let i = 0; i < count; i++) {
    if (u32(at) !== CENTRAL) fail();
    const flags = u16(at + 8);
    if (flags & 1) fail(); // encrypted
    const nameLength = u16(at + 28);
    const next = at + 46 + nameLength + u16(at + 30) + u16(at + 32);
    if (next > zip.length) fail();
    const name = names.decode(zip.subarray(at + 46, at + 46 + nameLength));
    const local = u32(at + 42);
    if (u32(local) !== LOCAL) fail();
    const start = local + 30 + u16(local + 26) + u16(local + 28);
    const end = Math.min(zip.length, start + u32(at + 20));
    const key = name.toLowerCase();
    if (!entries.has(key)) entries.set(key, { name, method: u16(at + 10), start, end });
    at = next;
  }
  return entries;
}

/**
 * Inflates one entry, handing each piece to `onBytes` as it comes; `onBytes` enforces the budget
 * by throwing, which stops the inflation there.
 */
export function inflateEntry(
  zip: Uint8Array,
  entry: ZipEntry,
  onBytes: (chunk: Uint8Array) => void,
) {
  const data = zip.subarray(entry.start, Math.max(entry.start, entry.end));
  if (entry.method === 0) {
    for (let i = 0; i < data.length; i += IN_CHUNK) onBytes(data.subarray(i, i + IN_CHUNK));
    return;
  }
  if (entry.method !== 8) fail();
  let done = false;
  const inflate = new Inflate((chunk, final) => {
    if (chunk.length > 0) onBytes(chunk);
    done ||= final;
  });
  for (let i = 0; i < data.length; i += IN_CHUNK) {
    inflate.push(data.subarray(i, i + IN_CHUNK), i + IN_CHUNK >= data.length);
  }
  if (!done) fail();
}

function fail(): never {
  throw new UnreadableError("not a readable ZIP archive");
}
