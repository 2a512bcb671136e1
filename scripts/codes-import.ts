/**
 * `deno task codes:import FILE [OUT]`: reads the ICD-10-CM order file CDC/NCHS publish each
 * fiscal year (`icd10cm_order_2025.txt`, in the "code descriptions in tabular order" download)
 * and writes the full list, about 74,000 codes placed in the shipped list's chapters and blocks,
 * to `$DATA_DIR/icd10cm.json` (DATA_DIR defaults to ./data, as for the server) or OUT. The server
 * loads that file at its next start instead of the shipped list of common codes.
 *
 * Source: ICD-10-CM, National Center for Health Statistics; public domain.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { readOrderFile, sourceOf } from "../src/modules/codes/order-file.ts";
import { IMPORTED_FILE, SHIPPED_LIST } from "../src/modules/codes/service.ts";

const [file, out] = Deno.args;
if (!file) {
  console.error("usage: deno task codes:import icd10cm_order_YYYY.txt [output.json]");
  Deno.exit(2);
}
let text: string;
try {
  text = await Deno.readTextFile(file);
} catch (err) {
  console.error(`Cannot read ${file}: ${(err as Error).message}`);
  Deno.exit(1);
}
const { list, errors, unplaced } = readOrderFile(text, SHIPPED_LIST, sourceOf(file));
if (errors.length > 0) {
  console.error(`${file}: ${errors.length} line(s) not in the order-file format; nothing written.`);
  for (const e of errors.slice(0, 10)) console.error(`  line ${e.line}: ${e.message}`);
  Deno.exit(1);
}
if (list.codes.length === 0) {
  console.error(`${file} holds no codes; nothing written.`);
  Deno.exit(1);
}
const target = out ?? join(Deno.env.get("DATA_DIR") || "./data", IMPORTED_FILE);
mkdirSync(dirname(target), { recursive: true });
// Written beside the target and renamed over it, so a server starting meanwhile never reads half.
const partial = `${target}.${crypto.randomUUID()}.partial`;
writeFileSync(partial, JSON.stringify(list));
renameSync(partial, target);
const categories = list.codes.filter((c) => c.kind === "category").length;
console.log(
  `Wrote ${list.codes.length} codes (${categories} categories) in ` +
    `${new Set(list.codes.map((c) => c.chapter)).size} chapters to ${target}.`,
);
if (unplaced.length > 0) {
  console.warn(
    `${unplaced.length} code(s) fall in no block of the shipped list and are listed without ` +
      `one: ${unplaced.slice(0, 10).join(", ")}${unplaced.length > 10 ? ", …" : ""}`,
  );
}
console.log("Restart the server to serve the new list.");
