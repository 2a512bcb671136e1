import assert from "node:assert/strict";
import { patientDocuments, patients } from "../db/schema/mod.ts";
import { insertTracked, stamp, updateInTenant } from "../db/tenant.ts";
import { buildRegistry, defineModule } from "../src/lib/module.ts";
import { MODULES } from "../src/modules/index.ts";
import { createTestApp } from "./helpers/app.ts";
import { clinicDayApartFromUtc } from "./helpers/clinic-day.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";

const paths = (body: { errors?: { path: string }[] }) =>
  (body.errors ?? []).map((e) => e.path).sort();

Deno.test("patient clinical data, record history and summary", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);
  const other = await createOrg(app);
  const reception = await org.tokenFor("RECEPTION");
  const doctor = await org.tokenFor("DOCTOR");
  const nurse = await org.tokenFor("NURSE");
  const finance = await org.tokenFor("FINANCE");
  const pharmacy = await org.tokenFor("PHARMACY");
  const allergiesOf = (id: string) => `/api/v1/patients/${id}/allergies`;
  const historyOf = (id: string) => `/api/v1/patients/${id}/medical-history`;
  const penicillin = { substance: "Penicillin", category: "drug", severity: "severe" };

  /** Marks `id` as merged into `survivor`, as the merge feature does, through the writers. */
  const adminId = await org.userIdFor("ADMIN");
  const markMerged = (id: string, survivor: string) =>
    app.deps.db.transaction((tx) =>
      updateInTenant(tx, patients, {
        orgId: org.id,
        id,
        set: { mergedInto: survivor, mergedAt: new Date().toISOString() },
        actorId: adminId,
        at: new Date().toISOString(),
      })
    );

  await t.step("a nurse records an allergy; it is listed with defaults and an ETag", async () => {
    const p = await createPatient(app, reception);
    const res = await app.call("POST", allergiesOf(p.id), {
      token: nurse,
      body: { ...penicillin, reaction: "Hives", onsetDate: "2015-06-01" },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, "active");
    assert.equal(res.body.version, 1);
    assert.equal(res.body.patientId, p.id);
    assert.equal(res.headers.get("etag"), '"1"');
    assert.equal(res.headers.get("location"), `${allergiesOf(p.id)}/${res.body.id}`);
    const list = await app.call("GET", allergiesOf(p.id), { token: pharmacy });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.map((a: any) => [a.substance, a.reaction]), [[
      "Penicillin",
      "Hives",
    ]]);
    assert.equal(list.body.nextCursor, null);
  });

  await t.step("PATCH and DELETE change an allergy; ?status= filters the list", async () => {
    const p = await createPatient(app, reception);
    const a = (await app.call("POST", allergiesOf(p.id), { token: doctor, body: penicillin }))
      .body;
    await app.call("POST", allergiesOf(p.id), {
      token: doctor,
      body: { substance: "Peanuts", category: "food", severity: "mild" },
    });
    const patched = await app.call("PATCH", `${allergiesOf(p.id)}/${a.id}`, {
      token: doctor,
      headers: { "if-match": '"1"' },
      body: { status: "resolved", notes: "Tolerated amoxicillin in 2024" },
    });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.version, 2);
    assert.equal(patched.headers.get("etag"), '"2"');
    const active = await app.call("GET", `${allergiesOf(p.id)}?status=active`, { token: doctor });
    assert.deepEqual(active.body.data.map((x: any) => x.substance), ["Peanuts"]);
    const del = await app.call("DELETE", `${allergiesOf(p.id)}/${a.id}`, { token: nurse });
    assert.equal(del.status, 204);
    const all = await app.call("GET", allergiesOf(p.id), { token: doctor });
    assert.deepEqual(all.body.data.map((x: any) => x.substance), ["Peanuts"]);
    const again = await app.call("PATCH", `${allergiesOf(p.id)}/${a.id}`, {
      token: doctor,
      body: { notes: "x" },
    });
    assert.equal(again.status, 404);
  });

  await t.step(
    "the history of an allergy lists versions 1..3 with who, when and fields",
    async () => {
      const p = await createPatient(app, reception);
      const a = (await app.call("POST", allergiesOf(p.id), { token: nurse, body: penicillin }))
        .body;
      await app.call("PATCH", `${allergiesOf(p.id)}/${a.id}`, {
        token: doctor,
        headers: { "if-match": '"1"' },
        body: { severity: "life-threatening", reaction: "Anaphylaxis" },
      });
      await app.call("PATCH", `${allergiesOf(p.id)}/${a.id}`, {
        token: doctor,
        headers: { "if-match": '"2"' },
        body: { notes: "Carries an adrenaline pen" },
      });
      const res = await app.call("GET", `${allergiesOf(p.id)}/${a.id}/history`, { token: nurse });
      assert.equal(res.status, 200);
      const v = res.body.data;
      assert.deepEqual(v.map((x: any) => x.version), [1, 2, 3]);
      assert.deepEqual(v.map((x: any) => x.operation), ["insert", "update", "update"]);
      assert.deepEqual(v[1].fields.sort(), ["reaction", "severity"]);
      assert.deepEqual(v[2].fields, ["notes"]);
      assert.ok(v[0].fields.includes("substance"));
      assert.deepEqual(v[0].changedBy, { id: await org.userIdFor("NURSE"), name: "NURSE Person" });
      assert.deepEqual(v[1].changedBy.id, await org.userIdFor("DOCTOR"));
      assert.ok(v.every((x: any) => !Number.isNaN(Date.parse(x.changedAt))));
      // Each version carries the allergy as it was then.
      assert.equal(v[0].entry.severity, "severe");
      assert.equal(v[1].entry.severity, "life-threatening");
      assert.equal(v[2].entry.notes, "Carries an adrenaline pen");

      await app.call("DELETE", `${allergiesOf(p.id)}/${a.id}`, { token: doctor });
      const after = await app.call("GET", `${allergiesOf(p.id)}/${a.id}/history?limit=2`, {
        token: nurse,
      });
      assert.equal(after.status, 200, "removed allergies keep their history");
      assert.deepEqual(after.body.data.map((x: any) => x.version), [1, 2]);
      const next = await app.call(
        "GET",
        `${allergiesOf(p.id)}/${a.id}/history?limit=2&cursor=${after.body.nextCursor}`,
        { token: nurse },
      );
      assert.deepEqual(next.body.data.map((x: any) => [x.version, x.operation]), [[3, "update"], [
        4,
        "delete",
      ]]);
      assert.equal(next.body.nextCursor, null);
    },
  );

  await t.step("RECEPTION cannot add allergies, FINANCE cannot read them (403)", async () => {
    const p = await createPatient(app, reception);
    const add = await app.call("POST", allergiesOf(p.id), { token: reception, body: penicillin });
    assert.equal(add.status, 403);
    const read = await app.call("GET", allergiesOf(p.id), { token: finance });
    assert.equal(read.status, 403);
    const hist = await app.call("GET", historyOf(p.id), { token: finance });
    assert.equal(hist.status, 403);
    const pharmacyAdd = await app.call("POST", historyOf(p.id), {
      token: pharmacy,
      body: { kind: "condition", name: "Asthma" },
    });
    assert.equal(pharmacyAdd.status, 403);
    const list = await app.call("GET", allergiesOf(p.id), { token: doctor });
    assert.equal(list.body.data.length, 0, "refused writes leave nothing behind");
  });

  await t.step(
    "a stale If-Match answers 412 with the current ETag and changes nothing",
    async () => {
      const p = await createPatient(app, reception);
      const a = (await app.call("POST", allergiesOf(p.id), { token: doctor, body: penicillin }))
        .body;
      await app.call("PATCH", `${allergiesOf(p.id)}/${a.id}`, {
        token: doctor,
        body: { reaction: "Rash" },
      });
      const stale = await app.call("PATCH", `${allergiesOf(p.id)}/${a.id}`, {
        token: doctor,
        headers: { "if-match": '"1"' },
        body: { reaction: "Swelling" },
      });
      assert.equal(stale.status, 412);
      assert.equal(stale.headers.get("etag"), '"2"');
      const staleDelete = await app.call("DELETE", `${allergiesOf(p.id)}/${a.id}`, {
        token: doctor,
        headers: { "if-match": '"1"' },
      });
      assert.equal(staleDelete.status, 412);
      const list = await app.call("GET", allergiesOf(p.id), { token: doctor });
      assert.equal(list.body.data[0].reaction, "Rash");
    },
  );

  await t.step("invalid enums and empty fields answer 400 naming each field", async () => {
    const p = await createPatient(app, reception);
    const res = await app.call("POST", allergiesOf(p.id), {
      token: doctor,
      body: { substance: " ", category: "mineral", severity: "deadly", status: "maybe" },
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get("content-type"), "application/problem+json");
    assert.deepEqual(paths(res.body), ["category", "severity", "status", "substance"]);
    const missing = await app.call("POST", historyOf(p.id), {
      token: doctor,
      body: { kind: "illness", onsetDate: "2020-02-30" },
    });
    assert.equal(missing.status, 400);
    assert.deepEqual(paths(missing.body), ["kind", "name", "onsetDate"]);
    const a = (await app.call("POST", allergiesOf(p.id), { token: doctor, body: penicillin }))
      .body;
    const empty = await app.call("PATCH", `${allergiesOf(p.id)}/${a.id}`, {
      token: doctor,
      body: {},
    });
    assert.equal(empty.status, 400);
    const badQuery = await app.call("GET", `${allergiesOf(p.id)}?status=gone`, { token: doctor });
    assert.equal(badQuery.status, 400);
    assert.deepEqual(paths(badQuery.body), ["status"]);
  });

  await t.step("an onset in the future answers 422 naming onsetDate", async () => {
    const p = await createPatient(app, reception);
    const res = await app.call("POST", allergiesOf(p.id), {
      token: doctor,
      body: { ...penicillin, onsetDate: "2999-01-01" },
    });
    assert.equal(res.status, 422);
    assert.deepEqual(paths(res.body), ["onsetDate"]);
  });

  await t.step("a second active allergy to the same substance answers 409", async () => {
    const p = await createPatient(app, reception);
    const first = await app.call("POST", allergiesOf(p.id), { token: doctor, body: penicillin });
    const dup = await app.call("POST", allergiesOf(p.id), {
      token: nurse,
      body: { ...penicillin, substance: "  PÉNICILLIN " },
    });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.existingId, first.body.id);
    // An inactive record of the same substance is history, not a duplicate.
    const inactive = await app.call("POST", allergiesOf(p.id), {
      token: nurse,
      body: { ...penicillin, status: "inactive" },
    });
    assert.equal(inactive.status, 201);
    const reactivate = await app.call("PATCH", `${allergiesOf(p.id)}/${inactive.body.id}`, {
      token: nurse,
      body: { status: "active" },
    });
    assert.equal(reactivate.status, 409);
    // Another patient may have the same allergy.
    const q = await createPatient(app, reception);
    const theirs = await app.call("POST", allergiesOf(q.id), { token: doctor, body: penicillin });
    assert.equal(theirs.status, 201);
  });

  await t.step("racing duplicate allergies: exactly one is recorded", async () => {
    const p = await createPatient(app, reception);
    const results = await Promise.all(
      [doctor, nurse, doctor].map((token) =>
        app.call("POST", allergiesOf(p.id), { token, body: { ...penicillin, substance: "Latex" } })
      ),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409]);
  });

  await t.step("two PATCHes of one allergy with the same If-Match: one 200, one 412", async () => {
    const p = await createPatient(app, reception);
    const a = (await app.call("POST", allergiesOf(p.id), { token: doctor, body: penicillin }))
      .body;
    const [x, y] = await Promise.all(
      ["Rash", "Wheeze"].map((reaction) =>
        app.call("PATCH", `${allergiesOf(p.id)}/${a.id}`, {
          token: doctor,
          headers: { "if-match": '"1"' },
          body: { reaction },
        })
      ),
    );
    assert.deepEqual([x.status, y.status].sort(), [200, 412]);
    const hist = await app.call("GET", `${allergiesOf(p.id)}/${a.id}/history`, { token: doctor });
    assert.deepEqual(hist.body.data.map((v: any) => v.version), [1, 2]);
  });

  await t.step("another organisation's patient or entry answers 404 and is untouched", async () => {
    const theirReception = await other.tokenFor("RECEPTION");
    const theirDoctor = await other.tokenFor("DOCTOR");
    const theirs = await createPatient(app, theirReception);
    const theirAllergy = (await app.call("POST", allergiesOf(theirs.id), {
      token: theirDoctor,
      body: penicillin,
    })).body;
    const probes = [
      ["GET", allergiesOf(theirs.id)],
      ["POST", allergiesOf(theirs.id)],
      ["PATCH", `${allergiesOf(theirs.id)}/${theirAllergy.id}`],
      ["DELETE", `${allergiesOf(theirs.id)}/${theirAllergy.id}`],
      ["GET", `${allergiesOf(theirs.id)}/${theirAllergy.id}/history`],
      ["GET", historyOf(theirs.id)],
      ["GET", `/api/v1/patients/${theirs.id}/history`],
      ["GET", `/api/v1/patients/${theirs.id}/history/1`],
      ["GET", `/api/v1/patients/${theirs.id}/summary`],
    ];
    for (const [method, path] of probes) {
      const body = method === "POST" ? penicillin : method === "PATCH" ? { notes: "x" } : undefined;
      const res = await app.call(method, path, { token: doctor, body });
      assert.equal(res.status, 404, `${method} ${path}: ${res.status}`);
    }
    // An entry id of one patient used under another patient of the same organisation: 404.
    const mine = await createPatient(app, reception);
    const mineAllergy = (await app.call("POST", allergiesOf(mine.id), {
      token: doctor,
      body: penicillin,
    })).body;
    const elsewhere = await createPatient(app, reception);
    const wrong = await app.call("PATCH", `${allergiesOf(elsewhere.id)}/${mineAllergy.id}`, {
      token: doctor,
      body: { notes: "x" },
    });
    assert.equal(wrong.status, 404);
    const theirList = await app.call("GET", allergiesOf(theirs.id), { token: theirDoctor });
    assert.equal(theirList.body.data[0].version, 1);
    assert.equal(theirList.body.data[0].notes, null);
  });

  await t.step("medical history: add, filter by kind, update, remove", async () => {
    const p = await createPatient(app, reception);
    const add = (body: Record<string, unknown>) =>
      app.call("POST", historyOf(p.id), { token: doctor, body });
    const diabetes = await add({ kind: "condition", name: "Type 2 diabetes", code: "E11" });
    assert.equal(diabetes.status, 201, JSON.stringify(diabetes.body));
    assert.equal(diabetes.body.status, "active", "a condition defaults to active");
    const metformin = await add({
      kind: "medication",
      name: "Metformin",
      dosage: "500 mg twice daily",
      onsetDate: "2020-01-10",
    });
    assert.equal(metformin.status, 201);
    const surgery = await add({ kind: "surgery", name: "Appendectomy", onsetDate: "2001-05-05" });
    assert.equal(surgery.body.status, "recorded");
    const family = await add({ kind: "family", name: "Hypertension", relation: "mother" });
    assert.equal(family.status, 201);
    const meds = await app.call("GET", `${historyOf(p.id)}?kind=medication`, { token: nurse });
    assert.deepEqual(meds.body.data.map((e: any) => e.name), ["Metformin"]);
    const stop = await app.call("PATCH", `${historyOf(p.id)}/${metformin.body.id}`, {
      token: nurse,
      headers: { "if-match": '"1"' },
      body: { status: "stopped", endDate: "2024-03-01" },
    });
    assert.equal(stop.status, 200);
    assert.equal(stop.body.version, 2);
    const versions = await app.call("GET", `${historyOf(p.id)}/${metformin.body.id}/history`, {
      token: doctor,
    });
    assert.deepEqual(versions.body.data[1].fields.sort(), ["endDate", "status"]);
    const del = await app.call("DELETE", `${historyOf(p.id)}/${surgery.body.id}`, {
      token: doctor,
      headers: { "if-match": '"1"' },
    });
    assert.equal(del.status, 204);
    const all = await app.call("GET", historyOf(p.id), { token: doctor });
    assert.deepEqual(all.body.data.map((e: any) => e.kind), ["condition", "medication", "family"]);
  });

  await t.step("medical history rules answer 422 naming the field", async () => {
    const p = await createPatient(app, reception);
    const add = (body: Record<string, unknown>) =>
      app.call("POST", historyOf(p.id), { token: doctor, body });
    const cases: [Record<string, unknown>, string[]][] = [
      [{ kind: "condition", name: "Asthma", status: "stopped" }, ["status"]],
      [{ kind: "surgery", name: "Hernia repair", status: "active" }, ["status"]],
      [{ kind: "family", name: "Diabetes" }, ["relation"]],
      [{ kind: "condition", name: "Asthma", relation: "father" }, ["relation"]],
      [{ kind: "condition", name: "Asthma", dosage: "2 puffs" }, ["dosage"]],
      [{
        kind: "medication",
        name: "Salbutamol",
        onsetDate: "2022-05-01",
        endDate: "2021-01-01",
      }, ["endDate"]],
    ];
    for (const [body, expected] of cases) {
      const res = await add(body);
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.deepEqual(paths(res.body), expected, JSON.stringify(body));
    }
    const ok = await add({ kind: "condition", name: "Asthma" });
    const bad = await app.call("PATCH", `${historyOf(p.id)}/${ok.body.id}`, {
      token: doctor,
      body: { status: "recorded" },
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(paths(bad.body), ["status"]);
    const list = await app.call("GET", historyOf(p.id), { token: doctor });
    assert.equal(list.body.data.length, 1, "refused entries were not stored");
  });

  await t.step("a merged record refuses new clinical entries with 409", async () => {
    const survivor = await createPatient(app, reception);
    const dup = await createPatient(app, reception);
    const kept = (await app.call("POST", allergiesOf(dup.id), { token: doctor, body: penicillin }))
      .body;
    await markMerged(dup.id, survivor.id);
    const add = await app.call("POST", allergiesOf(dup.id), {
      token: doctor,
      body: { ...penicillin, substance: "Sulfa" },
    });
    assert.equal(add.status, 409);
    assert.equal(add.body.mergedInto, survivor.id);
    const hist = await app.call("POST", historyOf(dup.id), {
      token: doctor,
      body: { kind: "condition", name: "Asthma" },
    });
    assert.equal(hist.status, 409);
    const patch = await app.call("PATCH", `${allergiesOf(dup.id)}/${kept.id}`, {
      token: doctor,
      body: { notes: "x" },
    });
    assert.equal(patch.status, 409);
  });

  await t.step("record history: register + 2 PATCHes list who, when, fields", async () => {
    const p = await createPatient(app, reception, { givenName: "Achieng" });
    await app.call("PATCH", `/api/v1/patients/${p.id}`, {
      token: reception,
      headers: { "if-match": '"1"' },
      body: { givenName: "Akinyi", phone: "+254 711 000 111" },
    });
    await app.call("PATCH", `/api/v1/patients/${p.id}`, {
      token: org.admin,
      headers: { "if-match": '"2"' },
      body: { tags: ["diabetic"] },
    });
    const res = await app.call("GET", `/api/v1/patients/${p.id}/history`, { token: doctor });
    assert.equal(res.status, 200);
    const v = res.body.data;
    assert.deepEqual(v.map((x: any) => [x.version, x.operation]), [[1, "insert"], [2, "update"], [
      3,
      "update",
    ]]);
    assert.deepEqual(v[0].changedBy, {
      id: await org.userIdFor("RECEPTION"),
      name: "RECEPTION Person",
    });
    assert.deepEqual(v[2].changedBy, { id: await org.userIdFor("ADMIN"), name: "Org Admin" });
    assert.deepEqual(v[1].fields.sort(), ["givenName", "phone"]);
    assert.deepEqual(v[2].fields, ["tags"]);
    assert.ok(v[0].fields.includes("familyName"));
    assert.ok(v[1].changedAt <= v[2].changedAt);

    const first = await app.call("GET", `/api/v1/patients/${p.id}/history/1`, { token: doctor });
    assert.equal(first.status, 200);
    assert.equal(first.body.version, 1);
    assert.equal(first.body.patient.givenName, "Achieng");
    assert.equal(first.body.patient.version, 1);
    assert.deepEqual(first.body.patient.tags, []);
    const third = await app.call("GET", `/api/v1/patients/${p.id}/history/3`, { token: doctor });
    assert.equal(third.body.patient.givenName, "Akinyi");
    assert.deepEqual(third.body.patient.tags, ["diabetic"]);
    const missing = await app.call("GET", `/api/v1/patients/${p.id}/history/4`, { token: doctor });
    assert.equal(missing.status, 404);

    const page1 = await app.call("GET", `/api/v1/patients/${p.id}/history?limit=2`, {
      token: doctor,
    });
    assert.deepEqual(page1.body.data.map((x: any) => x.version), [1, 2]);
    const page2 = await app.call(
      "GET",
      `/api/v1/patients/${p.id}/history?limit=2&cursor=${page1.body.nextCursor}`,
      { token: doctor },
    );
    assert.deepEqual(page2.body.data.map((x: any) => x.version), [3]);
    assert.equal(page2.body.nextCursor, null);

    // FINANCE sees the versions but never learns about fields hidden from it.
    const fin = await app.call("GET", `/api/v1/patients/${p.id}/history`, { token: finance });
    assert.equal(fin.status, 200);
    assert.deepEqual(fin.body.data.map((x: any) => x.version), [1, 2, 3]);
    assert.deepEqual(fin.body.data[2].fields, [], "the tags change is not named");
    assert.ok(fin.body.data.every((x: any) => !x.fields.includes("tags")));
    const finV3 = await app.call("GET", `/api/v1/patients/${p.id}/history/3`, { token: finance });
    assert.equal(finV3.status, 200);
    assert.deepEqual(finV3.body.fields, []);
    assert.equal(finV3.body.patient.givenName, "Akinyi");
    assert.ok(!("tags" in finV3.body.patient));
    assert.ok(!("emergencyContacts" in finV3.body.patient));
  });

  await t.step("the history of a deleted record answers 404 like the record", async () => {
    const p = await createPatient(app, reception);
    assert.equal(
      (await app.call("DELETE", `/api/v1/patients/${p.id}`, { token: org.admin }))
        .status,
      204,
    );
    const res = await app.call("GET", `/api/v1/patients/${p.id}/history`, { token: org.admin });
    assert.equal(res.status, 404);
    const one = await app.call("GET", `/api/v1/patients/${p.id}/history/1`, { token: org.admin });
    assert.equal(one.status, 404);
  });

  await t.step("the summary gives a doctor the record and every clinical section", async () => {
    const p = await createPatient(app, reception, { tags: ["vip"] });
    await app.call("POST", allergiesOf(p.id), { token: doctor, body: penicillin });
    await app.call("POST", allergiesOf(p.id), {
      token: doctor,
      body: { substance: "Dust", severity: "mild", status: "resolved" },
    });
    const add = (body: Record<string, unknown>) =>
      app.call("POST", historyOf(p.id), { token: doctor, body });
    await add({ kind: "condition", name: "Hypertension" });
    await add({ kind: "condition", name: "Malaria", status: "resolved" });
    await add({ kind: "medication", name: "Amlodipine", dosage: "5 mg daily" });
    await add({ kind: "medication", name: "Artemether", status: "stopped" });
    await add({ kind: "family", name: "Diabetes", relation: "father" });
    await app.deps.db.transaction(async (tx) => {
      for (let i = 0; i < 7; i++) {
        const at = new Date(Date.UTC(2026, 0, 1 + i)).toISOString();
        await insertTracked(tx, patientDocuments, {
          ...stamp(org.id, null, at),
          patientId: p.id,
          title: `Lab report ${i}`,
          category: "lab-report",
          fileName: `report-${i}.pdf`,
          mediaType: "application/pdf",
          sizeBytes: 1000 + i,
          sha256: "0".repeat(64),
          storageKey: `${org.id}/${p.id}/doc-${i}`,
        });
      }
    });
    const res = await app.call("GET", `/api/v1/patients/${p.id}/summary`, { token: doctor });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const s = res.body;
    assert.equal(s.patient.id, p.id);
    assert.deepEqual(s.patient.tags, ["vip"]);
    assert.deepEqual(s.allergies.map((a: any) => a.substance), ["Penicillin"]);
    assert.deepEqual(s.activeProblems.map((e: any) => e.name), ["Hypertension"]);
    assert.deepEqual(s.currentMedications.map((e: any) => e.name), ["Amlodipine"]);
    assert.deepEqual(
      s.recentDocuments.map((d: any) => d.title),
      [6, 5, 4, 3, 2].map((i) => `Lab report ${i}`),
    );
    assert.deepEqual(Object.keys(s.recentDocuments[0]).sort(), [
      "category",
      "createdAt",
      "id",
      "mediaType",
      "sizeBytes",
      "title",
    ]);
    assert.deepEqual(s.omitted, []);
  });

  await t.step("FINANCE's summary has no clinical sections and no documents", async () => {
    const p = await createPatient(app, reception, { tags: ["vip"] });
    await app.call("POST", allergiesOf(p.id), { token: doctor, body: penicillin });
    const res = await app.call("GET", `/api/v1/patients/${p.id}/summary`, { token: finance });
    assert.equal(res.status, 200);
    const s = res.body;
    for (
      const section of ["allergies", "activeProblems", "currentMedications", "recentDocuments"]
    ) {
      assert.ok(!(section in s), `${section} shown to FINANCE`);
      assert.ok(s.omitted.includes(section), `${section} not named as omitted`);
    }
    assert.ok(!("tags" in s.patient), "hidden record fields stay hidden");
    const desk = await app.call("GET", `/api/v1/patients/${p.id}/summary`, { token: reception });
    assert.ok(!("allergies" in desk.body));
    assert.deepEqual(desk.body.recentDocuments, [], "RECEPTION may see documents");
    assert.deepEqual(desk.body.omitted, [
      "allergies",
      "activeProblems",
      "currentMedications",
      "latestVitals",
      "activePrescriptions",
    ]);
  });

  await t.step("modules contribute summary sections, gated by their permission", async () => {
    const seen: string[] = [];
    const notes = defineModule({
      name: "test-notes",
      summarySections: {
        testNotes: {
          permission: "patients:clinical:read",
          load: (_deps, actor, patientId) => {
            seen.push(`${actor.role}:${patientId}`);
            return Promise.resolve([{ note: "from a test module" }]);
          },
        },
      },
    });
    // A name another module already declares is refused when the list is built.
    assert.throws(
      () =>
        buildRegistry([
          ...MODULES,
          defineModule({
            name: "clash",
            summarySections: { allergies: { load: () => Promise.resolve(null) } },
          }),
        ]),
      /summary section allergies is declared by both module allergies and module clash/,
    );
    const withNotes = await createTestApp({}, { modules: [...MODULES, notes] });
    const o = await createOrg(withNotes);
    const p = await createPatient(withNotes, await o.tokenFor("RECEPTION"));
    const doc = await withNotes.call("GET", `/api/v1/patients/${p.id}/summary`, {
      token: await o.tokenFor("DOCTOR"),
    });
    assert.deepEqual(doc.body.sections.testNotes, [{ note: "from a test module" }]);
    const fin = await withNotes.call("GET", `/api/v1/patients/${p.id}/summary`, {
      token: await o.tokenFor("FINANCE"),
    });
    assert.ok(!("testNotes" in fin.body.sections));
    assert.ok(fin.body.omitted.includes("testNotes"));
    assert.deepEqual(seen, [`DOCTOR:${p.id}`], "not loaded for a role that may not see it");
    await withNotes.close();
  });

  await t.step("a merged record's summary answers 307 to the survivor's", async () => {
    const survivor = await createPatient(app, reception);
    const dup = await createPatient(app, reception);
    await markMerged(dup.id, survivor.id);
    const res = await app.call("GET", `/api/v1/patients/${dup.id}/summary`, { token: doctor });
    assert.equal(res.status, 307);
    assert.equal(res.headers.get("location"), `/api/v1/patients/${survivor.id}/summary`);
    assert.equal(res.body.mergedInto, survivor.id);
  });

  await t.step("writes and reads are audited with the patient", async () => {
    const p = await createPatient(app, reception);
    const a = (await app.call("POST", allergiesOf(p.id), { token: doctor, body: penicillin }))
      .body;
    await app.call("PATCH", `${allergiesOf(p.id)}/${a.id}`, {
      token: doctor,
      body: { severity: "mild" },
    });
    await app.call("GET", allergiesOf(p.id), { token: nurse });
    await app.call("GET", `/api/v1/patients/${p.id}/history`, { token: nurse });
    await app.call("GET", `/api/v1/patients/${p.id}/summary`, { token: nurse });
    await app.deps.audit.flush();
    const trail = await app.call("GET", `/api/v1/audit-events?patientId=${p.id}&limit=100`, {
      token: org.admin,
    });
    assert.equal(trail.status, 200);
    const actions = trail.body.data.map((e: any) => e.action);
    for (
      const action of [
        "patient-allergy.create",
        "patient-allergy.update",
        "patient-allergy.list",
        "patient.history",
        "patient.summary",
      ]
    ) {
      assert.ok(actions.includes(action), `${action} missing from ${actions}`);
    }
    const update = trail.body.data.find((e: any) => e.action === "patient-allergy.update");
    assert.deepEqual(update.changedFields, ["severity"]);
    assert.equal(update.entityId, a.id);
  });

  await app.close();
});

Deno.test("'today' for a clinical date is the clinic's day, not UTC's", async () => {
  const { timezone, localToday, utcToday, tomorrowThere } = clinicDayApartFromUtc();
  assert.notEqual(localToday, utcToday);
  const app = await createTestApp();
  try {
    const org = await createOrg(app);
    const tz = await app.call("PATCH", "/api/v1/organizations/current", {
      token: org.admin,
      body: { timezone },
    });
    assert.equal(tz.status, 200);
    const nurse = await org.tokenFor("NURSE");
    const patient = await createPatient(app, await org.tokenFor("RECEPTION"));
    const allergy = (onsetDate: string) =>
      app.call("POST", `/api/v1/patients/${patient.id}/allergies`, {
        token: nurse,
        body: {
          substance: `Latex ${onsetDate}`,
          category: "environment",
          severity: "mild",
          onsetDate,
        },
      });
    // A reaction that began today where the clinic is: accepted even when UTC is a day behind.
    const today = await allergy(localToday);
    assert.equal(today.status, 201, JSON.stringify(today.body));
    const refused = await allergy(tomorrowThere);
    assert.equal(refused.status, 422);
    assert.equal(refused.body.errors[0].path, "onsetDate");
    // The same day on an update (the kit's change path).
    const updated = await app.call(
      "PATCH",
      `/api/v1/patients/${patient.id}/allergies/${today.body.id}`,
      { token: nurse, body: { onsetDate: localToday } },
    );
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
  } finally {
    await app.close();
  }
});
