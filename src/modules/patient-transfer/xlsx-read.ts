/**
 * An XLSX workbook's first sheet as rows of cells, read within the import limits: each part is
 * inflated as a stream and scanned as it inflates, every inflated byte is counted against
 * maxUnzippedBytes, and only the parts that lead to the first sheet are inflated at all.
 * The first sheet is the first `<sheet>` of xl/workbook.xml, found through its relation, as
 * read-excel-file did.
 */
import type { Cell } from "./columns.ts";
import { type ImportLimits, tooMuchContent, UnreadableError } from "./import-limits.ts";
import { relationsReader, sharedStringsReader, workbookReader } from "./xlsx-parts.ts";
import { sheetReader } from "./xlsx-sheet.ts";
import { stylesReader } from "./xlsx-styles.ts";
import { type XmlHandler, XmlScanner } from "./xml-scan.ts";
import { inflateEntry, zipEntries } from "./zip-entries.ts";

export function readXlsx(zip: Uint8Array, limits: ImportLimits): Cell[][] {
  const entries = zipEntries(zip);
  let inflated = 0;

  /** Streams one part through the scanner; false when an optional part is absent. */
  const read = (path: string, handler: XmlHandler, optional = false) => {
    const entry = entries.get(path.toLowerCase());
    if (!entry) {
      if (optional) return false;
      throw new UnreadableError(`${path} is missing`);
    }
    const scanner = new XmlScanner(handler);
    // Fatal: a part that is not UTF-8 is not one we can read (Office writes UTF-8).
    const decoder = new TextDecoder("utf-8", { fatal: true });
    inflateEntry(zip, entry, (bytes) => {
      inflated += bytes.length;
      if (inflated > limits.maxUnzippedBytes) throw tooMuchContent(limits);
      scanner.feed(decoder.decode(bytes, { stream: true }));
    });
    scanner.feed(decoder.decode());
    scanner.end();
    return true;
  };

  const workbook = workbookReader();
  read("xl/workbook.xml", workbook.handler);
  const relations = relationsReader();
  read("xl/_rels/workbook.xml.rels", relations.handler);
  const sheetPath = relations.targets.get(workbook.state.firstSheet ?? "");
  if (!sheetPath) throw new UnreadableError("the workbook names no sheet");

  const styles = stylesReader();
  read(relations.state.styles ?? "xl/styles.xml", styles, true);
  const shared = sharedStringsReader(limits);
  read(relations.state.sharedStrings ?? "xl/sharedStrings.xml", shared.handler, true);

  const sheet = sheetReader({
    limits,
    sharedStrings: shared.strings,
    dateStyles: styles.dateStyles(),
    epoch1904: workbook.state.epoch1904,
  });
  read(sheetPath, sheet.handler);
  return sheet.rows;
}
