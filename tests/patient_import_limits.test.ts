/**
 * Hostile import files, each built here as the attack made it: the import must refuse it at the
 * first limit it crosses, naming that limit, while the server keeps answering. The health
 * endpoint is polled over real HTTP throughout each import, on the same event loop as the server,
 * so any stall of the main thread shows as a slow answer.
 */
import assert from "node:assert/strict";
import { importReads, readRows } from "../src/modules/patient-transfer/read-file.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg } from "./helpers/factories.ts";
import { buildXlsx, declareSize, inlineCell, repeated } from "./helpers/xlsx.ts";

const HEALTH_BUDGET_MS = 1000;

Deno.test("patient import limits against hostile files", async (t) => {
  // Defaults throughout: 10 MiB files, 10,000 rows, 200 columns, 32,767 characters a cell,
  // 64 MiB uncompressed.
  const app = await createTestApp();
  const org = await createOrg(app);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.app.fetch);
  const base = `http://127.0.0.1:${server.addr.port}/api/v1`;
  const { maxRows, maxColumns, maxCellChars, maxUnzippedBytes } = app.deps.config.imports;

  /**
   * Uploads `content` while polling /health; answers the import's reply and the gaps between
   * health answers. A gap, not a request's own time, is what a stalled main thread stretches: the
   * poller's timer stalls with it.
   */
  async function importWhileProbing(content: Uint8Array | string, name: string) {
    let importing = true;
    const gaps: number[] = [];
    const probe = (async () => {
      let last = performance.now();
      while (importing) {
        await new Promise((r) => setTimeout(r, 20));
        const res = await fetch(`${base}/health`);
        assert.equal(res.status, 200);
        await res.body?.cancel();
        gaps.push(performance.now() - last);
        last = performance.now();
      }
    })();
    const form = new FormData();
    form.append("file", new File([content as BlobPart], name));
    const started = performance.now();
    const res = await fetch(`${base}/patients/import`, {
      method: "POST",
      headers: { authorization: `Bearer ${org.admin}` },
      body: form,
    });
    const body = await res.json();
    const importMs = performance.now() - started;
    importing = false;
    await probe;
    return { status: res.status, body, gaps, importMs };
  }

  const assertResponsive = (r: { gaps: number[]; importMs: number }) => {
    assert.ok(r.gaps.length > 0, "health was polled during the import");
    const longest = Math.max(...r.gaps);
    assert.ok(
      longest < HEALTH_BUDGET_MS,
      `health went unanswered for ${longest.toFixed(0)} ms during an import of ` +
        `${r.importMs.toFixed(0)} ms`,
    );
  };

  await t.step("a single cell at XFD2000000 answers 422 naming the reference", async () => {
    const file = buildXlsx({
      sheetData: ['<row r="2000000"><c r="XFD2000000"><v>1</v></c></row>'],
    });
    const r = await importWhileProbing(file, "far.xlsx");
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.match(r.body.detail, /^Cell XFD2000000 is beyond the largest accepted cell reference/);
    assert.match(r.body.detail, new RegExp(`${maxColumns} columns`));
    assertResponsive(r);
  });

  await t.step("a 200 MB shared string in a 200 KB file answers 422 naming cell size", async () => {
    const file = buildXlsx({
      sheetData: ['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'],
      sharedStrings: ["<si><t>", repeated("A", 200 * 1024 * 1024), "</t></si>"],
    });
    assert.ok(file.length < 400 * 1024, `the file is ${file.length} bytes`);
    const r = await importWhileProbing(file, "huge-cell.xlsx");
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.match(r.body.detail, new RegExp(`holds more than ${maxCellChars} characters`));
    assertResponsive(r);
  });

  await t.step("an inline string past the cell limit answers 422 naming the cell", async () => {
    const file = buildXlsx({
      sheetData: [
        `<row r="1">${inlineCell("A1", "givenName")}${inlineCell("B1", "familyName")}</row>`,
        '<row r="2"><c r="B2" t="inlineStr"><is><t>',
        repeated("B", 5 * 1024 * 1024),
        "</t></is></c></row>",
      ],
    });
    const r = await importWhileProbing(file, "long-cell.xlsx");
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.match(r.body.detail, new RegExp(`^Cell B2 holds more than ${maxCellChars} characters`));
    assertResponsive(r);
  });

  await t.step("1.26 million rows answer 413 naming the row limit", async () => {
    function* rows() {
      yield `<row r="1">${inlineCell("A1", "givenName")}${inlineCell("B1", "familyName")}</row>`;
      let chunk = "";
      for (let i = 2; i <= 1_260_000; i++) {
        chunk += `<row r="${i}"><c r="A${i}"><v>1</v></c><c r="B${i}"><v>2</v></c></row>`;
        if (chunk.length > 1 << 20) {
          yield chunk;
          chunk = "";
        }
      }
      yield chunk;
    }
    const file = buildXlsx({ sheetData: rows() });
    assert.ok(file.length < app.deps.config.imports.maxBytes, `the file is ${file.length} bytes`);
    const r = await importWhileProbing(file, "many-rows.xlsx");
    assert.equal(r.status, 413, JSON.stringify(r.body));
    assert.match(r.body.detail, new RegExp(`more than ${maxRows} data rows`));
    assertResponsive(r);
  });

  await t.step(
    "a CSV header of a million columns answers 422 naming the column limit",
    async () => {
      const header = ["givenName", "familyName"];
      for (let i = 2; i < 1_000_000; i++) header.push(`c${i}`);
      const csv = header.join(",") + "\nAmina,Wide\n";
      assert.ok(csv.length > 7_500_000 && csv.length < app.deps.config.imports.maxBytes);
      const r = await importWhileProbing(csv, "wide.csv");
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.equal(
        r.body.detail,
        `The sheet has more than ${maxColumns} columns; imports take at most ${maxColumns}.`,
      );
      assertResponsive(r);
    },
  );

  await t.step("an entry whose declared size lies is inflated only to the limit: 413", async () => {
    const bomb = buildXlsx({
      sheetData: [
        `<row r="1">${inlineCell("A1", "givenName")}${inlineCell("B1", "familyName")}</row>`,
        repeated(" ", 100 * 1024 * 1024),
      ],
    });
    const file = declareSize(bomb, "xl/worksheets/sheet1.xml", 1000);
    const r = await importWhileProbing(file, "bomb.xlsx");
    assert.equal(r.status, 413, JSON.stringify(r.body));
    assert.match(
      r.body.detail,
      new RegExp(`more than ${maxUnzippedBytes} bytes once uncompressed`),
    );
    assertResponsive(r);
  });

  await t.step("after those refusals a normal XLSX and CSV still import", async () => {
    const file = buildXlsx({
      sheetData: [
        `<row r="1">${inlineCell("A1", "givenName")}${inlineCell("B1", "familyName")}</row>`,
        `<row r="2">${inlineCell("A2", "Baraka")}${inlineCell("B2", "After & Limits")}</row>`,
      ],
    });
    const xlsx = await importWhileProbing(file, "ok.xlsx");
    assert.equal(xlsx.status, 200, JSON.stringify(xlsx.body));
    assert.equal(xlsx.body.imported, 1);
    const read = await app.call("GET", `/api/v1/patients/${xlsx.body.patients[0].id}`, {
      token: org.admin,
    });
    assert.equal(read.body.familyName, "After & Limits");
    const csv = await importWhileProbing("givenName,familyName\nZawadi,After\n", "ok.csv");
    assert.equal(csv.status, 200, JSON.stringify(csv.body));
    assertResponsive(csv);
  });

  await server.shutdown();
  await app.close();
});

Deno.test("the import reader stops at each limit with a problem naming it", async (t) => {
  const limits = { maxRows: 3, maxColumns: 4, maxCellChars: 300, maxUnzippedBytes: 1 << 20 };
  const refusal = async (content: Uint8Array | string) => {
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
    const err = await readRows(bytes, limits).then(() => null, (e) => e);
    assert.ok(err, "the read was refused");
    return { status: err.status as number, detail: err.detail as string };
  };

  await t.step("CSV: a cell past the cell limit is named by its place", async () => {
    const r = await refusal(`a,b\nx,${"y".repeat(301)}\n`);
    assert.deepEqual(r, {
      status: 422,
      detail: "Cell B2 holds more than 300 characters; imports take at most 300 per cell.",
    });
  });

  await t.step("CSV: blank lines count toward the rows a file may number", async () => {
    const r = await refusal("a,b\n" + "\n".repeat(100));
    assert.equal(r.status, 413);
    assert.match(r.detail, /more than 8 rows, blank ones included/);
    const ok = await readRows(new TextEncoder().encode("a,b\n\n\nc,d\n\n"), limits);
    assert.deepEqual(ok.rows, [["a", "b"], [""], [""], ["c", "d"], [""]]);
  });

  await t.step("XLSX: cells without references count columns and rows as they come", async () => {
    const wide = buildXlsx({
      sheetData: ["<row>", "<c><v>1</v></c>".repeat(5), "</row>"],
    });
    assert.equal(
      (await refusal(wide)).detail,
      "The sheet has more than 4 columns; imports take at most 4.",
    );
    const tall = buildXlsx({
      sheetData: Array.from({ length: 5 }, () => "<row><c><v>1</v></c></row>"),
    });
    assert.match((await refusal(tall)).detail, /more than 3 data rows/);
  });

  await t.step("XLSX: an empty styled cell far away costs nothing and is no value", async () => {
    const file = buildXlsx({
      sheetData: [
        `<row r="1"><c r="A1"><v>7</v></c><c r="XFD1" s="1"/></row>`,
        '<row r="1048576"/>',
      ],
    });
    assert.deepEqual((await readRows(file, limits)).rows, [[7]]);
  });

  await t.step("XLSX: a DOCTYPE (entity expansion) is not read: 415", async () => {
    const file = buildXlsx({ sheetData: [] });
    const withDoctype = buildXlsx({
      sheetData: ['<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]><row r="1"><c r="A1"><v>1</v></c></row>'],
    });
    assert.deepEqual((await readRows(file, limits)).rows, []);
    assert.equal((await refusal(withDoctype)).status, 415);
  });

  await t.step("a read that outlives its time is ended: 413", async () => {
    const err = await readRows(new TextEncoder().encode("a,b\n"), limits, 1).then(
      () => null,
      (e) => e,
    );
    assert.equal(err?.status, 413);
    assert.match(err.detail, /took longer than/);
  });
});

Deno.test("imports read at once are capped per process: one more answers 429", async () => {
  const app = await createTestApp({ IMPORT_MAX_CONCURRENT: "1" });
  try {
    const org = await createOrg(app);
    const csv = "First name,Surname,DOB\nAchieng,Cap,1985-03-14\n";
    const send = async () => {
      const form = new FormData();
      form.append("file", new File([csv], "patients.csv"));
      return await app.call("POST", "/api/v1/patients/import?dryRun=true", {
        token: org.admin,
        body: form,
      });
    };
    // Another import holds the only slot while this one arrives.
    assert.ok(importReads.tryStart(1));
    try {
      const refused = await send();
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get("retry-after"), "5");
      assert.match(refused.body.detail, /being read/);
    } finally {
      importReads.finish();
    }
    const ok = await send();
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    // The slot is given back after a read, and after a refused one too.
    assert.equal(importReads.active, 0);
    const form = new FormData();
    form.append("file", new File([new Uint8Array([0, 1, 2, 3])], "junk.bin"));
    const junk = await app.call("POST", "/api/v1/patients/import", {
      token: org.admin,
      body: form,
    });
    assert.equal(junk.status, 415);
    assert.equal(importReads.active, 0);
  } finally {
    await app.close();
  }
});
