/**
 * Consultation and prescription templates: a doctor's own or the organisation's, each doctor
 * seeing the shared ones and their own only; content checked as the write routes check it;
 * If-Match on changes; applying one fills a draft (kept fields unless overwrite), and editing
 * the template later changes no note made from it.
 */
import assert from "node:assert/strict";
import { clinicalModule } from "../src/modules/clinical/mod.ts";
import { MODULES } from "../src/modules/index.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient, createStaff, login } from "./helpers/factories.ts";

const T = "/api/v1/clinical-templates";

const URTI = {
  kind: "note",
  name: "URTI adult",
  content: {
    reasonForVisit: "Sore throat and runny nose",
    symptoms: ["sore throat", "rhinorrhoea"],
    examination: "Pharynx injected, no exudate; chest clear",
    assessment: "Viral upper respiratory tract infection",
    plan: "Paracetamol, fluids, return if fever beyond 3 days",
    diagnoses: [{ code: "j06.9", rank: "primary", certainty: "confirmed" }],
  },
};

const MALARIA = {
  kind: "prescription",
  name: "Malaria uncomplicated (AL)",
  shared: true,
  content: {
    items: [{
      medication: "Coartem 20/120 mg tablets",
      genericName: "artemether/lumefantrine",
      dose: 4,
      unit: "tablet",
      route: "oral",
      frequency: { timesPerDay: 2 },
      durationDays: 3,
      instructions: "With fatty food or milk",
      practice: { allopathic: { strength: "20/120 mg", form: "tablet" } },
    }],
  },
};

Deno.test("consultation and prescription templates", async (t) => {
  const app = await createTestApp();
  try {
    const org = await createOrg(app);
    const doctor = await org.tokenFor("DOCTOR");
    const doctorId = await org.userIdFor("DOCTOR");
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
    const names = (res: { body: any }) => res.body.data.map((x: any) => x.name).sort();
    let own: any, shared: any, malaria: any, theirs: any;

    await t.step("a doctor saves their own template by default", async () => {
      const res = await app.call("POST", T, { token: doctor, body: URTI });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      own = res.body;
      assert.equal(own.shared, false);
      assert.equal(own.ownerId, doctorId);
      assert.equal(own.active, true);
      assert.equal(res.headers.get("etag"), '"1"');
      assert.equal(res.headers.get("location"), `${T}/${own.id}`);
      assert.equal(own.content.diagnoses[0].code, "J06.9");
      assert.match(own.content.diagnoses[0].title, /upper respiratory/i);
    });

    await t.step("shared: true makes it the organisation's", async () => {
      const res = await app.call("POST", T, {
        token: doctor,
        body: {
          kind: "note",
          name: "Hypertension review",
          shared: true,
          content: {
            reasonForVisit: "Blood pressure review",
            plan: "Continue amlodipine; check BP, creatinine and potassium",
            diagnoses: [{ code: "I10", rank: "primary", certainty: "confirmed" }],
          },
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      shared = res.body;
      assert.equal(shared.shared, true);
      assert.equal(shared.ownerId, null);
      const rx = await app.call("POST", T, { token: doctor, body: MALARIA });
      assert.equal(rx.status, 201, JSON.stringify(rx.body));
      malaria = rx.body;
      assert.equal(malaria.content.items[0].genericName, "artemether/lumefantrine");
      const mine = await app.call("POST", T, {
        token: other,
        body: { kind: "note", name: "My asthma review", content: { plan: "Check inhaler use" } },
      });
      assert.equal(mine.status, 201, JSON.stringify(mine.body));
      theirs = mine.body;
    });

    await t.step("each doctor lists the shared ones and their own, never another's", async () => {
      const mine = await app.call("GET", T, { token: doctor });
      assert.equal(mine.status, 200, JSON.stringify(mine.body));
      assert.deepEqual(names(mine), [
        "Hypertension review",
        "Malaria uncomplicated (AL)",
        "URTI adult",
      ]);
      const others = await app.call("GET", T, { token: other });
      assert.deepEqual(names(others), [
        "Hypertension review",
        "Malaria uncomplicated (AL)",
        "My asthma review",
      ]);
      const rx = await app.call("GET", `${T}?kind=prescription`, { token: doctor });
      assert.deepEqual(names(rx), ["Malaria uncomplicated (AL)"]);
      const q = await app.call("GET", `${T}?q=URTI%20ADU`, { token: doctor });
      assert.deepEqual(names(q), ["URTI adult"]);
      const paged = await app.call("GET", `${T}?limit=2`, { token: doctor });
      assert.equal(paged.body.data.length, 2);
      const rest = await app.call("GET", `${T}?limit=2&cursor=${paged.body.nextCursor}`, {
        token: doctor,
      });
      assert.deepEqual(rest.body.data.map((x: any) => x.name), ["URTI adult"]);
      assert.equal(rest.body.nextCursor, null);
    });

    await t.step("another doctor's own template answers 404, as if it did not exist", async () => {
      assert.equal((await app.call("GET", `${T}/${theirs.id}`, { token: doctor })).status, 404);
      const patch = await app.call("PATCH", `${T}/${theirs.id}`, {
        token: doctor,
        body: { name: "Mine now" },
      });
      assert.equal(patch.status, 404);
      assert.equal(
        (await app.call("DELETE", `${T}/${theirs.id}`, { token: doctor })).status,
        404,
      );
      const read = await app.call("GET", `${T}/${theirs.id}`, { token: other });
      assert.equal(read.body.name, "My asthma review");
    });

    await t.step("a nurse reads templates but cannot write them; reception neither", async () => {
      assert.deepEqual(names(await app.call("GET", T, { token: nurse })), [
        "Hypertension review",
        "Malaria uncomplicated (AL)",
      ]);
      const read = await app.call("GET", `${T}/${malaria.id}`, { token: nurse });
      assert.equal(read.status, 200);
      assert.equal(read.body.content.items[0].dose, 4);
      assert.equal((await app.call("POST", T, { token: nurse, body: URTI })).status, 403);
      assert.equal(
        (await app.call("PATCH", `${T}/${shared.id}`, { token: nurse, body: { name: "x" } }))
          .status,
        403,
      );
      assert.equal((await app.call("DELETE", `${T}/${shared.id}`, { token: nurse })).status, 403);
      assert.equal((await app.call("GET", T, { token: reception })).status, 403);
      assert.equal((await app.call("GET", T, { token: org.admin })).status, 403);
    });

    await t.step("PATCH takes If-Match: a stale version answers 412", async () => {
      const res = await app.call("PATCH", `${T}/${own.id}`, {
        token: doctor,
        headers: { "if-match": '"1"' },
        body: { name: "URTI adult (viral)" },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.version, 2);
      assert.equal(res.headers.get("etag"), '"2"');
      const stale = await app.call("PATCH", `${T}/${own.id}`, {
        token: doctor,
        headers: { "if-match": '"1"' },
        body: { name: "URTI adult" },
      });
      assert.equal(stale.status, 412);
      assert.equal(stale.headers.get("etag"), '"2"');
      // A shared one is changed by any holder of templates:share, not only its author.
      const byOther = await app.call("PATCH", `${T}/${shared.id}`, {
        token: other,
        headers: { "if-match": '"1"' },
        body: { name: "Hypertension follow-up" },
      });
      assert.equal(byOther.status, 200, JSON.stringify(byOther.body));
    });

    await t.step("content is checked as the write routes check it", async () => {
      const badCode = await app.call("POST", T, {
        token: doctor,
        body: {
          kind: "note",
          name: "Bad",
          content: { diagnoses: [{ code: "J09-J18" }, { code: "J18.9" }] },
        },
      });
      assert.equal(badCode.status, 422, JSON.stringify(badCode.body));
      assert.deepEqual(badCode.body.errors.map((e: any) => e.path), ["content.diagnoses.0.code"]);
      const badRoute = await app.call("POST", T, {
        token: doctor,
        body: {
          ...MALARIA,
          shared: false,
          content: { items: [{ ...MALARIA.content.items[0], route: "by mouth" }] },
        },
      });
      assert.equal(badRoute.status, 400, JSON.stringify(badRoute.body));
      assert.deepEqual(badRoute.body.errors.map((e: any) => e.path), ["content.items.0.route"]);
      const patchRoute = await app.call("PATCH", `${T}/${malaria.id}`, {
        token: doctor,
        body: { content: { items: [{ ...MALARIA.content.items[0], route: "by mouth" }] } },
      });
      assert.equal(patchRoute.status, 400, JSON.stringify(patchRoute.body));
      assert.deepEqual(patchRoute.body.errors.map((e: any) => e.path), ["content.items.0.route"]);
      const patchCode = await app.call("PATCH", `${T}/${own.id}`, {
        token: doctor,
        body: { content: { diagnoses: [{ code: "Q99.99" }] } },
      });
      assert.equal(patchCode.status, 422, JSON.stringify(patchCode.body));
      assert.deepEqual(patchCode.body.errors.map((e: any) => e.path), ["content.diagnoses.0.code"]);
      const dated = await app.call("POST", T, {
        token: doctor,
        body: { kind: "note", name: "Dated", content: { followUpDate: "2030-01-10" } },
      });
      assert.equal(dated.status, 422);
      assert.deepEqual(dated.body.errors.map((e: any) => e.path), ["content.followUpDate"]);
      const ayurvedic = await app.call("POST", T, {
        token: doctor,
        body: {
          kind: "note",
          name: "Vata",
          content: { practice: { ayurvedic: { prakriti: "vata" } } },
        },
      });
      assert.equal(ayurvedic.status, 422, "the organisation practises allopathic medicine only");
      assert.deepEqual(ayurvedic.body.errors.map((e: any) => e.path), [
        "content.practice.ayurvedic",
      ]);
      const noKind = await app.call("POST", T, {
        token: doctor,
        body: { kind: "letter", name: "x", content: {} },
      });
      assert.equal(noKind.status, 400);
      assert.equal((await app.call("GET", `${T}/${own.id}`, { token: doctor })).body.version, 2);
    });

    let note: any;
    await t.step("applying fills the draft, keeping what it already has", async () => {
      const draft = await app.call("POST", `/api/v1/encounters/${visit.id}/notes`, {
        token: doctor,
        body: { plan: "Own plan: salt gargles", symptoms: [] },
      });
      assert.equal(draft.status, 201, JSON.stringify(draft.body));
      const res = await app.call("POST", `/api/v1/notes/${draft.body.id}/apply-template`, {
        token: doctor,
        body: { templateId: own.id },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      note = res.body;
      assert.equal(res.headers.get("etag"), `"${note.version}"`);
      assert.equal(note.templateId, own.id);
      assert.equal(note.reasonForVisit, URTI.content.reasonForVisit);
      assert.deepEqual(note.symptoms, URTI.content.symptoms);
      assert.equal(note.examination, URTI.content.examination);
      assert.deepEqual(note.diagnoses.map((d: any) => d.code), ["J06.9"]);
      assert.equal(note.plan, "Own plan: salt gargles", "a field the draft has is kept");
      assert.equal(note.status, "draft");
    });

    await t.step("overwrite: true replaces the draft's fields with the template's", async () => {
      const res = await app.call("POST", `/api/v1/notes/${note.id}/apply-template`, {
        token: doctor,
        body: { templateId: shared.id, overwrite: true },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      note = res.body;
      assert.equal(note.templateId, shared.id);
      assert.equal(note.reasonForVisit, "Blood pressure review");
      assert.match(note.plan, /amlodipine/);
      assert.deepEqual(note.diagnoses.map((d: any) => d.code), ["I10"]);
      assert.equal(note.examination, URTI.content.examination, "not in the template: kept");
    });

    await t.step("only a note template the caller may use is applied (422)", async () => {
      const apply = (templateId: string, token = doctor) =>
        app.call("POST", `/api/v1/notes/${note.id}/apply-template`, {
          token,
          body: { templateId },
        });
      for (const id of [malaria.id, theirs.id, crypto.randomUUID()]) {
        const res = await apply(id);
        assert.equal(res.status, 422, JSON.stringify(res.body));
        assert.equal(res.body.errors[0].path, "templateId");
      }
      const byOther = await apply(shared.id, other);
      assert.equal(byOther.status, 403, "another doctor's draft");
      assert.equal((await apply(shared.id, nurse)).status, 403);
    });

    await t.step("editing the template afterwards changes no note made from it", async () => {
      const current = await app.call("GET", `${T}/${shared.id}`, { token: doctor });
      const res = await app.call("PATCH", `${T}/${shared.id}`, {
        token: doctor,
        headers: { "if-match": current.headers.get("etag")! },
        body: {
          content: {
            reasonForVisit: "Changed reason",
            plan: "Changed plan",
            diagnoses: [{ code: "I11.9", rank: "primary" }],
          },
        },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const read = await app.call("GET", `/api/v1/notes/${note.id}`, { token: doctor });
      assert.equal(read.body.reasonForVisit, "Blood pressure review");
      assert.match(read.body.plan, /amlodipine/);
      assert.deepEqual(read.body.diagnoses.map((d: any) => d.code), ["I10"]);
      assert.equal(read.body.version, note.version);
    });

    await t.step("a signed note is not filled from a template (409)", async () => {
      const signed = await app.call("POST", `/api/v1/notes/${note.id}/sign`, { token: doctor });
      assert.equal(signed.status, 200, JSON.stringify(signed.body));
      const res = await app.call("POST", `/api/v1/notes/${note.id}/apply-template`, {
        token: doctor,
        body: { templateId: own.id },
      });
      assert.equal(res.status, 409);
    });

    await t.step("DELETE deactivates: out of the list, kept on record, not applied", async () => {
      const res = await app.call("DELETE", `${T}/${own.id}`, {
        token: doctor,
        headers: { "if-match": '"2"' },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.active, false);
      assert.ok(!names(await app.call("GET", T, { token: doctor })).includes("URTI adult (viral)"));
      const all = await app.call("GET", `${T}?include=inactive`, { token: doctor });
      assert.ok(names(all).includes("URTI adult (viral)"));
      const draft = await app.call("POST", `/api/v1/encounters/${visit.id}/notes`, {
        token: doctor,
        body: {},
      });
      const apply = await app.call("POST", `/api/v1/notes/${draft.body.id}/apply-template`, {
        token: doctor,
        body: { templateId: own.id },
      });
      assert.equal(apply.status, 422);
      const back = await app.call("PATCH", `${T}/${own.id}`, {
        token: doctor,
        body: { active: true },
      });
      assert.equal(back.body.active, true);
    });

    await t.step("every write is audited; reads of templates are not", async () => {
      await app.deps.audit.flush();
      const rows = await app.deps.db.readRows(
        "SELECT action, entity_id, patient_id FROM audit_events " +
          "WHERE action LIKE 'clinical-template.%' OR action = 'clinical-note.apply-template'",
        [],
      );
      const actions = new Set(rows.map((r) => r[0]));
      for (
        const a of [
          "clinical-template.create",
          "clinical-template.update",
          "clinical-template.deactivate",
          "clinical-note.apply-template",
        ]
      ) {
        assert.ok(actions.has(a), `${a} in ${[...actions].join(", ")}`);
      }
      assert.ok(!actions.has("clinical-template.read"));
      const applied = rows.filter((r) => r[0] === "clinical-note.apply-template");
      assert.deepEqual(applied.map((r) => [r[1], r[2]]), [
        [note.id, patient.id],
        [note.id, patient.id],
      ], "on the note, in the patient's record: the two that were applied");
    });
  } finally {
    await app.close();
  }
});

Deno.test("organisation-wide templates need templates:share", async () => {
  // A clinic that keeps shared templates to its administrators' choice of role: here, no doctor.
  const modules = MODULES.map((m) =>
    m === clinicalModule
      ? { ...m, permissions: { ...m.permissions, "templates:share": ["ADMIN" as const] } }
      : m
  );
  const app = await createTestApp({}, { modules });
  try {
    const org = await createOrg(app);
    const doctor = await org.tokenFor("DOCTOR");
    const res = await app.call("POST", T, { token: doctor, body: { ...URTI, shared: true } });
    assert.equal(res.status, 403);
    const own = await app.call("POST", T, { token: doctor, body: URTI });
    assert.equal(own.status, 201, "their own needs templates:write only");
    // A shared one from before (a row written under the earlier grant) is read, not changed.
    await app.deps.db.executeScript([
      `UPDATE clinical_templates SET owner_id = NULL WHERE id = '${own.body.id}'`,
    ]);
    assert.equal((await app.call("GET", `${T}/${own.body.id}`, { token: doctor })).status, 200);
    const patch = await app.call("PATCH", `${T}/${own.body.id}`, {
      token: doctor,
      body: { name: "Mine" },
    });
    assert.equal(patch.status, 403);
  } finally {
    await app.close();
  }
});
