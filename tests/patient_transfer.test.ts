import assert from "node:assert/strict";
import { and, count, eq, isNull } from "drizzle-orm";
import writeXlsxFile from "write-excel-file/node";
import { parse } from "csv-parse/sync";
import { patients } from "../db/schema/mod.ts";
import { createTestApp, type TestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";

/** POST /patients/import with `content` as the multipart field `file`. */
async function upload(
  app: TestApp,
  token: string,
  content: string | Uint8Array,
  query = "",
  name = "patients.csv",
) {
  const form = new FormData();
  form.append("file", new File([content as BlobPart], name));
  const res = await app.app.request(`/api/v1/patients/import${query}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, body: await res.json() };
}

async function exportCsv(app: TestApp, token: string, query = "") {
  const res = await app.app.request(`/api/v1/patients/export?format=csv${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text };
}

/** The CSV as objects keyed by header (the BOM stripped). */
const rowsOf = (csv: string) =>
  parse(csv, { bom: true, columns: true }) as Record<string, string>[];

const patientCount = async (app: TestApp, orgId: string) => {
  const [row] = await app.deps.db.db.select({ n: count() }).from(patients)
    .where(and(eq(patients.orgId, orgId), isNull(patients.deletedAt)));
  return row.n;
};

Deno.test("patient export and import", async (t) => {
  // Four imports race below: more than the default number read at once.
  const app = await createTestApp({ IMPORT_MAX_CONCURRENT: "8" });
  const org = await createOrg(app);
  const admin = org.admin;

  await t.step("import of a CSV registers every row with its own MRN", async () => {
    const csv = "First name,Surname,DOB,Gender,Phone,National ID,City,tags\n" +
      'Achieng,Odhiambo,1985-03-14,F,+254 700 100 200,IMP-1001,Kisumu,"diabetic, vip"\n' +
      "Baraka,Mwangi,1992-11-02,male,0711 222 333,IMP-1002,Nakuru,\n";
    const res = await upload(app, admin, csv);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.imported, 2);
    assert.deepEqual(res.body.rejected, []);
    assert.deepEqual(res.body.patients.map((p: { row: number }) => p.row), [2, 3]);
    const [first] = res.body.patients;
    assert.match(first.mrn, /^MRN\d{6}$/);
    const read = await app.call("GET", `/api/v1/patients/${first.id}`, { token: admin });
    assert.equal(read.status, 200);
    assert.equal(read.body.familyName, "Odhiambo");
    assert.equal(read.body.sex, "female");
    assert.equal(read.body.birthDate, "1985-03-14");
    assert.equal(read.body.nationalId, "IMP-1001");
    assert.equal(read.body.address.city, "Kisumu");
    assert.deepEqual(read.body.tags, ["diabetic", "vip"]);
    const found = await app.call("GET", "/api/v1/patients?q=Odhiambo", { token: admin });
    assert.ok(found.body.data.some((p: { id: string }) => p.id === first.id));
  });

  await t.step("import of an XLSX file reads its date cells as dates", async () => {
    const buffer = await writeXlsxFile([
      [{ value: "givenName" }, { value: "familyName" }, { value: "Date of birth" }, {
        value: "sex",
      }],
      [{ value: "Chebet" }, { value: "Kiprono" }, {
        value: new Date("1979-06-30T00:00:00Z"),
        format: "yyyy-mm-dd",
      }, { value: "female" }],
      [{ value: "Daudi" }, { value: "Kiprono" }, { value: "2001-01-09" }, { value: "M" }],
    ] as never).toBuffer();
    const res = await upload(app, admin, new Uint8Array(buffer), "", "patients.xlsx");
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.imported, 2);
    const read = await app.call("GET", `/api/v1/patients/${res.body.patients[0].id}`, {
      token: admin,
    });
    assert.equal(read.body.birthDate, "1979-06-30");
    assert.equal(read.body.givenName, "Chebet");
  });

  await t.step("a retried upload with one Idempotency-Key imports once", async () => {
    // Each send builds its form anew, as a browser retry does: a new multipart boundary, which
    // the idempotency fingerprint leaves out.
    const send = () => {
      const form = new FormData();
      form.append("file", new File(["givenName,familyName\r\nIdem,Potent\r\n"], "p.csv"));
      return app.app.request("/api/v1/patients/import", {
        method: "POST",
        headers: { authorization: `Bearer ${admin}`, "idempotency-key": "import-retry-1" },
        body: form,
      });
    };
    const first = await send();
    const firstBody = await first.json();
    assert.equal(first.status, 200, JSON.stringify(firstBody));
    const again = await send();
    assert.equal(again.status, 200);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
    assert.deepEqual((await again.json()).patients, firstBody.patients);
    const found = await app.call("GET", "/api/v1/patients?q=Potent", { token: admin });
    assert.equal(found.body.data.length, 1);
  });

  await t.step(
    "a file with a bad row is rejected whole (all-or-nothing): 422 naming row and field",
    async () => {
      const before = await patientCount(app, org.id);
      const csv = "givenName,familyName,birthDate\n" +
        "Esther,Njeri,1990-05-05\n" +
        "Faith,Wambui,1990-02-31\n" +
        "Grace,,1991-01-01\n";
      const res = await upload(app, admin, csv);
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.imported, 0);
      assert.equal(res.body.rows, 3);
      assert.deepEqual(res.body.rejected.map((r: { row: number }) => r.row), [3, 4]);
      assert.equal(res.body.rejected[0].errors[0].field, "birthDate");
      assert.equal(res.body.rejected[1].errors[0].field, "familyName");
      assert.equal(await patientCount(app, org.id), before);
      const list = await app.call("GET", "/api/v1/patients?q=Njeri", { token: admin });
      assert.equal(list.body.data.length, 0);
    },
  );

  await t.step("mode=partial registers the valid rows and reports the rejected ones", async () => {
    const before = await patientCount(app, org.id);
    const csv = "givenName,familyName,birthDate,email\n" +
      "Halima,Abdi,1988-08-08,halima@example.com\n" +
      "Imani,Juma,2999-01-01,\n" +
      "Jabari,Otieno,1975-04-04,not-an-email\n" +
      "Kesi,Wekesa,1999-09-09,\n";
    const res = await upload(app, admin, csv, "?mode=partial");
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.imported, 2);
    assert.deepEqual(res.body.patients.map((p: { row: number }) => p.row), [2, 5]);
    assert.deepEqual(
      res.body.rejected.map((r: any) => [r.row, r.errors[0].field]),
      [[3, "birthDate"], [4, "email"]],
    );
    assert.equal(await patientCount(app, org.id), before + 2);
  });

  await t.step("a row duplicating a registered patient's national id is rejected", async () => {
    const existing = await createPatient(app, admin, {
      givenName: "Lulu",
      familyName: "Mutua",
      nationalId: "DUP-777",
    });
    const csv = "givenName,familyName,nationalId\nLucy,Mutua,dup 777\nMosi,Kariuki,NEW-1\n";
    const before = await patientCount(app, org.id);
    const res = await upload(app, admin, csv);
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.equal(res.body.rejected.length, 1);
    const [reject] = res.body.rejected;
    assert.equal(reject.row, 2);
    assert.match(reject.errors[0].message, /already registered/);
    assert.equal(reject.errors[0].candidates[0].id, existing.id);
    assert.equal(await patientCount(app, org.id), before);
    const anyway = await upload(app, admin, csv, "?allowDuplicates=true");
    assert.equal(anyway.status, 200, JSON.stringify(anyway.body));
    assert.equal(anyway.body.imported, 2);
  });

  await t.step(
    "two rows of one file describing the same person: the second is rejected",
    async () => {
      const csv = "givenName,familyName,birthDate,nationalId\n" +
        "Neema,Achieng,1993-03-03,\n" +
        "Nashon,Ouma,1970-07-07,SAME-1\n" +
        "NEEMA,Achieng,1993-03-03,\n" +
        "Nuru,Ouma,1971-07-07,same-1\n";
      const res = await upload(app, admin, csv, "?mode=partial");
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.patients.map((p: { row: number }) => p.row), [2, 3]);
      assert.deepEqual(
        res.body.rejected.map((r: any) => [r.row, r.errors[0].message]),
        [[4, "same name and date of birth as row 2"], [5, "same national id as row 3"]],
      );
    },
  );

  await t.step("dryRun validates and reports but writes nothing", async () => {
    const before = await patientCount(app, org.id);
    const csv = "givenName,familyName\nOmari,Dry\nPendo,Dry\n";
    const res = await upload(app, admin, csv, "?dryRun=true");
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.dryRun, true);
    assert.equal(res.body.imported, 2);
    assert.deepEqual(res.body.patients, [{ row: 2, id: null, mrn: null }, {
      row: 3,
      id: null,
      mrn: null,
    }]);
    assert.equal(await patientCount(app, org.id), before);
    const bad = await upload(app, admin, "givenName,familyName\nQ,\n", "?dryRun=true");
    assert.equal(bad.status, 422);
    assert.equal(bad.body.rejected[0].errors[0].field, "familyName");
  });

  await t.step("unknown columns are warned about once; missing name columns are 422", async () => {
    const res = await upload(
      app,
      admin,
      "givenName,familyName,Shoe size\nRehema,Warn,42\nSalma,Warn,39\n",
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.warnings, [
      'Column "Shoe size" is not a patient field; it was ignored.',
    ]);
    const missing = await upload(app, admin, "givenName,phone\nTumaini,0700000000\n");
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.errors.map((e: { path: string }) => e.path), ["familyName"]);
  });

  await t.step("a file that is neither CSV nor XLSX answers 415", async () => {
    const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0xff, 0xfe, 0x00, 0x81]);
    const res = await upload(app, admin, pdf, "", "patients.csv");
    assert.equal(res.status, 415, JSON.stringify(res.body));
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6, 7, 8]);
    const notXlsx = await upload(app, admin, zip, "", "patients.xlsx");
    assert.equal(notXlsx.status, 415);
  });

  await t.step("a JSON body answers 415: the import takes multipart only", async () => {
    const res = await app.call("POST", "/api/v1/patients/import", {
      token: admin,
      body: { givenName: "A", familyName: "B" },
    });
    assert.equal(res.status, 415);
  });

  await t.step("only ADMIN may import or export", async () => {
    const reception = await org.tokenFor("RECEPTION");
    const res = await upload(app, reception, "givenName,familyName\nX,Y\n");
    assert.equal(res.status, 403);
    const finance = await org.tokenFor("FINANCE");
    assert.equal((await exportCsv(app, finance)).status, 403);
    assert.equal((await exportCsv(app, await org.tokenFor("DOCTOR"))).status, 403);
  });

  await t.step("export streams a CSV of the organisation's patients only", async () => {
    const other = await createOrg(app);
    await createPatient(app, other.admin, { givenName: "Foreign", familyName: "Elsewhere" });
    const res = await exportCsv(app, admin);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/csv/);
    assert.match(
      res.headers.get("content-disposition")!,
      /^attachment; filename="patients-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const rows = rowsOf(res.text);
    assert.equal(rows.length, await patientCount(app, org.id));
    assert.ok(!rows.some((r) => r.familyName === "Elsewhere"));
    const achieng = rows.find((r) => r.familyName === "Odhiambo")!;
    assert.equal(achieng.givenName, "Achieng");
    assert.equal(achieng.birthDate, "1985-03-14");
    assert.equal(achieng["address.city"], "Kisumu");
    assert.equal(achieng.tags, "diabetic, vip");
    assert.match(achieng.mrn, /^MRN\d{6}$/);
  });

  await t.step("export filters narrow the rows", async () => {
    const res = await exportCsv(app, admin, "&tags=vip");
    assert.equal(res.status, 200);
    assert.deepEqual(rowsOf(res.text).map((r) => r.familyName), ["Odhiambo"]);
    const bad = await exportCsv(app, admin, "&format=xlsx");
    assert.equal(bad.status, 400);
  });

  await t.step("cells that a spreadsheet would run as formulas are neutralised", async () => {
    const p = await createPatient(app, admin, {
      givenName: '=HYPERLINK("http://evil.test","x")',
      familyName: "@Formula",
      phone: "+254 733 000 111",
    });
    const res = await exportCsv(app, admin);
    const row = rowsOf(res.text).find((r) => r.id === p.id)!;
    assert.equal(row.givenName, '\'=HYPERLINK("http://evil.test","x")');
    assert.equal(row.familyName, "'@Formula");
    assert.equal(row.phone, "'+254 733 000 111");
  });

  await t.step("an export imports back unchanged (with its guard quotes removed)", async () => {
    const fresh = await createOrg(app);
    const original = await createPatient(app, fresh.admin, {
      givenName: "-Round",
      familyName: "Trip",
      phone: "+254 733 000 222",
      otherPhones: [{ number: "0722 000 333", use: "work" }],
      address: { city: "Mombasa", latitude: -4.05 },
      tags: ["a b", "c"],
    });
    const exported = await exportCsv(app, fresh.admin);
    await app.call("DELETE", `/api/v1/patients/${original.id}`, { token: fresh.admin });
    const res = await upload(app, fresh.admin, exported.text);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const read = await app.call("GET", `/api/v1/patients/${res.body.patients[0].id}`, {
      token: fresh.admin,
    });
    for (const f of ["givenName", "familyName", "phone", "otherPhones", "address", "tags"]) {
      assert.deepEqual(read.body[f], original[f], f);
    }
    assert.ok(res.body.warnings.some((w: string) => w.includes('"mrn"')));
  });

  await t.step("the export and every exported patient are audited", async () => {
    const res = await exportCsv(app, admin, "&status=active&tags=vip");
    const [row] = rowsOf(res.text);
    await app.deps.audit.flush();
    const exports = await app.call("GET", "/api/v1/audit-events?action=patient.export&limit=100", {
      token: admin,
    });
    const summary = exports.body.data.find((e: any) => e.entityId === null);
    assert.deepEqual(summary.changedFields, ["format=csv", "status=active", "tags=vip"]);
    const perPatient = await app.call(
      "GET",
      `/api/v1/audit-events?action=patient.export&patientId=${row.id}`,
      { token: admin },
    );
    assert.ok(perPatient.body.data.length >= 1);
  });

  await t.step("a committed import is audited once, and so is each registration", async () => {
    const res = await upload(app, admin, "givenName,familyName\nUpendo,Audit\n");
    assert.equal(res.status, 200);
    const id = res.body.patients[0].id;
    const imports = await app.call("GET", "/api/v1/audit-events?action=patient.import", {
      token: admin,
    });
    assert.ok(imports.body.data.some((e: any) => e.changedFields.includes("imported=1")));
    const created = await app.call(
      "GET",
      `/api/v1/audit-events?action=patient.create&patientId=${id}`,
      { token: admin },
    );
    assert.equal(created.body.data.length, 1);
  });

  await t.step("racing imports get distinct MRNs; the same file twice imports once", async () => {
    const fresh = await createOrg(app);
    const files = Array.from(
      { length: 4 },
      (_, i) => `givenName,familyName,nationalId\nRace${i},A,RACE-${i}-A\nRace${i},B,RACE-${i}-B\n`,
    );
    const results = await Promise.all(files.map((f) => upload(app, fresh.admin, f)));
    assert.ok(results.every((r) => r.status === 200));
    const mrns = results.flatMap((r) => r.body.patients.map((p: { mrn: string }) => p.mrn));
    assert.equal(new Set(mrns).size, 8);
    const same = "givenName,familyName,nationalId\nTwice,Same,TWICE-1\n";
    const twice = await Promise.all([
      upload(app, fresh.admin, same),
      upload(app, fresh.admin, same),
    ]);
    assert.deepEqual(twice.map((r) => r.status).sort(), [200, 422]);
    assert.equal(await patientCount(app, fresh.id), 9);
  });

  await app.close();
});

Deno.test("patient import limits", async (t) => {
  const app = await createTestApp({ IMPORT_MAX_ROWS: "3", IMPORT_MAX_BYTES: "2048" });
  const org = await createOrg(app);

  await t.step(
    "a file with more rows than IMPORT_MAX_ROWS answers 413, writing nothing",
    async () => {
      const csv = "givenName,familyName\n" +
        ["A", "B", "C", "D"].map((n) => `${n},Many\n`).join("");
      const res = await upload(app, org.admin, csv);
      assert.equal(res.status, 413, JSON.stringify(res.body));
      assert.equal(await patientCount(app, org.id), 0);
      const ok = await upload(app, org.admin, "givenName,familyName\nA,Few\n\nB,Few\nC,Few\n\n");
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual(ok.body.patients.map((p: { row: number }) => p.row), [2, 4, 5]);
    },
  );

  await t.step("a file over IMPORT_MAX_BYTES answers 413", async () => {
    const csv = "givenName,familyName\n" + `A,${"x".repeat(3000)}\n`;
    const res = await upload(app, org.admin, csv);
    assert.equal(res.status, 413);
  });

  await app.close();
});
