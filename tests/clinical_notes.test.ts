/**
 * Consultation notes: a draft only its author edits, signing locks it, amendments keep every
 * version, ICD-10 diagnoses (only categories and subcategories), confirmed ones join the problem
 * list, and a visit with an unsigned note cannot close.
 */
import assert from "node:assert/strict";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient, createStaff, login } from "./helpers/factories.ts";

Deno.test("consultation notes", async (t) => {
  const app = await createTestApp();
  try {
    const org = await createOrg(app);
    const doctor = await org.tokenFor("DOCTOR");
    const other = (await login(app, (await createStaff(app, org.admin, "DOCTOR")).email))
      .accessToken;
    const nurse = await org.tokenFor("NURSE");
    const reception = await org.tokenFor("RECEPTION");
    const patient = await createPatient(app, reception);
    const visit = (await app.call("POST", "/api/v1/encounters", {
      token: reception,
      body: { patientId: patient.id, facilityId: org.facilityId },
    })).body;
    await app.call("POST", `/api/v1/encounters/${visit.id}/start`, { token: doctor });
    let note: any;

    await t.step(
      "a doctor starts a draft with diagnoses; titles come from the code list",
      async () => {
        const res = await app.call("POST", `/api/v1/encounters/${visit.id}/notes`, {
          token: doctor,
          body: {
            reasonForVisit: "Fever and cough for 3 days",
            history: "Productive cough, night sweats",
            symptoms: ["fever", "cough"],
            examination: "Crackles right base",
            assessment: "Community-acquired pneumonia",
            plan: "Amoxicillin, review in 3 days",
            followUpDate: "2030-01-10",
            diagnoses: [
              { code: "j18.9", rank: "primary", certainty: "confirmed" },
              { code: "R50.9", certainty: "provisional" },
            ],
          },
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        note = res.body;
        assert.equal(note.status, "draft");
        assert.equal(note.diagnoses[0].code, "J18.9");
        assert.match(note.diagnoses[0].title, /pneumonia/i);
        assert.equal(note.diagnoses[1].rank, "secondary");
      },
    );

    await t.step(
      "chapters, blocks and unknown codes are not diagnoses (422 naming them)",
      async () => {
        const res = await app.call("POST", `/api/v1/encounters/${visit.id}/notes`, {
          token: doctor,
          body: { diagnoses: [{ code: "J09-J18" }, { code: "J18.9" }, { code: "Q99.99" }] },
        });
        assert.equal(res.status, 422, JSON.stringify(res.body));
        assert.deepEqual(res.body.errors.map((e: any) => e.path), [
          "diagnoses.0.code",
          "diagnoses.2.code",
        ]);
      },
    );

    await t.step("only the author edits the draft; nurses read, reception does not", async () => {
      const byOther = await app.call("PATCH", `/api/v1/notes/${note.id}`, {
        token: other,
        body: { plan: "Something else" },
      });
      assert.equal(byOther.status, 403);
      const byNurse = await app.call("PATCH", `/api/v1/notes/${note.id}`, {
        token: nurse,
        body: { plan: "x" },
      });
      assert.equal(byNurse.status, 403);
      const edited = await app.call("PATCH", `/api/v1/notes/${note.id}`, {
        token: doctor,
        headers: { "if-match": '"1"' },
        body: { plan: "Amoxicillin 500 mg three times daily, review in 3 days" },
      });
      assert.equal(edited.status, 200, JSON.stringify(edited.body));
      assert.equal(edited.body.version, 2);
      assert.equal(
        (await app.call("GET", `/api/v1/notes/${note.id}`, { token: nurse })).status,
        200,
      );
      assert.equal(
        (await app.call("GET", `/api/v1/notes/${note.id}`, { token: reception })).status,
        403,
      );
    });

    await t.step("an unsigned note keeps the visit open", async () => {
      const res = await app.call("POST", `/api/v1/encounters/${visit.id}/close`, { token: doctor });
      assert.equal(res.status, 409);
      assert.deepEqual(res.body.open, [`consultation note ${note.id} is unsigned`]);
    });

    await t.step(
      "signing locks it and feeds the problem list with confirmed diagnoses",
      async () => {
        assert.equal(
          (await app.call("POST", `/api/v1/notes/${note.id}/sign`, { token: other })).status,
          403,
        );
        const signed = await app.call("POST", `/api/v1/notes/${note.id}/sign`, { token: doctor });
        assert.equal(signed.status, 200, JSON.stringify(signed.body));
        assert.equal(signed.body.status, "signed");
        const edit = await app.call("PATCH", `/api/v1/notes/${note.id}`, {
          token: doctor,
          body: { plan: "x" },
        });
        assert.equal(edit.status, 409);
        const history = await app.call(
          "GET",
          `/api/v1/patients/${patient.id}/medical-history?kind=condition`,
          { token: doctor },
        );
        assert.deepEqual(history.body.data.map((h: any) => [h.code, h.status]), [[
          "J18.9",
          "active",
        ]]);
      },
    );

    await t.step(
      "an amendment is a new version with a reason; every version stays readable",
      async () => {
        const noReason = await app.call("POST", `/api/v1/notes/${note.id}/amend`, {
          token: doctor,
          body: { plan: "x" },
        });
        assert.equal(noReason.status, 400);
        const amended = await app.call("POST", `/api/v1/notes/${note.id}/amend`, {
          token: doctor,
          body: {
            reason: "Chest X-ray result",
            diagnoses: [{ code: "J18.9", rank: "primary", certainty: "confirmed" }, {
              code: "J90",
              certainty: "confirmed",
            }],
          },
        });
        assert.equal(amended.status, 200, JSON.stringify(amended.body));
        assert.equal(amended.body.status, "amended");
        assert.equal(amended.body.amendmentReason, "Chest X-ray result");
        const versions = await app.call("GET", `/api/v1/notes/${note.id}/versions`, {
          token: nurse,
        });
        assert.equal(versions.status, 200);
        assert.deepEqual(versions.body.data.map((v: any) => v.note.status), [
          "draft",
          "draft",
          "signed",
          "amended",
        ]);
        assert.match(versions.body.data[1].note.plan, /three times daily/);
        const history = await app.call(
          "GET",
          `/api/v1/patients/${patient.id}/medical-history?kind=condition`,
          { token: doctor },
        );
        assert.deepEqual(history.body.data.map((h: any) => h.code).sort(), ["J18.9", "J90"]);
      },
    );

    await t.step("the visit closes once every note is signed; then no new notes", async () => {
      const closed = await app.call("POST", `/api/v1/encounters/${visit.id}/close`, {
        token: doctor,
      });
      assert.equal(closed.status, 200, JSON.stringify(closed.body));
      const late = await app.call("POST", `/api/v1/encounters/${visit.id}/notes`, {
        token: doctor,
        body: { plan: "late" },
      });
      assert.equal(late.status, 409);
      const amendAfter = await app.call("POST", `/api/v1/notes/${note.id}/amend`, {
        token: other,
        body: { reason: "Typo in the plan", plan: "Amoxicillin 500 mg three times daily" },
      });
      assert.equal(amendAfter.status, 200, "late corrections are what amendments are for");
    });

    await t.step("reads of notes are audited per patient", async () => {
      await app.deps.audit.flush();
      const rows = await app.deps.db.readRows(
        "SELECT DISTINCT action FROM audit_events WHERE patient_id = ? AND entity_type = 'clinical-note'",
        [patient.id],
      );
      const actions = new Set(rows.map((r) => r[0]));
      for (
        const a of [
          "clinical-note.create",
          "clinical-note.read",
          "clinical-note.sign",
          "clinical-note.amend",
          "clinical-note.versions",
        ]
      ) {
        assert.ok(actions.has(a), `${a} in ${[...actions].join(", ")}`);
      }
    });
  } finally {
    await app.close();
  }
});
