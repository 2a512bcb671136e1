/**
 * Builds minimal XLSX files by hand, part by part, so that tests can make the shapes no
 * spreadsheet program would write: a cell at XFD2000000, a 200 MB string, a million rows, an entry
 * whose declared size lies. Parts are given as string chunks and compressed as they stream, so a
 * part of hundreds of megabytes never exists whole in memory.
 */
import { Zip, ZipDeflate } from "fflate";

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const CT = "application/vnd.openxmlformats-officedocument.spreadsheetml";
const PKG = "http://schemas.openxmlformats.org/package/2006";
const XML = '<?xml version="1.0" encoding="UTF-8"?>';

/** Text as a string, or as chunks (strings or generators of them), read lazily. */
export type Chunks = string | Iterable<Chunks>;

function* flatten(chunks: Chunks): Generator<string> {
  if (typeof chunks === "string") yield chunks;
  else for (const c of chunks) yield* flatten(c);
}

export interface XlsxParts {
  /** The content of `<sheetData>`. */
  sheetData: Chunks;
  /** The `<si>` elements of the shared strings table; no table when absent. */
  sharedStrings?: Chunks;
}

const encoder = new TextEncoder();

export function buildXlsx(parts: XlsxParts): Uint8Array {
  const out: Uint8Array[] = [];
  const zip = new Zip((err, chunk) => {
    if (err) throw err;
    out.push(chunk);
  });
  /** Level 1: the big parts compress in about a second and still shrink ~1000:1 when uniform. */
  const add = (name: string, chunks: Chunks) => {
    const entry = new ZipDeflate(name, { level: 1 });
    zip.add(entry);
    for (const piece of flatten(chunks)) entry.push(encoder.encode(piece));
    entry.push(new Uint8Array(0), true);
  };
  const shared = parts.sharedStrings !== undefined;
  add("[Content_Types].xml", [
    `${XML}<Types xmlns="${PKG}/content-types">`,
    `<Default Extension="rels" `,
    `ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`,
    `<Default Extension="xml" ContentType="application/xml"/>`,
    `<Override PartName="/xl/workbook.xml" ContentType="${CT}.sheet.main+xml"/>`,
    `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="${CT}.worksheet+xml"/>`,
    shared
      ? `<Override PartName="/xl/sharedStrings.xml" ContentType="${CT}.sharedStrings+xml"/>`
      : "",
    `</Types>`,
  ]);
  add("_rels/.rels", [
    `${XML}<Relationships xmlns="${PKG}/relationships">`,
    `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/>`,
    `</Relationships>`,
  ]);
  add("xl/workbook.xml", [
    `${XML}<workbook ${NS} xmlns:r="${REL}">`,
    `<sheets><sheet name="Patients" sheetId="1" r:id="rId1"/></sheets></workbook>`,
  ]);
  add("xl/_rels/workbook.xml.rels", [
    `${XML}<Relationships xmlns="${PKG}/relationships">`,
    `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>`,
    shared
      ? `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>`
      : "",
    `</Relationships>`,
  ]);
  add("xl/worksheets/sheet1.xml", [
    `${XML}<worksheet ${NS}><sheetData>`,
    parts.sheetData,
    `</sheetData></worksheet>`,
  ]);
  if (parts.sharedStrings) {
    add("xl/sharedStrings.xml", [
      `${XML}<sst ${NS}>`,
      parts.sharedStrings,
      `</sst>`,
    ]);
  }
  zip.end();
  const size = out.reduce((n, c) => n + c.length, 0);
  const file = new Uint8Array(size);
  let at = 0;
  for (const c of out) file.set(c, at), at += c.length;
  return file;
}

/** The string `piece` repeated to `total` characters, as chunks of about a megabyte. */
export function* repeated(piece: string, total: number): Generator<string> {
  const chunk = piece.repeat(Math.ceil((1 << 20) / piece.length));
  for (let left = total; left > 0; left -= chunk.length) {
    yield left >= chunk.length ? chunk : chunk.slice(0, left);
  }
}

/** An inline-string cell, escaped as XML text must be. */
export const inlineCell = (ref: string, text: string) =>
  `<c r="${ref}" t="inlineStr"><is><t>${
    text.replace(/&/g, "&amp;").replace(/</g, "&lt;")
  }</t></is></c>`;

/**
 * Rewrites the uncompressed size that the archive declares for `name` (central directory, local
 * header and data descriptor), leaving the compressed data as it is: the lie a zip bomb tells.
 */
export function declareSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  const wanted = encoder.encode(name);
  const named = (at: number, length: number) =>
    length === wanted.length && wanted.every((b, i) => out[at + i] === b);
  for (let at = 0; at + 46 < out.length; at++) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(at + 28, true);
    if (!named(at + 46, nameLength)) continue;
    const compressed = view.getUint32(at + 20, true);
    view.setUint32(at + 24, size, true);
    const local = view.getUint32(at + 42, true);
    view.setUint32(local + 22, size, true);
    if (view.getUint16(local + 6, true) & 8) {
      let dd = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true) +
        compressed;
      if (view.getUint32(dd, true) === 0x08074b50) dd += 4;
      view.setUint32(dd + 8, size, true);
    }
  }
  return out;
}
