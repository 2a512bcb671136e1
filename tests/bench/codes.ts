/**
 * ICD-10-CM search benchmark, in-process (the search runs in memory, so HTTP adds only the
 * framework's constant cost): BENCH_CODE_QUERIES (1,000) queries per class, after a warm-up, on a
 * list of the full ICD-10-CM size, and the p50/p99 per class against the 5 ms target.
 *
 *   deno task bench:codes
 *
 * The list: `$DATA_DIR/icd10cm.json` when `deno task codes:import` wrote one (the real list),
 * else the shipped list grown to BENCH_CODES (74,000) codes with generated sub-codes whose titles
 * extend their parent's the way ICD-10-CM's do (site, side, encounter, severity). Query classes:
 * a code prefix (2 characters up to the whole code, with or without the dot, any case), one
 * title word (whole or its first 3+ letters), two words of one title, and one word with accents
 * and capitals ("Pneumonía"). BENCH_STRICT=1 exits with status 1 when a p99 misses the target.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Icd10Code, Icd10CodeList } from "../../src/modules/codes/catalog.ts";
import {
  buildIndex,
  codeIndexFor,
  IMPORTED_FILE,
  searchCodes,
  SHIPPED_LIST,
  wordsOf,
} from "../../src/modules/codes/service.ts";
import { prng } from "./seed.ts";

const env = (name: string, fallback: number) => {
  const raw = Deno.env.get(name);
  const n = raw ? Number(raw) : fallback;
  if (!Number.isFinite(n) || n < 1) throw new Error(`${name} must be a positive number`);
  return Math.floor(n);
};
const SIZE = env("BENCH_CODES", 74_000);
const QUERIES = env("BENCH_CODE_QUERIES", 1_000);
const STRICT = Deno.env.get("BENCH_STRICT") === "1";
const TARGET_MS = 5;
const random = prng(20_250_101);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];

const SITES = ["upper limb", "lower limb", "hand", "foot", "shoulder", "knee", "hip", "trunk"];
const SIDES = ["right", "left", "bilateral", "unspecified side"];
const STAGES = [
  "initial encounter",
  "subsequent encounter",
  "sequela",
  "with complication",
  "without complication",
  "mild",
  "moderate",
  "severe",
];
const CHARS = "0123456789ABCDEFGHJKLMNPQRSTVWXYZ";

/**
 * The shipped list grown to `size` codes: each code gets children one character longer (up to
 * ICD-10-CM's seven), titled after it, breadth first, until the list is that long.
 */
function syntheticList(size: number): Icd10CodeList {
  const codes: Icd10Code[] = [...SHIPPED_LIST.codes];
  const taken = new Set(codes.map((c) => c.code.replace(".", "")));
  let frontier = [...codes];
  while (codes.length < size && frontier.length > 0) {
    const next: Icd10Code[] = [];
    for (const parent of frontier) {
      const key = parent.code.replace(".", "");
      if (key.length >= 7) continue;
      for (let i = 0; i < 12 && codes.length < size; i++) {
        const childKey = key + CHARS[i];
        if (taken.has(childKey)) continue;
        taken.add(childKey);
        const qualifier = key.length < 5
          ? `${pick(SITES)}, ${pick(SIDES)}`
          : key.length < 6
          ? pick(SIDES)
          : pick(STAGES);
        const child: Icd10Code = {
          ...parent,
          code: `${childKey.slice(0, 3)}.${childKey.slice(3)}`,
          title: `${parent.title}, ${qualifier}`,
          kind: "subcategory",
        };
        codes.push(child);
        next.push(child);
      }
    }
    frontier = next;
  }
  return { ...SHIPPED_LIST, codes };
}

const ACCENTED: Record<string, string> = { a: "á", e: "é", i: "í", o: "ó", u: "ú", n: "ñ" };
const accent = (word: string) =>
  word[0].toUpperCase() + word.slice(1).replace(/[aeioun]/, (ch) => ACCENTED[ch]);
const wordOf = (c: Icd10Code) => {
  const words = wordsOf(c.title).filter((w) => w.length >= 3 && /[a-z]/.test(w));
  return words.length ? pick(words) : "fever";
};
const cut = (w: string) => (random() < 0.5 ? w : w.slice(0, 3 + Math.floor(random() * 3)));

const dataDir = Deno.env.get("DATA_DIR") || "./data";
const imported = existsSync(join(dataDir, IMPORTED_FILE));
const buildStart = performance.now();
const index = imported ? codeIndexFor(dataDir) : buildIndex(syntheticList(SIZE));
const buildMs = performance.now() - buildStart;
const codes = index.codes;

const classes: Record<string, () => string> = {
  "code prefix": () => {
    const code = pick(codes).code;
    const raw = random() < 0.5 ? code : code.replace(".", "");
    const prefix = raw.slice(0, 2 + Math.floor(random() * (raw.length - 1)));
    return random() < 0.5 ? prefix.toLowerCase() : prefix;
  },
  "one word": () => cut(wordOf(pick(codes))),
  "two words": () => {
    const c = pick(codes);
    return `${cut(wordOf(c))} ${cut(wordOf(c))}`;
  },
  "accents": () => accent(wordOf(pick(codes))),
};

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

console.log(
  `ICD-10-CM search: ${codes.length.toLocaleString("en")} codes ` +
    `(${imported ? `imported, ${join(dataDir, IMPORTED_FILE)}` : "shipped list + generated"})` +
    `, index built in ${buildMs.toFixed(0)} ms; ${QUERIES} queries per class, limit 20`,
);
const rows: string[][] = [];
let ok = true;
for (const [name, make] of Object.entries(classes)) {
  const queries = Array.from({ length: QUERIES }, make);
  for (const q of queries.slice(0, 100)) searchCodes(index, q, 20); // warm-up
  const micros: number[] = [];
  let hits = 0;
  for (const q of queries) {
    const t0 = performance.now();
    const found = searchCodes(index, q, 20);
    micros.push((performance.now() - t0) * 1000);
    if (found.length > 0) hits++;
  }
  micros.sort((a, b) => a - b);
  const p99 = percentile(micros, 99);
  if (p99 >= TARGET_MS * 1000) ok = false;
  rows.push([
    name,
    String(queries.length),
    `${Math.round((hits / queries.length) * 100)}%`,
    percentile(micros, 50).toFixed(0),
    p99.toFixed(0),
    micros[micros.length - 1].toFixed(0),
    p99 < TARGET_MS * 1000 ? "yes" : "NO",
  ]);
}
const header = ["class", "queries", "found", "p50 µs", "p99 µs", "max µs", "p99 < 5 ms"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [header, ...rows]) {
  console.log(
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join("  "),
  );
}
console.log(ok ? "Target met: p99 < 5 ms in every class." : "Target MISSED in some class.");
if (STRICT && !ok) Deno.exit(1);
