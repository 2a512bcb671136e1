/**
 * The primary's side of file uploads from replicas: parts appended at the offset the primary
 * reports, so an upload cut off anywhere resumes; the whole checked against the row's SHA-256.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { schemaVersion } from "../db/migrate.ts";
import { nextHlc } from "../db/hlc.ts";
import { newId } from "../db/ids.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";

/** A document row as a replica pushes it: an insert with the whole row. */
function documentInsert(
  seq: number,
  row: { id: string; orgId: string; patientId: string; content: Uint8Array; storageKey?: string },
) {
  const at = new Date().toISOString();
  return {
    seq,
    table: "patient_documents",
    rowId: row.id,
    op: "insert",
    version: 1,
    at,
    actorId: null,
    hlc: nextHlc(),
    values: {
      id: row.id,
      orgId: row.orgId,
      createdAt: at,
      updatedAt: at,
      createdBy: null,
      updatedBy: null,
      version: 1,
      deletedAt: null,
      patientId: row.patientId,
      title: "Referral",
      category: "referral",
      fileName: "referral.pdf",
      mediaType: "application/pdf",
      sizeBytes: row.content.byteLength,
      sha256: createHash("sha256").update(row.content).digest("hex"),
      storageKey: row.storageKey ?? `${row.orgId}/${row.id}`,
    },
    base: {},
  };
}

Deno.test("file uploads from a replica resume, and are checked whole", async (t) => {
  const app = await createTestApp();
  try {
    const org = await createOrg(app);
    const patient = await createPatient(app, org.admin);
    const node = await app.call("POST", "/api/v1/sync/nodes", {
      token: org.admin,
      body: { name: "Upload clinic", siteCode: "UP" },
    });
    const token = node.body.token;
    const bytes = new TextEncoder().encode("%PDF-1.4\n" + "x".repeat(700_000) + "\n%%EOF\n");
    // The document row as the replica pushes it (its file stays at the replica for now).
    const pushRow = async (id: string, content: Uint8Array, seq: number) => {
      const res = await app.call("POST", "/api/v1/sync/push", {
        token,
        body: {
          schemaVersion: schemaVersion(),
          changes: [documentInsert(seq, { id, orgId: org.id, patientId: patient.id, content })],
        },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.conflicts, 0);
    };
    const part = (id: string, offset: number, chunk: Uint8Array<ArrayBuffer>) =>
      app.app.request(`/api/v1/sync/files/${id}?offset=${offset}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
        body: chunk,
      });
    const state = async (id: string) =>
      (await app.call("GET", `/api/v1/sync/files/${id}/upload`, { token })).body;

    await t.step("parts resume from what arrived; a wrong offset answers 409", async () => {
      const id = newId();
      await pushRow(id, bytes, 1);
      assert.deepEqual(await state(id), { received: 0, size: bytes.byteLength, complete: false });
      const first = await part(id, 0, bytes.subarray(0, 400_000));
      assert.equal(first.status, 200);
      assert.equal((await first.json()).received, 400_000);
      // The connection dropped; the replica asks where to go on.
      assert.equal((await state(id)).received, 400_000);
      const wrong = await part(id, 0, bytes.subarray(0, 400_000));
      assert.equal(wrong.status, 409);
      assert.equal((await wrong.json()).received, 400_000);
      const last = await part(id, 400_000, bytes.subarray(400_000));
      assert.deepEqual(await last.json(), {
        received: bytes.byteLength,
        size: bytes.byteLength,
        complete: true,
      });
      const download = await app.app.request(`/api/v1/sync/files/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.deepEqual(new Uint8Array(await download.arrayBuffer()), bytes);
    });

    await t.step("a file that does not match its SHA-256 answers 422 and is dropped", async () => {
      const id = newId();
      await pushRow(id, bytes, 2);
      const tampered = bytes.slice();
      tampered[100] = 0x41;
      const res = await part(id, 0, tampered);
      assert.equal(res.status, 422);
      await res.body?.cancel();
      assert.equal((await state(id)).received, 0);
    });

    await t.step("a row not pushed yet, or another organisation's, answers 404", async () => {
      const other = await createOrg(app);
      const theirs = await createPatient(app, other.admin);
      assert.equal(
        (await app.call("GET", `/api/v1/sync/files/${newId()}/upload`, { token })).status,
        404,
      );
      assert.equal(
        (await app.call("GET", `/api/v1/sync/files/${theirs.id}/upload`, { token })).status,
        404,
      );
    });
  } finally {
    await app.close();
  }
});

Deno.test("a node cannot point a file row at another organisation's file", async () => {
  const app = await createTestApp();
  try {
    const org = await createOrg(app);
    const patient = await createPatient(app, org.admin);
    const node = await app.call("POST", "/api/v1/sync/nodes", {
      token: org.admin,
      body: { name: "Rogue clinic", siteCode: "RG" },
    });
    const id = newId();
    const res = await app.call("POST", "/api/v1/sync/push", {
      token: node.body.token,
      body: {
        schemaVersion: schemaVersion(),
        changes: [documentInsert(1, {
          id,
          orgId: org.id,
          patientId: patient.id,
          content: new Uint8Array(10),
          storageKey: `${crypto.randomUUID()}/${crypto.randomUUID()}`,
        })],
      },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.conflicts, 1, "kept in the queue, not applied");
    const queue = await app.call("GET", "/api/v1/sync/conflicts", { token: org.admin });
    assert.equal(queue.body.data[0].kind, "rejected");
    assert.match(queue.body.data[0].error, /storage key/);
    const file = await app.call("GET", `/api/v1/sync/files/${id}/upload`, {
      token: node.body.token,
    });
    assert.equal(file.status, 404);
  } finally {
    await app.close();
  }
});
