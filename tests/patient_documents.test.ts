import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import { and, eq } from "drizzle-orm";
import { changeLog, patientDocuments, patients } from "../db/schema/mod.ts";
import { contentDisposition, sanitizeFileName } from "../src/modules/patient-documents/filename.ts";
import { createTestApp, type TestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";

const enc = new TextEncoder();
const bytesOf = (...parts: (number[] | string)[]) => {
  const arrays = parts.map((p) => typeof p === "string" ? enc.encode(p) : Uint8Array.from(p));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
};

/** Minimal but well-formed headers of each accepted format. */
const SAMPLES = {
  pdf: {
    name: "referral.pdf",
    type: "application/pdf",
    bytes: bytesOf("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n"),
  },
  png: {
    name: "wound.png",
    type: "image/png",
    bytes: bytesOf(
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13],
      "IHDR",
      [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xde, 0, 0, 0, 0],
      "IEND",
      [0xae, 0x42, 0x60, 0x82],
    ),
  },
  jpeg: {
    name: "x-ray.jpg",
    type: "image/jpeg",
    bytes: bytesOf([0xff, 0xd8, 0xff, 0xe0, 0, 16], "JFIF", [
      0,
      1,
      1,
      0,
      0,
      1,
      0,
      1,
      0,
      0,
      0xff,
      0xd9,
    ]),
  },
  webp: {
    name: "id-card.webp",
    type: "image/webp",
    bytes: bytesOf("RIFF", [26, 0, 0, 0], "WEBPVP8 ", [
      14,
      0,
      0,
      0,
      0,
      0,
      0,
      0x9d,
      1,
      0x2a,
      1,
      0,
      1,
    ]),
  },
};

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const pdfOfSize = (size: number) => {
  const b = new Uint8Array(size).fill(0x20);
  b.set(SAMPLES.pdf.bytes);
  return b;
};

interface Upload {
  bytes: Uint8Array;
  name: string;
  /** The client's claim; the server must ignore it. */
  type?: string;
  fields?: Record<string, string>;
}

/** A real multipart request through the app (the JSON `call` helper cannot send files). */
async function upload(app: TestApp, token: string, patientId: string, u: Upload) {
  const form = new FormData();
  form.append("file", new File([u.bytes as BlobPart], u.name, { type: u.type ?? "" }));
  for (const [k, v] of Object.entries(u.fields ?? {})) form.append(k, v);
  const res = await app.app.request(`/api/v1/patients/${patientId}/documents`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

async function download(app: TestApp, token: string, path: string) {
  const res = await app.app.request(path, { headers: { authorization: `Bearer ${token}` } });
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** Every file under `root`, as paths relative to it. */
async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) await walk(path);
      else out.push(relative(root, path));
    }
  };
  await walk(root);
  return out.sort();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fieldsOf = (body: { errors?: { path: string }[] }) => body.errors?.map((e) => e.path);

Deno.test("patient documents", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);
  const other = await createOrg(app);
  const doctor = await org.tokenFor("DOCTOR");
  const admin = org.admin;
  const patient = await createPatient(app, admin);
  const docsPath = `/api/v1/patients/${patient.id}/documents`;
  const docsDir = app.deps.config.documents.dir;
  const uploaded: Record<string, any> = {};

  await t.step(
    "POST /documents stores a PDF, PNG, JPEG and WebP with the type sniffed and the SHA-256",
    async () => {
      for (const [kind, sample] of Object.entries(SAMPLES)) {
        // The client claims octet-stream: only the bytes decide the type.
        const res = await upload(app, doctor, patient.id, { ...sample, type: "text/plain" });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.equal(res.body.mediaType, sample.type);
        assert.equal(res.body.sizeBytes, sample.bytes.byteLength);
        assert.equal(res.body.sha256, sha256(sample.bytes));
        assert.equal(res.body.fileName, sample.name);
        assert.equal(res.body.title, sample.name);
        assert.equal(res.body.category, "other");
        assert.equal(res.body.patientId, patient.id);
        assert.equal(res.body.version, 1);
        assert.equal(res.body.createdBy, await org.userIdFor("DOCTOR"));
        assert.equal(res.headers.get("location"), `${docsPath}/${res.body.id}`);
        uploaded[kind] = res.body;
      }
    },
  );

  await t.step("title and category are taken from the form when sent", async () => {
    const res = await upload(app, doctor, patient.id, {
      ...SAMPLES.pdf,
      fields: { title: "Referral from KNH", category: "referral" },
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.title, "Referral from KNH");
    assert.equal(res.body.category, "referral");
    uploaded.referral = res.body;
  });

  await t.step("a retried upload with the same Idempotency-Key stores the file once", async () => {
    // One encoded body sent twice, as a client retrying after a lost response would.
    const form = new FormData();
    form.append("file", new File([SAMPLES.jpeg.bytes as BlobPart], "retry.jpg"));
    const encoded = new Request("http://x", { method: "POST", body: form });
    const body = new Uint8Array(await encoded.arrayBuffer());
    const send = () =>
      app.app.request(docsPath, {
        method: "POST",
        headers: {
          authorization: `Bearer ${doctor}`,
          "content-type": encoded.headers.get("content-type")!,
          "idempotency-key": "upload-retry-1",
        },
        body,
      });
    const first = await send();
    assert.equal(first.status, 201);
    const doc = await first.json();
    // The bytes reach the handler intact through the idempotency check.
    assert.equal(doc.sha256, sha256(SAMPLES.jpeg.bytes));
    const again = await send();
    assert.equal(again.status, 201);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
    assert.equal((await again.json()).id, doc.id);
    uploaded.retry = doc;
    const rows = await app.deps.db.db.select().from(patientDocuments)
      .where(eq(patientDocuments.fileName, "retry.jpg"));
    assert.equal(rows.length, 1);
  });

  await t.step("an upload writes its change log entry and audit entry", async () => {
    const id = uploaded.pdf.id;
    const changes = await app.deps.db.db.select().from(changeLog).where(
      and(eq(changeLog.tableName, "patient_documents"), eq(changeLog.rowId, id)),
    );
    assert.deepEqual(changes.map((c) => [c.operation, c.version]), [["insert", 1]]);
    const audit = await app.call(
      "GET",
      `/api/v1/audit-events?action=patient-document.create&entityId=${id}`,
      { token: admin },
    );
    assert.equal(audit.body.data.length, 1);
    assert.equal(audit.body.data[0].patientId, patient.id);
  });

  await t.step(
    "GET /content streams the identical bytes with type, length, disposition, nosniff, ETag",
    async () => {
      for (const [kind, sample] of Object.entries(SAMPLES)) {
        const doc = uploaded[kind];
        const { res, bytes } = await download(app, doctor, `${docsPath}/${doc.id}/content`);
        assert.equal(res.status, 200);
        assert.deepEqual(bytes, sample.bytes);
        assert.equal(res.headers.get("content-type"), sample.type);
        assert.equal(res.headers.get("content-length"), String(sample.bytes.byteLength));
        assert.equal(
          res.headers.get("content-disposition"),
          `attachment; filename="${sample.name}"; filename*=UTF-8''${sample.name}`,
        );
        assert.equal(res.headers.get("x-content-type-options"), "nosniff");
        assert.equal(res.headers.get("etag"), `"${sha256(sample.bytes)}"`);
      }
    },
  );

  await t.step("a download is audited as patient-document.download", async () => {
    const nurse = await org.tokenFor("NURSE");
    const { res } = await download(app, nurse, `${docsPath}/${uploaded.png.id}/content`);
    assert.equal(res.status, 200);
    // Reads are flushed in batches (AUDIT_FLUSH_MS=20 in tests): poll briefly.
    const nurseId = await org.userIdFor("NURSE");
    const query =
      `/api/v1/audit-events?action=patient-document.download&entityId=${uploaded.png.id}`;
    const byNurse = async () => {
      const audit = await app.call("GET", query, { token: admin });
      assert.equal(audit.status, 200);
      return audit.body.data.find((e: any) => e.actorId === nurseId);
    };
    let entry = await byNurse();
    for (let i = 0; i < 100 && !entry; i++) {
      await sleep(20);
      entry = await byNurse();
    }
    assert.ok(entry, "no patient-document.download entry for the download");
    assert.equal(entry.outcome, "success");
    assert.equal(entry.patientId, patient.id);
    assert.equal(entry.entityType, "patient-document");
  });

  await t.step("GET /documents lists newest first through keyset pages", async () => {
    const first = await app.call("GET", `${docsPath}?limit=2`, { token: doctor });
    assert.equal(first.status, 200);
    assert.equal(first.body.data.length, 2);
    assert.ok(first.body.nextCursor);
    const seen = [...first.body.data];
    let cursor = first.body.nextCursor;
    while (cursor) {
      const page = await app.call("GET", `${docsPath}?limit=2&cursor=${cursor}`, {
        token: doctor,
      });
      assert.equal(page.status, 200);
      seen.push(...page.body.data);
      cursor = page.body.nextCursor;
    }
    const expected = ["retry", "referral", "webp", "jpeg", "png", "pdf"].map((k) => uploaded[k].id);
    assert.deepEqual(seen.map((d) => d.id), expected);
    const bad = await app.call("GET", `${docsPath}?cursor=not-a-cursor`, { token: doctor });
    assert.equal(bad.status, 400);
    assert.deepEqual(fieldsOf(bad.body), ["cursor"]);
  });

  await t.step(
    "GET /documents/{documentId} answers the metadata with its version as ETag",
    async () => {
      const res = await app.call("GET", `${docsPath}/${uploaded.jpeg.id}`, { token: doctor });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, uploaded.jpeg);
      assert.equal(res.headers.get("etag"), '"1"');
    },
  );

  await t.step("a text file named x.pdf and sent as application/pdf answers 415", async () => {
    const res = await upload(app, doctor, patient.id, {
      bytes: enc.encode("just some text, honestly a PDF"),
      name: "x.pdf",
      type: "application/pdf",
    });
    assert.equal(res.status, 415);
    assert.deepEqual(fieldsOf(res.body), ["file"]);
    // Another real format that is not accepted: a GIF.
    const gif = await upload(app, doctor, patient.id, {
      bytes: bytesOf("GIF89a", [1, 0, 1, 0, 0, 0, 0]),
      name: "scan.png",
    });
    assert.equal(gif.status, 415);
  });

  await t.step(
    "an empty file, a missing file and a bad category answer 400 naming the field",
    async () => {
      const empty = await upload(app, doctor, patient.id, {
        bytes: new Uint8Array(),
        name: "a.pdf",
      });
      assert.equal(empty.status, 400);
      assert.deepEqual(fieldsOf(empty.body), ["file"]);

      const form = new FormData();
      form.append("title", "no file here");
      const res = await app.app.request(docsPath, {
        method: "POST",
        headers: { authorization: `Bearer ${doctor}` },
        body: form,
      });
      assert.equal(res.status, 400);
      assert.deepEqual(fieldsOf(await res.json()), ["file"]);

      const category = await upload(app, doctor, patient.id, {
        ...SAMPLES.pdf,
        fields: { category: "selfie" },
      });
      assert.equal(category.status, 400);
      assert.deepEqual(fieldsOf(category.body), ["category"]);
    },
  );

  await t.step("a JSON body answers 415: uploads are multipart only", async () => {
    const res = await app.call("POST", docsPath, {
      token: doctor,
      body: { file: "JVBERi0xLjQK", title: "base64 is not accepted" },
    });
    assert.equal(res.status, 415);
  });

  await t.step("roles without the document permissions get 403", async () => {
    const finance = await org.tokenFor("FINANCE");
    assert.equal((await upload(app, finance, patient.id, SAMPLES.pdf)).status, 403);
    assert.equal((await app.call("GET", docsPath, { token: finance })).status, 403);
    const content = await download(app, finance, `${docsPath}/${uploaded.pdf.id}/content`);
    assert.equal(content.res.status, 403);
    // Pharmacy reads documents but does not add them.
    const pharmacy = await org.tokenFor("PHARMACY");
    assert.equal((await upload(app, pharmacy, patient.id, SAMPLES.pdf)).status, 403);
    assert.equal((await app.call("GET", docsPath, { token: pharmacy })).status, 200);
  });

  await t.step("another organisation's patient or document is not found", async () => {
    const theirs = await createPatient(app, other.admin);
    const theirDoc = await upload(app, other.admin, theirs.id, SAMPLES.png);
    assert.equal(theirDoc.status, 201);
    const before = await filesUnder(docsDir);
    assert.equal((await upload(app, doctor, theirs.id, SAMPLES.pdf)).status, 404);
    assert.deepEqual(await filesUnder(docsDir), before, "a refused upload stored a file");
    const theirPath = `/api/v1/patients/${theirs.id}/documents`;
    assert.equal((await app.call("GET", theirPath, { token: doctor })).status, 404);
    for (const path of [`${theirPath}/${theirDoc.body.id}`, `${docsPath}/${theirDoc.body.id}`]) {
      assert.equal((await app.call("GET", path, { token: doctor })).status, 404);
      assert.equal((await download(app, doctor, `${path}/content`)).res.status, 404);
      assert.equal((await app.call("DELETE", path, { token: admin })).status, 404);
    }
    const still = await app.call("GET", `${theirPath}/${theirDoc.body.id}`, {
      token: other.admin,
    });
    assert.equal(still.status, 200);
    // A document is only found under its own patient, even within the organisation.
    const sibling = await createPatient(app, admin);
    const cross = `/api/v1/patients/${sibling.id}/documents/${uploaded.pdf.id}`;
    assert.equal((await app.call("GET", cross, { token: doctor })).status, 404);
    assert.equal((await app.call("DELETE", cross, { token: admin })).status, 404);
    const mine = await app.call("GET", `${docsPath}/${uploaded.pdf.id}`, { token: doctor });
    assert.equal(mine.status, 200, "a DELETE through another patient changed nothing");
  });

  await t.step("a deleted patient's documents are gone with it", async () => {
    const leaving = await createPatient(app, admin);
    const doc = await upload(app, doctor, leaving.id, SAMPLES.png);
    assert.equal(doc.status, 201);
    const path = `/api/v1/patients/${leaving.id}/documents/${doc.body.id}`;
    assert.equal(
      (await app.call("DELETE", `/api/v1/patients/${leaving.id}`, { token: admin })).status,
      204,
    );
    assert.equal((await app.call("GET", path, { token: doctor })).status, 404);
    assert.equal((await download(app, doctor, `${path}/content`)).res.status, 404);
  });

  await t.step(
    "a path in the file name is dropped: stored as metadata 'passwd', the file keyed by ids",
    async () => {
      const res = await upload(app, doctor, patient.id, {
        ...SAMPLES.pdf,
        name: "../../etc/passwd",
      });
      assert.equal(res.status, 201);
      assert.equal(res.body.fileName, "passwd");
      assert.equal(res.body.title, "passwd");
      // Backslash paths and a bidi override are dropped; FormData itself escapes quotes and
      // line breaks in a file name, so nothing can reach the header raw.
      const evil = await upload(app, doctor, patient.id, {
        ...SAMPLES.png,
        name: '..\\..\\bad\u202Egnp.exe"\r\nX-Injected: 1',
      });
      assert.equal(evil.status, 201);
      assert.equal(evil.body.fileName, "badgnp.exe%22%0D%0AX-Injected: 1");
      const { res: dl } = await download(app, doctor, `${docsPath}/${evil.body.id}/content`);
      assert.equal(dl.headers.get("x-injected"), null);
      // Downloaded under the detected type's extension (a PNG), the stored name otherwise kept.
      assert.equal(
        dl.headers.get("content-disposition"),
        `attachment; filename="badgnp.exe_22_0D_0AX-Injected: 1.png"; ` +
          `filename*=UTF-8''badgnp.exe%2522%250D%250AX-Injected%3A%201.png`,
      );

      // Every file in the data folder is the database or a document at <orgId>/<documentId>.
      const ids = new Set([res.body.id, evil.body.id]);
      for (const file of await filesUnder(app.dir)) {
        if (/^clinic\.db(-wal|-shm|-journal)?$/.test(file) || file === ".jwt-secret") continue;
        const m = file.match(/^documents\/([0-9a-f-]{36})\/([0-9a-f-]{36})$/);
        assert.ok(m, `unexpected file in the data folder: ${file}`);
        ids.delete(m[2]);
      }
      assert.equal(ids.size, 0, "the uploads are not stored under their ids");
      assert.equal(
        await Deno.readFile(join(docsDir, org.id, res.body.id)).then(sha256),
        res.body.sha256,
      );
    },
  );

  await t.step("file names lose paths, control and bidi characters; headers stay intact", () => {
    assert.equal(sanitizeFileName("../../etc/passwd", "application/pdf"), "passwd");
    assert.equal(sanitizeFileName("C:\\Users\\a\\scan.png", "image/png"), "scan.png");
    assert.equal(
      sanitizeFileName("re\u0000po\u001brt\u202E.pdf\r\n", "application/pdf"),
      "report.pdf",
    );
    assert.equal(sanitizeFileName("..", "image/png"), "document.png");
    assert.equal(sanitizeFileName("/", "application/pdf"), "document.pdf");
    const long = sanitizeFileName("a".repeat(500) + ".jpeg", "image/jpeg");
    assert.equal(long.length, 200);
    assert.ok(long.endsWith(".jpeg"));
    assert.equal(
      contentDisposition('Résumé "final".pdf'),
      `attachment; filename="R_sum_ _final_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf`,
    );
  });

  await t.step("DELETE is soft: stale If-Match 412, then gone from list and download", async () => {
    const id = uploaded.webp.id;
    const stale = await app.call("DELETE", `${docsPath}/${id}`, {
      token: admin,
      headers: { "if-match": '"7"' },
    });
    assert.equal(stale.status, 412);
    const res = await app.call("DELETE", `${docsPath}/${id}`, {
      token: doctor,
      headers: { "if-match": '"1"' },
    });
    assert.equal(res.status, 204);
    const list = await app.call("GET", `${docsPath}?limit=100`, { token: doctor });
    assert.ok(!list.body.data.some((d: any) => d.id === id));
    assert.equal((await app.call("GET", `${docsPath}/${id}`, { token: doctor })).status, 404);
    assert.equal((await download(app, doctor, `${docsPath}/${id}/content`)).res.status, 404);
    assert.equal((await app.call("DELETE", `${docsPath}/${id}`, { token: doctor })).status, 404);
    // The record says deleted; the file is kept (legal hold, undelete).
    const [row] = await app.deps.db.db.select().from(patientDocuments)
      .where(eq(patientDocuments.id, id));
    assert.ok(row.deletedAt);
    assert.equal(row.version, 2);
    assert.equal(sha256(await Deno.readFile(join(docsDir, row.storageKey))), row.sha256);
    const audit = await app.call(
      "GET",
      `/api/v1/audit-events?action=patient-document.delete&entityId=${id}`,
      { token: admin },
    );
    assert.equal(audit.body.data.length, 1);
  });

  await t.step("a document whose file vanished from storage answers 404, not a 500", async () => {
    const [row] = await app.deps.db.db.select().from(patientDocuments)
      .where(eq(patientDocuments.id, uploaded.jpeg.id));
    await Deno.remove(join(docsDir, row.storageKey));
    const { res, bytes } = await download(app, doctor, `${docsPath}/${row.id}/content`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("content-type"), "application/problem+json");
    const body = JSON.parse(new TextDecoder().decode(bytes));
    assert.equal(body.title, "File missing");
    assert.ok(!JSON.stringify(body).includes(row.storageKey), "storage path in the response");
  });

  await t.step("a merged record refuses new documents with 409", async () => {
    const survivor = await createPatient(app, admin);
    const merged = await createPatient(app, admin);
    await app.deps.db.transaction((tx) =>
      tx.update(patients).set({ mergedInto: survivor.id }).where(eq(patients.id, merged.id))
    );
    const res = await upload(app, doctor, merged.id, SAMPLES.pdf);
    assert.equal(res.status, 409);
    assert.equal(res.body.mergedInto, survivor.id);
  });

  await t.step(
    "an upload whose patient is deleted while its file is being stored removes the file",
    async () => {
      const doomed = await createPatient(app, admin);
      const dir = join(docsDir, org.id);
      const before = await filesUnder(dir);
      // Another writer holds the write transaction; the uploads pass their first check, store
      // their files and queue behind it. It deletes the patient, so their transactions fail.
      let release!: () => void;
      const gate = new Promise<void>((r) => release = r);
      const deleting = app.deps.db.transaction(async (tx) => {
        await gate;
        await tx.update(patients).set({ deletedAt: new Date().toISOString() })
          .where(eq(patients.id, doomed.id));
      });
      const uploads = Array.from({ length: 3 }, () => upload(app, doctor, doomed.id, SAMPLES.png));
      for (let i = 0; (await filesUnder(dir)).length < before.length + 3; i++) {
        assert.ok(i < 200, "the uploads never stored their files");
        await sleep(10);
      }
      release();
      await deleting;
      const results = await Promise.all(uploads);
      assert.deepEqual(results.map((r) => r.status), [404, 404, 404]);
      assert.deepEqual(await filesUnder(dir), before, "a failed upload left its file behind");
      const rows = await app.deps.db.db.select().from(patientDocuments)
        .where(eq(patientDocuments.patientId, doomed.id));
      assert.equal(rows.length, 0);
    },
  );

  await t.step("concurrent uploads to one patient each get their own row and file", async () => {
    const target = await createPatient(app, admin);
    const results = await Promise.all(
      Array.from(
        { length: 8 },
        (_, i) => upload(app, doctor, target.id, { ...SAMPLES.pdf, name: `page-${i}.pdf` }),
      ),
    );
    assert.ok(results.every((r) => r.status === 201));
    const ids = results.map((r) => r.body.id);
    assert.equal(new Set(ids).size, 8);
    const stored = await filesUnder(join(docsDir, org.id));
    for (const id of ids) assert.ok(stored.includes(id), `no file for ${id}`);
    const list = await app.call("GET", `/api/v1/patients/${target.id}/documents?limit=100`, {
      token: doctor,
    });
    assert.deepEqual(list.body.data.map((d: any) => d.id).sort(), [...ids].sort());
  });

  await app.close();
});

Deno.test("patient documents over the configured size limit", async (t) => {
  const app = await createTestApp({ DOCUMENT_MAX_BYTES: "2048" });
  const org = await createOrg(app);
  const nurse = await org.tokenFor("NURSE");
  const patient = await createPatient(app, org.admin);

  await t.step(
    "a file one byte over DOCUMENT_MAX_BYTES answers 413 and stores nothing",
    async () => {
      const res = await upload(app, nurse, patient.id, { bytes: pdfOfSize(2049), name: "big.pdf" });
      assert.equal(res.status, 413);
      assert.deepEqual(fieldsOf(res.body), ["file"]);
      const rows = await app.deps.db.db.select().from(patientDocuments);
      assert.equal(rows.length, 0);
      const dir = app.deps.config.documents.dir;
      const files = await filesUnder(dir).catch(() => []);
      assert.deepEqual(files, []);
    },
  );

  await t.step("a file of exactly DOCUMENT_MAX_BYTES is accepted", async () => {
    const bytes = pdfOfSize(2048);
    const res = await upload(app, nurse, patient.id, { bytes, name: "edge.pdf" });
    assert.equal(res.status, 201);
    assert.equal(res.body.sizeBytes, 2048);
    assert.equal(res.body.sha256, sha256(bytes));
  });

  await app.close();
});
