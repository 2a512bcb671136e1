/**
 * ICD-10-CM codes: the shipped list's integrity, search, the diagnosis check other modules use,
 * the import of an order file, and the routes with their permissions.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ROLES } from "../src/lib/permissions.ts";
import { categoryKey, CODE_PATTERN, normalizeCode, rangeOf } from "../src/modules/codes/catalog.ts";
import { readOrderFile } from "../src/modules/codes/order-file.ts";
import {
  buildIndex,
  codeIndexFor,
  IMPORTED_FILE,
  searchCodes,
  SHIPPED_LIST,
  shippedCodes,
} from "../src/modules/codes/service.ts";
import { isDiagnosisCode } from "../src/modules/codes/mod.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, superAdminToken } from "./helpers/factories.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/icd10cm_order_sample.txt", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ROMAN = [
  "I",
  "II",
  "III",
  "IV",
  "V",
  "VI",
  "VII",
  "VIII",
  "IX",
  "X",
  "XI",
  "XII",
  "XIII",
  "XIV",
  "XV",
  "XVI",
  "XVII",
  "XVIII",
  "XIX",
  "XX",
  "XXI",
  "XXII",
];
const codesOf = (q: string, limit?: number) =>
  searchCodes(shippedCodes(), q, limit).map((c) => c.code);

Deno.test("the shipped list", async (t) => {
  const list = SHIPPED_LIST;
  const blocks = new Map(list.blocks.map((b) => [b.code, b]));
  const chapters = new Map(list.chapters.map((c) => [c.code, c]));

  await t.step("holds at least 1,000 well-formed codes, none twice", () => {
    assert.ok(list.codes.length >= 1000, `${list.codes.length} codes`);
    const keys = new Set<string>();
    for (const c of list.codes) {
      assert.match(c.code, CODE_PATTERN, c.code);
      assert.ok(!keys.has(normalizeCode(c.code)), `${c.code} twice`);
      keys.add(normalizeCode(c.code));
      assert.equal(c.kind, c.code.length === 3 ? "category" : "subcategory", c.code);
      assert.ok(c.title.length > 2 && c.title === c.title.trim(), `${c.code} title`);
    }
  });

  await t.step("names its source", () => {
    assert.match(list.source, /ICD-10-CM, FY2025, National Center for Health Statistics/);
    assert.match(list.source, /public domain/);
  });

  await t.step("has the 22 chapters, in order, each holding codes", () => {
    assert.deepEqual(list.chapters.map((c) => c.code), ROMAN);
    assert.equal(chapters.get("I")!.range, "A00-B99");
    assert.equal(chapters.get("XV")!.range, "O00-O9A");
    assert.equal(chapters.get("XXII")!.range, "U00-U85");
    for (const c of list.chapters) {
      assert.ok(rangeOf(c.range), c.range);
      assert.ok(list.codes.some((code) => code.chapter === c.code), `chapter ${c.code} empty`);
    }
  });

  await t.step("every block lies inside its chapter, and no two blocks overlap", () => {
    const sorted = [...list.blocks].sort((a, b) => rangeOf(a.code)!.from - rangeOf(b.code)!.from);
    sorted.forEach((b, i) => {
      const r = rangeOf(b.code)!;
      const ch = rangeOf(chapters.get(b.chapter)!.range)!;
      assert.ok(r.from <= r.to, b.code);
      assert.ok(ch.from <= r.from && r.to <= ch.to, `${b.code} outside chapter ${b.chapter}`);
      if (i > 0) assert.ok(rangeOf(sorted[i - 1].code)!.to < r.from, `${b.code} overlaps`);
    });
  });

  await t.step("every code lies inside its block, and its block in its chapter", () => {
    for (const c of list.codes) {
      const block = blocks.get(c.block!);
      assert.ok(block, `${c.code} has no block`);
      const r = rangeOf(block.code)!;
      const key = categoryKey(c.code.slice(0, 3));
      assert.ok(r.from <= key && key <= r.to, `${c.code} outside ${block.code}`);
      assert.equal(block.chapter, c.chapter, c.code);
    }
  });

  await t.step("letter categories sit where the tabular list puts them", () => {
    assert.ok(categoryKey("M10") < categoryKey("M1A") && categoryKey("M1A") < categoryKey("M11"));
    assert.ok(categoryKey("C75") < categoryKey("C7A") && categoryKey("C7A") < categoryKey("C7B"));
    assert.ok(categoryKey("C7B") < categoryKey("C76"));
    assert.equal(SHIPPED_LIST.codes.find((c) => c.code === "M1A.9XX0")!.block, "M05-M14");
    assert.equal(SHIPPED_LIST.codes.find((c) => c.code === "I1A.0")!.block, "I10-I1A");
    assert.equal(SHIPPED_LIST.codes.find((c) => c.code === "Z3A.20")!.block, "Z30-Z39");
  });

  await t.step("covers what a clinic sees every day", () => {
    const have = new Set(list.codes.map((c) => c.code));
    const daily = [
      "B50.9",
      "B51.9",
      "B53.0",
      "B54", // malaria
      "A15.0",
      "A15.9",
      "B20",
      "Z21",
      "A01.00",
      "A09",
      "A06.0", // TB, HIV, typhoid, diarrhoea
      "J06.9",
      "J18.9",
      "J45.909",
      "J44.1",
      "I10",
      "E11.9",
      "E10.9",
      "E11.65",
      "D50.9",
      "D64.9",
      "E43",
      "E44.0",
      "N39.0",
      "A54.9",
      "A56.00",
      "A59.01",
      "A64",
      "O80",
      "O14.90",
      "O21.0",
      "O99.019",
      "S93.401A",
      "S61.411A",
      "T63.001A",
      "W54.0XXA",
      "L01.00",
      "L03.90",
      "B35.4",
      "B86",
      "F32.A",
      "F41.1",
      "K02.9",
      "K04.7",
      "H10.9",
      "H66.90",
      "M54.50",
      "M25.561",
      "R50.9",
      "R51.9",
      "R10.9",
      "R05.9",
      "Z00.00",
      "Z00.129",
      "Z23",
      "Z30.013",
      "Z34.90",
      "U07.1",
    ];
    for (const code of daily) assert.ok(have.has(code), `${code} missing`);
  });
});

Deno.test("search", async (t) => {
  await t.step("a code prefix finds the code with or without its dot, in any case", () => {
    for (const q of ["j18", "J18.", "J189", "j18.9", " J18.9 "]) {
      assert.ok(codesOf(q).includes("J18.9"), q);
    }
  });

  await t.step("the exact code comes first, then the codes it starts, by code", () => {
    assert.deepEqual(codesOf("J18"), ["J18", "J18.0", "J18.1", "J18.2", "J18.9"]);
    assert.equal(codesOf("J45.9")[0], "J45.901");
    const e11 = codesOf("e11", 100);
    assert.equal(e11[0], "E11");
    assert.deepEqual(e11, [...e11].sort((a, b) => (normalizeCode(a) < normalizeCode(b) ? -1 : 1)));
  });

  await t.step("words of the title match by their start, accents and case ignored", () => {
    assert.ok(codesOf("Pneumonía", 100).includes("J18.9"));
    assert.deepEqual(codesOf("pneumonie"), []);
    assert.ok(codesOf("MALARIA", 100).includes("B50.9"));
    assert.ok(codesOf("falcip mal").every((c) => c.startsWith("B50")));
  });

  await t.step("every word must match: 'diab typ 2' finds type 2 diabetes only", () => {
    const found = codesOf("diab typ 2", 100);
    assert.ok(found.length > 20);
    assert.ok(found.every((c) => c.startsWith("E11")), found.join(" "));
    assert.ok(found.includes("E11.9"));
    assert.deepEqual(codesOf("typhoid zzz"), []);
  });

  await t.step("whole-word matches come before prefix-only ones, shorter titles first", () => {
    const titles = searchCodes(shippedCodes(), "gout", 100).map((c) => c.title);
    assert.equal(titles[0], "Gout");
    const hits = searchCodes(shippedCodes(), "otitis", 100);
    const lengths = hits.map((c) => c.title.length);
    assert.deepEqual(lengths, [...lengths].sort((a, b) => a - b));
    // "anemia" as a word ranks before titles that only start a word with it ("anemias").
    const anemia = searchCodes(shippedCodes(), "anemia", 100).map((c) => c.title);
    const firstPrefixOnly = anemia.findIndex((t) => !/\banemia\b/i.test(t));
    const lastWhole = anemia.findLastIndex((t) => /\banemia\b/i.test(t));
    assert.ok(firstPrefixOnly === -1 || lastWhole < firstPrefixOnly, anemia.join(" | "));
  });

  await t.step("code matches come before title matches", () => {
    const found = codesOf("b5", 100);
    assert.equal(found[0], "B50");
    assert.ok(found.every((c) => c.startsWith("B5")));
  });

  await t.step("limit caps the answer; an empty query answers nothing", () => {
    assert.equal(codesOf("a", 5).length, 5);
    assert.equal(codesOf("fever").length <= 20, true);
    assert.deepEqual(codesOf(""), []);
    assert.deepEqual(codesOf("  "), []);
    assert.deepEqual(codesOf("%%%"), []);
  });
});

Deno.test("isDiagnosisCode", async (t) => {
  await t.step("accepts a category and a subcategory, with or without the dot", () => {
    assert.deepEqual(isDiagnosisCode("J45"), { ok: true, code: "J45", title: "Asthma" });
    assert.deepEqual(isDiagnosisCode("j45909"), {
      ok: true,
      code: "J45.909",
      title: "Unspecified asthma, uncomplicated",
    });
    assert.equal(isDiagnosisCode("S93.401A").ok, true);
  });

  await t.step("refuses a chapter, a block and an unknown code, saying why", () => {
    const chapter = isDiagnosisCode("X");
    assert.equal(chapter.ok, false);
    assert.match((chapter as { reason: string }).reason, /chapter .*not a diagnosis/);
    const block = isDiagnosisCode("J09-J18");
    assert.equal(block.ok, false);
    assert.match((block as { reason: string }).reason, /block \(Influenza and pneumonia\)/);
    const unknown = isDiagnosisCode("J99.99");
    assert.match((unknown as { reason: string }).reason, /not an ICD-10-CM code known/);
    const junk = isDiagnosisCode("pneumonia");
    assert.match((junk as { reason: string }).reason, /look like J18\.9/);
    assert.equal(isDiagnosisCode("").ok, false);
  });

  await t.step("checks against a given index when told", () => {
    const tiny = buildIndex({ ...SHIPPED_LIST, codes: SHIPPED_LIST.codes.slice(0, 3) });
    assert.equal(isDiagnosisCode("J45", tiny).ok, false);
    assert.equal(isDiagnosisCode("A00", tiny).ok, true);
  });
});

Deno.test("importing an order file", async (t) => {
  const text = await Deno.readTextFile(FIXTURE);

  await t.step("reads every line: dots placed, headers kept, each code in its block", () => {
    const { list, errors, unplaced } = readOrderFile(text, SHIPPED_LIST, "test");
    assert.deepEqual(errors, []);
    assert.deepEqual(unplaced, []);
    assert.equal(list.codes.length, text.trim().split("\n").length);
    const by = new Map(list.codes.map((c) => [c.code, c]));
    assert.deepEqual(by.get("A01.00"), {
      code: "A01.00",
      title: "Typhoid fever, unspecified",
      kind: "subcategory",
      chapter: "I",
      block: "A00-A09",
    });
    assert.equal(by.get("A00")!.kind, "category");
    assert.equal(by.get("M1A.9XX0")!.block, "M05-M14");
    assert.equal(by.get("U07.1")!.chapter, "XXII");
    // The long description is the title, never the 60-character short one.
    assert.equal(
      by.get("S52.501A")!.title,
      "Unspecified fracture of the lower end of right radius, initial encounter for closed " +
        "fracture",
    );
    assert.deepEqual(list.chapters, SHIPPED_LIST.chapters);
    assert.deepEqual(list.blocks, SHIPPED_LIST.blocks);
  });

  await t.step("refuses lines not in the format, naming them", () => {
    const broken = text.replace("00003 A001    1", "00003 A001 1").replace(
      "00004 A009",
      "0004 A009",
    );
    const { errors } = readOrderFile(broken, SHIPPED_LIST, "test");
    assert.deepEqual(errors.map((e) => e.line), [3, 4]);
    const twice = readOrderFile(text + text.split("\n")[0], SHIPPED_LIST, "test");
    assert.match(twice.errors[0].message, /A00 appears twice/);
  });

  await t.step("the task writes the data folder's list, which the module then serves", async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "codes-import-" });
    try {
      const run = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-read",
          "--allow-write",
          "--allow-env",
          "scripts/codes-import.ts",
          FIXTURE,
        ],
        cwd: ROOT,
        env: { DATA_DIR: dataDir },
      }).output();
      const said = new TextDecoder().decode(run.stdout) + new TextDecoder().decode(run.stderr);
      assert.equal(run.code, 0, said);
      assert.match(said, /Wrote 46 codes/);
      const written = JSON.parse(await Deno.readTextFile(`${dataDir}/${IMPORTED_FILE}`));
      assert.equal(written.codes.length, 46);
      assert.match(written.source, /National Center for Health Statistics; public domain/);

      const index = codeIndexFor(dataDir);
      assert.equal(index.codes.length, 46);
      assert.deepEqual(searchCodes(index, "salmonella").map((c) => c.code), [
        "A02.22",
        "A02.21",
        "A02",
        "A02.2",
        "A02.20",
      ]);
      assert.equal(isDiagnosisCode("A02.21", index).ok, true);
      assert.equal(isDiagnosisCode("J45.909", index).ok, true);
      assert.equal(isDiagnosisCode("B51.9", index).ok, false);

      // The app on that data folder serves the imported list.
      const app = await createTestApp({ DATA_DIR: dataDir });
      try {
        const org = await createOrg(app);
        const res = await app.call("GET", "/api/v1/codes/icd10?q=salmonella%20men", {
          token: org.admin,
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.deepEqual(res.body.data.map((c: { code: string }) => c.code), ["A02.21"]);
        // The served list is built on first use, not at start: the check other modules make
        // (no list named) finds the imported list, not the shipped one.
        assert.equal(isDiagnosisCode("A02.21").ok, true);
        assert.equal(isDiagnosisCode("B51.9").ok, false);
      } finally {
        await app.close();
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  });

  await t.step("the task refuses a file that is not an order file and writes nothing", async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "codes-import-" });
    try {
      const bad = `${dataDir}/bad.txt`;
      await Deno.writeTextFile(bad, "code,title\nJ18.9,Pneumonia\n");
      const run = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-read",
          "--allow-write",
          "--allow-env",
          "scripts/codes-import.ts",
          bad,
        ],
        cwd: ROOT,
        env: { DATA_DIR: dataDir },
      }).output();
      assert.equal(run.code, 1);
      assert.match(new TextDecoder().decode(run.stderr), /line 1: not an order-file line/);
      assert.equal(
        await Deno.stat(`${dataDir}/${IMPORTED_FILE}`).then(() => true, () => false),
        false,
      );
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  });
});

Deno.test("the routes", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);

  await t.step("every staff role may search; no token is 401; the platform admin 403", async () => {
    for (const role of ROLES) {
      const res = await app.call("GET", "/api/v1/codes/icd10?q=malaria&limit=3", {
        token: await org.tokenFor(role),
      });
      assert.equal(res.status, 200, `${role}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.data.length, 3);
      assert.deepEqual(Object.keys(res.body.data[0]).sort(), [
        "block",
        "chapter",
        "code",
        "kind",
        "title",
      ]);
    }
    assert.equal((await app.call("GET", "/api/v1/codes/icd10?q=malaria")).status, 401);
    const platform = await app.call("GET", "/api/v1/codes/icd10?q=malaria", {
      token: await superAdminToken(app),
    });
    assert.equal(platform.status, 403);
  });

  await t.step("search answers best first, and refuses a limit over 100", async () => {
    const res = await app.call("GET", "/api/v1/codes/icd10?q=J18.", { token: org.admin });
    assert.deepEqual(res.body.data[0], {
      code: "J18",
      title: "Pneumonia, unspecified organism",
      kind: "category",
      chapter: "X",
      block: "J09-J18",
    });
    assert.equal(res.body.data.length, 5);
    const many = await app.call("GET", "/api/v1/codes/icd10?q=a", { token: org.admin });
    assert.equal(many.body.data.length, 20);
    const over = await app.call("GET", "/api/v1/codes/icd10?q=a&limit=101", { token: org.admin });
    assert.equal(over.status, 400);
    const none = await app.call("GET", "/api/v1/codes/icd10", { token: org.admin });
    assert.deepEqual(none.body, { data: [] });
  });

  await t.step("the chapters, each with its blocks", async () => {
    const res = await app.call("GET", "/api/v1/codes/icd10/chapters", {
      token: await org.tokenFor("RECEPTION"),
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.length, 22);
    const x = res.body.data.find((c: { code: string }) => c.code === "X");
    assert.equal(x.range, "J00-J99");
    assert.ok(x.blocks.some((b: { code: string }) => b.code === "J09-J18"));
  });

  await t.step("one code with its chapter and block; a block; 404 when unknown", async () => {
    const token = await org.tokenFor("NURSE");
    const res = await app.call("GET", "/api/v1/codes/icd10/e11.9", { token });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      code: "E11.9",
      title: "Type 2 diabetes mellitus without complications",
      kind: "subcategory",
      chapter: {
        code: "IV",
        title: "Endocrine, nutritional and metabolic diseases",
        range: "E00-E89",
      },
      block: { code: "E08-E13", title: "Diabetes mellitus" },
    });
    const block = await app.call("GET", "/api/v1/codes/icd10/J09-J18", { token });
    assert.equal(block.body.kind, "block");
    for (const unknown of ["J99.99", "nothing", "%7Bcode%7D", "x".repeat(300)]) {
      const missing = await app.call("GET", `/api/v1/codes/icd10/${unknown}`, { token });
      assert.equal(missing.status, 404, unknown);
      assert.equal(missing.headers.get("content-type"), "application/problem+json");
    }
  });

  await app.close();
});
