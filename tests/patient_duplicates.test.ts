import assert from "node:assert/strict";
import { and, count, eq } from "drizzle-orm";
import {
  patientAllergies,
  patientDocuments,
  patientHistoryEntries,
  patientMerges,
  patients,
  patientSearchTerms,
} from "../db/schema/mod.ts";
import { insertTracked, stamp } from "../db/tenant.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";

const DUPLICATE_TYPE = "https://clinic-api.dev/problems/duplicate-patient";

Deno.test("patient duplicates", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);
  const other = await createOrg(app);
  const reception = await org.tokenFor("RECEPTION");
  const admin = org.admin;
  const db = app.deps.db.db;

  const patientCount = async () =>
    (await db.select({ n: count() }).from(patients).where(eq(patients.orgId, org.id)))[0].n;
  const register = (body: Record<string, unknown>, token = reception) =>
    app.call("POST", "/api/v1/patients", { token, body: { sex: "female", ...body } });

  // Clinical and document rows are inserted the way their services do (insertTracked): this
  // file tests that a merge moves them, not their routes.
  const at = () => new Date().toISOString();
  const addAllergy = (patientId: string, substance: string) =>
    app.deps.db.transaction((tx) =>
      insertTracked(tx, patientAllergies, {
        ...stamp(org.id, null, at()),
        patientId,
        substance,
        severity: "severe",
      })
    );
  const addHistory = (patientId: string) =>
    app.deps.db.transaction((tx) =>
      insertTracked(tx, patientHistoryEntries, {
        ...stamp(org.id, null, at()),
        patientId,
        kind: "condition",
        name: "Hypertension",
        status: "active",
      })
    );
  const addDocument = (patientId: string) =>
    app.deps.db.transaction((tx) =>
      insertTracked(tx, patientDocuments, {
        ...stamp(org.id, null, at()),
        patientId,
        title: "Referral",
        fileName: "referral.pdf",
        mediaType: "application/pdf",
        sizeBytes: 10,
        sha256: "0".repeat(64),
        storageKey: `test/${crypto.randomUUID()}`,
      })
    );
  const ownerOf = async (table: typeof patientAllergies, id: string) =>
    (await db.select().from(table).where(eq(table.id, id)))[0];

  await t.step(
    "the same national id, formatted differently, answers 409 and writes nothing",
    async () => {
      const first = await createPatient(app, reception, {
        givenName: "Halima",
        familyName: "Said",
        nationalId: "AB-123 456",
      });
      const before = await patientCount();
      const res = await register({
        givenName: "Mwanaisha",
        familyName: "Juma",
        nationalId: "ab123456",
      });
      assert.equal(res.status, 409);
      assert.equal(res.headers.get("content-type"), "application/problem+json");
      assert.equal(res.body.type, DUPLICATE_TYPE);
      assert.equal(res.body.candidates.length, 1);
      assert.equal(res.body.candidates[0].patient.id, first.id);
      assert.equal(res.body.candidates[0].patient.mrn, first.mrn);
      assert.equal(res.body.candidates[0].score, 1);
      assert.deepEqual(res.body.candidates[0].reasons, ["same document id"]);
      assert.equal(await patientCount(), before);
    },
  );

  await t.step("an identifier's value matches another record's national id", async () => {
    const res = await register({
      givenName: "Other",
      familyName: "Person",
      identifiers: [{ system: "passport", value: "AB 123456" }],
    });
    assert.equal(res.status, 409);
    assert.equal(res.body.candidates[0].score, 1);
  });

  const wanjiku = await createPatient(app, reception, {
    givenName: "Wanjiku",
    familyName: "Kamau",
    birthDate: "1987-04-12",
    emergencyContacts: [{ name: "Peter Kamau", relationship: "brother" }],
  });

  await t.step("a name one typo away with the same birth date answers 409 (0.8)", async () => {
    const before = await patientCount();
    const res = await register({
      givenName: "Wanjiku",
      familyName: "Kamua",
      birthDate: "1987-04-12",
    });
    assert.equal(res.status, 409);
    assert.equal(res.body.candidates[0].patient.id, wanjiku.id);
    assert.equal(res.body.candidates[0].score, 0.8);
    assert.deepEqual(res.body.candidates[0].reasons, ["similar name and same birth date"]);
    assert.equal(await patientCount(), before);
  });

  await t.step("swapped given and family names with the same birth date score 0.9", async () => {
    const res = await register({
      givenName: "KAMAU",
      familyName: "Wánjiku",
      birthDate: "1987-04-12",
    });
    assert.equal(res.status, 409);
    assert.equal(res.body.candidates[0].patient.id, wanjiku.id);
    assert.equal(res.body.candidates[0].score, 0.9);
  });

  await t.step(
    "a similar name with the same phone in another format answers 409 (0.75)",
    async () => {
      const otieno = await createPatient(app, reception, {
        givenName: "Otieno",
        familyName: "Ochieng",
        birthDate: null,
        phone: "+254 712 345 678",
      });
      const res = await register({
        givenName: "Otieno",
        familyName: "Ocheng",
        phone: "0712-345678",
      });
      assert.equal(res.status, 409);
      assert.equal(res.body.candidates[0].patient.id, otieno.id);
      assert.equal(res.body.candidates[0].score, 0.75);
      assert.deepEqual(res.body.candidates[0].reasons, ["similar name and same phone"]);
      // Also found through a secondary phone of the new record.
      const viaOther = await register({
        givenName: "Otieno",
        familyName: "Ochieng",
        otherPhones: [{ number: "0712 345 678", use: "home" }],
      });
      assert.equal(viaOther.status, 409);
      assert.equal(viaOther.body.candidates[0].score, 0.85);
    },
  );

  let allowed: { id: string };
  await t.step("allowDuplicate: true registers the likely duplicate anyway", async () => {
    const res = await register({
      givenName: "Wanjiku",
      familyName: "Kamua",
      birthDate: "1987-04-12",
      allowDuplicate: true,
    });
    assert.equal(res.status, 201);
    allowed = res.body;
    const read = await app.call("GET", `/api/v1/patients/${allowed.id}`, { token: reception });
    assert.equal(read.status, 200);
  });

  await t.step(
    "the same name with another birth date and phone is a different person",
    async () => {
      const res = await register({
        givenName: "Wanjiku",
        familyName: "Kamau",
        birthDate: "1999-09-09",
        phone: "0700 000 999",
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    },
  );

  await t.step("a deleted record is not a candidate", async () => {
    const gone = await createPatient(app, reception, {
      givenName: "Zawadi",
      familyName: "Mutua",
      nationalId: "DEL-1",
    });
    const del = await app.call("DELETE", `/api/v1/patients/${gone.id}`, { token: admin });
    assert.equal(del.status, 204);
    const res = await register({ givenName: "Zawadi", familyName: "Mutua", nationalId: "DEL1" });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });

  await t.step(
    "two concurrent registrations of the same new person: one 201, one 409",
    async () => {
      const body = { givenName: "Baraka", familyName: "Mwangi", birthDate: "2001-02-03" };
      const results = await Promise.all([register(body), register(body)]);
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, [201, 409]);
      const created = results.find((r) => r.status === 201)!.body;
      const refused = results.find((r) => r.status === 409)!.body;
      assert.equal(refused.candidates[0].patient.id, created.id);
      const rows = await db.select().from(patients).where(
        and(eq(patients.orgId, org.id), eq(patients.familyName, "Mwangi")),
      );
      assert.equal(rows.length, 1);
    },
  );

  await t.step("GET /patients/{id}/duplicates lists the candidates, best first", async () => {
    const res = await app.call("GET", `/api/v1/patients/${wanjiku.id}/duplicates`, {
      token: reception,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data.map((c: any) => c.patient.id), [allowed.id]);
    assert.equal(res.body.data[0].score, 0.8);
    // And the other way round: the record itself is never its own candidate.
    const back = await app.call("GET", `/api/v1/patients/${allowed.id}/duplicates`, {
      token: reception,
    });
    assert.deepEqual(back.body.data.map((c: any) => c.patient.id), [wanjiku.id]);
  });

  await t.step("GET duplicates shows candidates as the caller's role may see them", async () => {
    const finance = await org.tokenFor("FINANCE");
    const res = await app.call("GET", `/api/v1/patients/${allowed.id}/duplicates`, {
      token: finance,
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.data[0].patient.id, wanjiku.id);
    assert.equal("emergencyContacts" in res.body.data[0].patient, false);
    const asReception = await app.call("GET", `/api/v1/patients/${allowed.id}/duplicates`, {
      token: reception,
    });
    assert.equal(asReception.body.data[0].patient.emergencyContacts.length, 1);
  });

  await t.step("GET duplicates of another organisation's patient answers 404", async () => {
    const theirs = await createPatient(app, await other.tokenFor("RECEPTION"));
    const res = await app.call("GET", `/api/v1/patients/${theirs.id}/duplicates`, {
      token: reception,
    });
    assert.equal(res.status, 404);
  });

  await t.step(
    "merge and unmerge round trip moves exactly the duplicate's rows and back",
    async () => {
      const survivor = await createPatient(app, reception, {
        givenName: "Grace",
        familyName: "Njeri",
        birthDate: "1980-05-05",
      });
      const dup = await register({
        givenName: "Grace",
        familyName: "Njery",
        birthDate: "1980-05-05",
        allowDuplicate: true,
      });
      assert.equal(dup.status, 201);
      const duplicate = dup.body;
      const survivorsOwn = await addAllergy(survivor.id, "Penicillin");
      const allergy = await addAllergy(duplicate.id, "Peanuts");
      const history = await addHistory(duplicate.id);
      const document = await addDocument(duplicate.id);

      const merged = await app.call("POST", `/api/v1/patients/${survivor.id}/merge`, {
        token: admin,
        body: { duplicateId: duplicate.id, reason: "registered twice" },
      });
      assert.equal(merged.status, 200, JSON.stringify(merged.body));
      assert.equal(merged.body.survivor.id, survivor.id);
      assert.equal(merged.body.duplicate.mergedInto, survivor.id);
      assert.equal(merged.body.merge.moved, 3);
      assert.deepEqual(merged.body.merge.movedByTable, {
        patient_allergies: 1,
        patient_history_entries: 1,
        patient_documents: 1,
      });

      // Every reference now points at the survivor, each as a new version of its row.
      const movedAllergy = await ownerOf(patientAllergies, allergy.id);
      assert.equal(movedAllergy.patientId, survivor.id);
      assert.equal(movedAllergy.version, 2);
      assert.equal(
        (await db.select().from(patientHistoryEntries).where(
          eq(patientHistoryEntries.id, history.id),
        ))[0].patientId,
        survivor.id,
      );
      assert.equal(
        (await db.select().from(patientDocuments).where(
          eq(patientDocuments.id, document.id),
        ))[0].patientId,
        survivor.id,
      );
      assert.equal((await ownerOf(patientAllergies, survivorsOwn.id)).patientId, survivor.id);

      // The merged record redirects, stays readable, and refuses changes.
      const redirect = await app.call("GET", `/api/v1/patients/${duplicate.id}`, {
        token: reception,
      });
      assert.equal(redirect.status, 307);
      assert.equal(redirect.headers.get("location"), `/api/v1/patients/${survivor.id}`);
      const plain = await app.call("GET", `/api/v1/patients/${duplicate.id}?redirect=false`, {
        token: reception,
      });
      assert.equal(plain.status, 200);
      assert.equal(plain.body.mergedInto, survivor.id);
      const patch = await app.call("PATCH", `/api/v1/patients/${duplicate.id}`, {
        token: reception,
        body: { phone: "0700 123 456" },
      });
      assert.equal(patch.status, 409);
      const del = await app.call("DELETE", `/api/v1/patients/${duplicate.id}`, { token: admin });
      assert.equal(del.status, 409);

      // Search: the duplicate's terms are gone and its MRN now finds the survivor. (Checked on
      // the index table: the search route is built in parallel.)
      const mrnTerm = await db.select().from(patientSearchTerms).where(and(
        eq(patientSearchTerms.orgId, org.id),
        eq(patientSearchTerms.term, `m:${duplicate.mrn}`),
      ));
      assert.deepEqual(mrnTerm.map((r) => r.patientId), [survivor.id]);
      // A merged record is no longer anyone's duplicate candidate.
      const candidates = await app.call("GET", `/api/v1/patients/${survivor.id}/duplicates`, {
        token: reception,
      });
      assert.equal(candidates.body.data.some((c: any) => c.patient.id === duplicate.id), false);

      // Added to the survivor after the merge: must stay with it through the unmerge.
      const later = await addAllergy(survivor.id, "Latex");

      const unmerged = await app.call("POST", `/api/v1/patients/${survivor.id}/unmerge`, {
        token: admin,
        body: { duplicateId: duplicate.id },
      });
      assert.equal(unmerged.status, 200, JSON.stringify(unmerged.body));
      assert.equal(unmerged.body.duplicate.mergedInto, null);
      assert.equal(unmerged.body.unmerge.restored, 3);
      assert.equal((await ownerOf(patientAllergies, allergy.id)).patientId, duplicate.id);
      assert.equal((await ownerOf(patientAllergies, allergy.id)).version, 3);
      assert.equal(
        (await db.select().from(patientHistoryEntries).where(
          eq(patientHistoryEntries.id, history.id),
        ))[0].patientId,
        duplicate.id,
      );
      assert.equal(
        (await db.select().from(patientDocuments).where(
          eq(patientDocuments.id, document.id),
        ))[0].patientId,
        duplicate.id,
      );
      assert.equal((await ownerOf(patientAllergies, survivorsOwn.id)).patientId, survivor.id);
      assert.equal((await ownerOf(patientAllergies, later.id)).patientId, survivor.id);

      const read = await app.call("GET", `/api/v1/patients/${duplicate.id}`, { token: reception });
      assert.equal(read.status, 200);
      assert.equal(read.body.mergedInto, null);
      const [mergeRow] = await db.select().from(patientMerges).where(
        eq(patientMerges.id, merged.body.merge.id),
      );
      assert.ok(mergeRow.unmergedAt);
      assert.equal(mergeRow.unmergedBy, await org.userIdFor("ADMIN"));
      const mrnBack = await db.select().from(patientSearchTerms).where(and(
        eq(patientSearchTerms.orgId, org.id),
        eq(patientSearchTerms.term, `m:${duplicate.mrn}`),
      ));
      assert.deepEqual(mrnBack.map((r) => r.patientId), [duplicate.id]);

      // Both writes are audited, on both records.
      for (const action of ["patient.merge", "patient.unmerge"]) {
        const audit = await app.call("GET", `/api/v1/audit-events?action=${action}`, {
          token: admin,
        });
        assert.equal(audit.status, 200);
        const ids = audit.body.data.map((e: any) => e.patientId).sort();
        assert.deepEqual(ids, [survivor.id, duplicate.id].sort(), action);
      }

      // Nothing left to reverse.
      const again = await app.call("POST", `/api/v1/patients/${survivor.id}/unmerge`, {
        token: admin,
        body: { duplicateId: duplicate.id },
      });
      assert.equal(again.status, 409);
    },
  );

  await t.step("after chained merges an old MRN still finds the final survivor", async () => {
    const [x, d, s] = await Promise.all(
      ["Xavi", "Dede", "Sisi"].map((given, i) =>
        createPatient(app, reception, { givenName: given, familyName: `Chain${i}` })
      ),
    );
    const merge = (survivor: string, duplicate: string, action = "merge") =>
      app.call("POST", `/api/v1/patients/${survivor}/${action}`, {
        token: admin,
        body: { duplicateId: duplicate },
      });
    const foundBy = async (mrn: string) =>
      (await app.call("GET", `/api/v1/patients?q=${mrn}`, { token: reception })).body.data
        .map((p: { id: string }) => p.id);
    assert.equal((await merge(d.id, x.id)).status, 200);
    assert.equal((await merge(s.id, d.id)).status, 200);
    assert.deepEqual(await foundBy(x.mrn), [s.id], "X into D into S: X's MRN finds S");
    assert.deepEqual(await foundBy(d.mrn), [s.id]);
    assert.equal((await merge(s.id, d.id, "unmerge")).status, 200);
    assert.deepEqual(await foundBy(x.mrn), [d.id], "after D leaves S, X's MRN finds D again");
    assert.deepEqual(await foundBy(s.mrn), [s.id]);
  });

  await t.step("merging a record into itself answers 422", async () => {
    const p = await createPatient(app, reception, { givenName: "Solo", familyName: "Kiprop" });
    const res = await app.call("POST", `/api/v1/patients/${p.id}/merge`, {
      token: admin,
      body: { duplicateId: p.id },
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.errors[0].path, "duplicateId");
  });

  await t.step(
    "merging a record already merged, or into a merged record, answers 409",
    async () => {
      const a = await createPatient(app, reception, { givenName: "Asha", familyName: "Wekesa" });
      const b = await createPatient(app, reception, { givenName: "Bahati", familyName: "Chege" });
      const c = await createPatient(app, reception, { givenName: "Chiku", familyName: "Odhiambo" });
      const first = await app.call("POST", `/api/v1/patients/${a.id}/merge`, {
        token: admin,
        body: { duplicateId: b.id },
      });
      assert.equal(first.status, 200);
      const twice = await app.call("POST", `/api/v1/patients/${c.id}/merge`, {
        token: admin,
        body: { duplicateId: b.id },
      });
      assert.equal(twice.status, 409);
      const intoMerged = await app.call("POST", `/api/v1/patients/${b.id}/merge`, {
        token: admin,
        body: { duplicateId: c.id },
      });
      assert.equal(intoMerged.status, 409);
      const [row] = await db.select().from(patients).where(eq(patients.id, b.id));
      assert.equal(row.mergedInto, a.id);
    },
  );

  await t.step("unmerge without a merge answers 409, with an unknown record 404", async () => {
    const a = await createPatient(app, reception, { givenName: "Dalia", familyName: "Koech" });
    const b = await createPatient(app, reception, { givenName: "Eshe", familyName: "Nduta" });
    const none = await app.call("POST", `/api/v1/patients/${a.id}/unmerge`, {
      token: admin,
      body: { duplicateId: b.id },
    });
    assert.equal(none.status, 409);
    const unknown = await app.call("POST", `/api/v1/patients/${a.id}/unmerge`, {
      token: admin,
      body: { duplicateId: crypto.randomUUID() },
    });
    assert.equal(unknown.status, 404);
  });

  await t.step("merge without duplicateId answers 400 naming the field", async () => {
    const a = await createPatient(app, reception, { givenName: "Faraji", familyName: "Mbugua" });
    const res = await app.call("POST", `/api/v1/patients/${a.id}/merge`, {
      token: admin,
      body: { duplicateId: "not-a-uuid" },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].path, "duplicateId");
  });

  await t.step("RECEPTION may not merge or unmerge (403), and nothing changes", async () => {
    const a = await createPatient(app, reception, { givenName: "Gift", familyName: "Rotich" });
    const b = await createPatient(app, reception, { givenName: "Hawa", familyName: "Salim" });
    for (const action of ["merge", "unmerge"]) {
      const res = await app.call("POST", `/api/v1/patients/${a.id}/${action}`, {
        token: reception,
        body: { duplicateId: b.id },
      });
      assert.equal(res.status, 403);
    }
    const [row] = await db.select().from(patients).where(eq(patients.id, b.id));
    assert.equal(row.mergedInto, null);
  });

  await t.step("another organisation's records answer 404 either way round", async () => {
    const mine = await createPatient(app, reception, { givenName: "Imani", familyName: "Kilonzo" });
    const theirs = await createPatient(app, await other.tokenFor("RECEPTION"), {
      givenName: "Jabari",
      familyName: "Maina",
    });
    const asDuplicate = await app.call("POST", `/api/v1/patients/${mine.id}/merge`, {
      token: admin,
      body: { duplicateId: theirs.id },
    });
    assert.equal(asDuplicate.status, 404);
    const asSurvivor = await app.call("POST", `/api/v1/patients/${theirs.id}/merge`, {
      token: admin,
      body: { duplicateId: mine.id },
    });
    assert.equal(asSurvivor.status, 404);
    const [row] = await db.select().from(patients).where(eq(patients.id, theirs.id));
    assert.equal(row.mergedInto, null);
  });

  await t.step("two concurrent merges of one duplicate into two survivors: one wins", async () => {
    const s1 = await createPatient(app, reception, { givenName: "Kito", familyName: "Langat" });
    const s2 = await createPatient(app, reception, { givenName: "Lulu", familyName: "Mumbi" });
    const d = await createPatient(app, reception, { givenName: "Neema", familyName: "Wairimu" });
    const allergy = await addAllergy(d.id, "Sulfa");
    const results = await Promise.all(
      [s1, s2].map((s) =>
        app.call("POST", `/api/v1/patients/${s.id}/merge`, {
          token: admin,
          body: { duplicateId: d.id },
        })
      ),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
    const winner = results.find((r) => r.status === 200)!.body.survivor.id;
    const [row] = await db.select().from(patients).where(eq(patients.id, d.id));
    assert.equal(row.mergedInto, winner);
    assert.equal((await ownerOf(patientAllergies, allergy.id)).patientId, winner);
    const merges = await db.select().from(patientMerges).where(eq(patientMerges.duplicateId, d.id));
    assert.equal(merges.length, 1);
  });

  await app.close();
});
