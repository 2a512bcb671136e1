import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { changeLog } from "../db/schema/mod.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";

Deno.test("patients", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);
  const reception = await org.tokenFor("RECEPTION");

  await t.step("POST /patients registers a patient with the next MRN and an ETag", async () => {
    const res = await app.call("POST", "/api/v1/patients", {
      token: reception,
      body: {
        givenName: "Wanjiku",
        familyName: "Kamau",
        birthDate: "1987-04-12",
        sex: "female",
        phone: "+254 712 345 678",
      },
    });
    assert.equal(res.status, 201);
    assert.match(res.body.mrn, /^MRN\d{6}$/);
    assert.equal(res.body.version, 1);
    assert.equal(res.headers.get("etag"), '"1"');
    assert.equal(res.headers.get("location"), `/api/v1/patients/${res.body.id}`);
    const read = await app.call("GET", `/api/v1/patients/${res.body.id}`, { token: reception });
    assert.equal(read.status, 200);
    assert.equal(read.body.familyName, "Kamau");
  });

  await t.step("POST /patients rejects an empty family name, naming the field", async () => {
    const res = await app.call("POST", "/api/v1/patients", {
      token: reception,
      body: { givenName: "A", familyName: "", birthDate: "1990-13-40" },
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get("content-type"), "application/problem+json");
    const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
    assert.deepEqual(paths, ["birthDate", "familyName"]);
    assert.ok(res.body.requestId);
  });

  await t.step("concurrent registrations get distinct, consecutive MRNs", async () => {
    const results = await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          app.call("POST", "/api/v1/patients", {
            token: reception,
            body: { givenName: "Race", familyName: `R${i}` },
          }),
      ),
    );
    assert.ok(results.every((r) => r.status === 201));
    const mrns = results.map((r) => r.body.mrn);
    assert.equal(new Set(mrns).size, 20);
    const numbers = mrns.map((m) => Number(m.slice(3))).sort((a, b) => a - b);
    assert.equal(numbers[19] - numbers[0], 19);
  });

  await t.step("PATCH with a stale If-Match answers 412 and changes nothing", async () => {
    const p = await createPatient(app, reception);
    const ok = await app.call("PATCH", `/api/v1/patients/${p.id}`, {
      token: reception,
      headers: { "if-match": '"1"' },
      body: { phone: "0700 111 222" },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.version, 2);
    assert.equal(ok.headers.get("etag"), '"2"');
    const stale = await app.call("PATCH", `/api/v1/patients/${p.id}`, {
      token: reception,
      headers: { "if-match": '"1"' },
      body: { phone: "0799 999 999" },
    });
    assert.equal(stale.status, 412);
    assert.equal(stale.headers.get("etag"), '"2"');
    const read = await app.call("GET", `/api/v1/patients/${p.id}`, { token: reception });
    assert.equal(read.body.phone, "0700 111 222");
  });

  await t.step("two racing PATCHes on the same version: one wins, the other gets 412", async () => {
    const p = await createPatient(app, reception);
    const [a, b] = await Promise.all(
      ["A", "B"].map((v) =>
        app.call("PATCH", `/api/v1/patients/${p.id}`, {
          token: reception,
          headers: { "if-match": '"1"' },
          body: { givenName: v },
        })
      ),
    );
    assert.deepEqual([a.status, b.status].sort(), [200, 412]);
    const read = await app.call("GET", `/api/v1/patients/${p.id}`, { token: reception });
    assert.equal(read.body.version, 2);
  });

  await t.step("every write appends a change-log entry with the row's version", async () => {
    const p = await createPatient(app, reception);
    await app.call("PATCH", `/api/v1/patients/${p.id}`, {
      token: reception,
      body: { sex: "male" },
    });
    const admin = org.admin;
    const del = await app.call("DELETE", `/api/v1/patients/${p.id}`, { token: admin });
    assert.equal(del.status, 204);
    const entries = await app.deps.db.db.select().from(changeLog).where(eq(changeLog.rowId, p.id));
    assert.deepEqual(entries.map((e) => [e.operation, e.version]), [["insert", 1], ["update", 2], [
      "delete",
      3,
    ]]);
    assert.ok(entries.every((e) => e.orgId === org.id && e.tableName === "patients"));
  });

  await t.step("a deleted patient is gone from reads and lists", async () => {
    const p = await createPatient(app, reception, { familyName: "Gone" });
    assert.equal(
      (await app.call("DELETE", `/api/v1/patients/${p.id}`, { token: org.admin })).status,
      204,
    );
    assert.equal(
      (await app.call("GET", `/api/v1/patients/${p.id}`, { token: reception })).status,
      404,
    );
    const list = await app.call("GET", "/api/v1/patients?q=Gone", { token: reception });
    assert.equal(list.body.data.length, 0);
  });

  await t.step("RECEPTION cannot delete; NURSE can read but not register", async () => {
    const p = await createPatient(app, reception);
    assert.equal(
      (await app.call("DELETE", `/api/v1/patients/${p.id}`, { token: reception })).status,
      403,
    );
    const nurse = await org.tokenFor("NURSE");
    assert.equal((await app.call("GET", `/api/v1/patients/${p.id}`, { token: nurse })).status, 200);
    const denied = await app.call("POST", "/api/v1/patients", {
      token: nurse,
      body: { givenName: "X", familyName: "Y" },
    });
    assert.equal(denied.status, 403);
  });

  await t.step("GET /patients pages with an opaque cursor, without repeats or gaps", async () => {
    const other = await createOrg(app);
    const tok = other.admin;
    for (let i = 0; i < 7; i++) {
      // Distinct birth dates: near-identical names on one date would be flagged as duplicates.
      await createPatient(app, tok, {
        familyName: `Page${String(i).padStart(2, "0")}`,
        birthDate: `198${i}-03-04`,
        allowDuplicate: true,
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/v1/patients?limit=3&sort=familyName${
        cursor ? `&cursor=${cursor}` : ""
      }`;
      const res = await app.call("GET", q, { token: tok });
      assert.equal(res.status, 200);
      assert.ok(res.body.data.length <= 3);
      seen.push(...res.body.data.map((p: { familyName: string }) => p.familyName));
      cursor = res.body.nextCursor;
    } while (cursor);
    assert.deepEqual(
      seen,
      Array.from({ length: 7 }, (_, i) => `Page${String(i).padStart(2, "0")}`),
    );
    const bad = await app.call("GET", "/api/v1/patients?cursor=not-a-cursor", { token: tok });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].path, "cursor");
  });

  await t.step("search matches a name prefix case-insensitively and an exact MRN", async () => {
    const p = await createPatient(app, reception, { givenName: "Zawadi", familyName: "Otieno" });
    const byName = await app.call("GET", "/api/v1/patients?q=otie", { token: reception });
    assert.ok(byName.body.data.some((x: { id: string }) => x.id === p.id));
    const byMrn = await app.call("GET", `/api/v1/patients?q=${p.mrn.toLowerCase()}`, {
      token: reception,
    });
    assert.deepEqual(byMrn.body.data.map((x: { id: string }) => x.id), [p.id]);
  });

  await t.step(
    "Idempotency-Key replays the first response instead of registering twice",
    async () => {
      const body = { givenName: "Once", familyName: "Only" };
      const headers = { "idempotency-key": "reg-123" };
      const first = await app.call("POST", "/api/v1/patients", { token: reception, body, headers });
      const again = await app.call("POST", "/api/v1/patients", { token: reception, body, headers });
      assert.equal(first.status, 201);
      assert.equal(again.status, 201);
      assert.equal(again.body.id, first.body.id);
      assert.equal(again.headers.get("idempotent-replayed"), "true");
      const list = await app.call("GET", "/api/v1/patients?q=Only", { token: reception });
      assert.equal(list.body.data.length, 1);
      const changed = await app.call("POST", "/api/v1/patients", {
        token: reception,
        body: { ...body, givenName: "Other" },
        headers,
      });
      assert.equal(changed.status, 422);
    },
  );

  await t.step("racing requests with one Idempotency-Key create one patient", async () => {
    const body = { givenName: "Racing", familyName: "Idem" };
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        app.call("POST", "/api/v1/patients", {
          token: reception,
          body,
          headers: { "idempotency-key": "race-1" },
        })),
    );
    for (const r of results) assert.ok([201, 409].includes(r.status), String(r.status));
    const list = await app.call("GET", "/api/v1/patients?q=Idem", { token: reception });
    assert.equal(list.body.data.length, 1);
  });

  await app.close();
});
