/**
 * Prescriptions: the safety check answers 409 with its warnings until each kind is acknowledged
 * with a reason, numbers are allocated in the transaction (racing prescriptions get distinct
 * ones), quantities are computed for counted units, expiry follows the clinic's date, and who
 * may write and read them.
 */
import assert from "node:assert/strict";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient, createStaff, login } from "./helpers/factories.ts";

const DAY = 86_400_000;

Deno.test("prescriptions", async (t) => {
  let now = Date.now();
  const clock = { now: () => new Date(now) };
  const app = await createTestApp({ ACCESS_TOKEN_TTL_SECONDS: "3600" }, { clock });
  try {
    const org = await createOrg(app);
    const doctorUser = await createStaff(app, org.admin, "DOCTOR");
    const pharmacist = await createStaff(app, org.admin, "PHARMACY");
    let doctor = (await login(app, doctorUser.email)).accessToken;
    let pharmacy = (await login(app, pharmacist.email)).accessToken;
    const reception = await org.tokenFor("RECEPTION");
    const nurse = await org.tokenFor("NURSE");
    const patient = await createPatient(app, reception, { birthDate: "1975-03-04" });
    const child = await createPatient(app, reception, { birthDate: "2021-06-01" });
    const p = `/api/v1/patients/${patient.id}`;
    assert.equal(
      (await app.call("POST", `${p}/allergies`, {
        token: doctor,
        body: { substance: "Penicillin", category: "drug", severity: "severe" },
      })).status,
      201,
    );
    assert.equal(
      (await app.call("POST", `${p}/medical-history`, {
        token: doctor,
        body: { kind: "medication", name: "Warfarin", dosage: "5 mg once daily" },
      })).status,
      201,
    );
    const openVisit = async (patientId: string) => {
      const v = await app.call("POST", "/api/v1/encounters", {
        token: reception,
        body: { patientId, facilityId: org.facilityId },
      });
      assert.equal(v.status, 201, JSON.stringify(v.body));
      return v.body.id as string;
    };
    const visit = await openVisit(patient.id);
    const amoxicillin = {
      medication: "Amoxil 500 mg capsules",
      genericName: "amoxicillin",
      dose: 1,
      unit: "capsule",
      route: "oral",
      frequency: { timesPerDay: 3 },
      durationDays: 5,
      instructions: "After meals",
    };
    const prescribe = (body: Record<string, unknown>, token = doctor) =>
      app.call("POST", "/api/v1/prescriptions", { token, body: { encounterId: visit, ...body } });
    const month = new Date(now + 3 * 3_600_000).toISOString().slice(0, 7).replace("-", "");

    await t.step("an allergy warning answers 409 with the warnings", async () => {
      const res = await prescribe({ items: [amoxicillin] });
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(res.body.type, "https://clinic-api.dev/problems/prescription-warnings");
      assert.deepEqual(res.body.warnings.map((w: any) => w.kind), ["allergy"]);
      assert.match(res.body.warnings[0].detail, /penicillin/i);
      assert.ok(["high", "critical"].includes(res.body.warnings[0].severity));
    });

    let first: any;
    await t.step("acknowledged with a reason, it is written, numbered and kept", async () => {
      const res = await prescribe({
        items: [amoxicillin],
        acknowledgeWarnings: [{
          kind: "allergy",
          reason: "Rash only in childhood; tolerated since",
        }],
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      first = res.body;
      assert.match(first.number, new RegExp(`^RX-${month}-0001$`));
      assert.equal(first.status, "active");
      assert.equal(first.items[0].quantity, 15, "1 capsule × 3 a day × 5 days");
      assert.equal(first.acknowledgements[0].kind, "allergy");
      assert.match(first.acknowledgements[0].reason, /tolerated/);
      assert.equal(first.acknowledgements[0].warnings.length, 1);
      const issued = Date.parse(`${first.issuedOn}T00:00:00Z`);
      assert.equal(Date.parse(`${first.validUntil}T00:00:00Z`) - issued, 30 * DAY, "30 days");
      await app.deps.audit.flush();
      const [[n]] = await app.deps.db.readRows(
        "SELECT count(*) FROM audit_events WHERE action = 'prescription.acknowledge-warnings' AND entity_id = ?",
        [first.id],
      ) as [[number]];
      assert.equal(n, 1);
    });

    await t.step(
      "an interaction with a current medication, and duplicates with the last one",
      async () => {
        const res = await prescribe({
          items: [{
            medication: "Ibuprofen 400 mg",
            genericName: "ibuprofen",
            dose: 400,
            unit: "mg",
            route: "oral",
            frequency: { timesPerDay: 3 },
            durationDays: 5,
            quantity: 15,
          }, amoxicillin],
          acknowledgeWarnings: [{ kind: "allergy", reason: "As before" }],
        });
        assert.equal(res.status, 409);
        const kinds = res.body.warnings.map((w: any) => [w.kind, w.acknowledged]);
        assert.ok(kinds.some(([k]: [string]) => k === "interaction"), JSON.stringify(kinds));
        assert.ok(kinds.some(([k]: [string]) => k === "duplicate_therapy"), JSON.stringify(kinds));
        assert.ok(kinds.some(([k, ack]: [string, boolean]) => k === "allergy" && ack));
      },
    );

    await t.step("quantity: computed for counted units, required for others (422)", async () => {
      const res = await prescribe({
        items: [{
          medication: "Paracetamol suspension 120 mg/5 mL",
          genericName: "paracetamol",
          dose: 500,
          unit: "mg",
          route: "oral",
          frequency: { everyHours: 6 },
          durationDays: 3,
        }],
      });
      assert.equal(res.status, 422);
      assert.equal(res.body.errors[0].path, "items.0.quantity");
      const junk = await prescribe({ items: [{ ...amoxicillin, route: "by mouth" }] });
      assert.equal(junk.status, 400);
      assert.equal(junk.body.errors[0].path, "items.0.route");
    });

    await t.step("practice-system fields follow the organisation's systems", async () => {
      const homeopathic = {
        medication: "Arnica montana 30C pillules",
        genericName: "arnica montana",
        dose: 4,
        unit: "tablet",
        route: "sublingual",
        frequency: { timesPerDay: 3 },
        durationDays: 3,
        practice: { homeopathic: { potency: "30C", repetition: "three times a day" } },
      };
      const notPractised = await prescribe({ items: [homeopathic] });
      assert.equal(notPractised.status, 422, JSON.stringify(notPractised.body));
      assert.equal(notPractised.body.errors[0].path, "items.0.practice.homeopathic");
      const org2 = await app.call("PATCH", "/api/v1/organizations/current", {
        token: org.admin,
        body: { practiceSystems: ["allopathic", "ayurvedic", "homeopathic"] },
      });
      assert.equal(org2.status, 200, JSON.stringify(org2.body));
      const badPotency = await prescribe({
        items: [{ ...homeopathic, practice: { homeopathic: { potency: "31Q" } } }],
      });
      assert.equal(badPotency.status, 422);
      assert.equal(badPotency.body.errors[0].path, "items.0.practice.homeopathic.potency");
      const ok = await prescribe({ items: [homeopathic] });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      assert.deepEqual(ok.body.items[0].practice, {
        homeopathic: { potency: "30C", repetition: "three times a day" },
      });
      const note = await app.call("POST", `/api/v1/encounters/${visit}/notes`, {
        token: doctor,
        body: {
          reasonForVisit: "Joint pain",
          practice: {
            ayurvedic: {
              doshaAssessment: { vata: "aggravated", kapha: "balanced" },
              agni: "manda",
            },
          },
        },
      });
      assert.equal(note.status, 201, JSON.stringify(note.body));
      assert.equal(note.body.practice.ayurvedic.doshaAssessment.vata, "aggravated");
      const bad = await app.call("POST", `/api/v1/encounters/${visit}/notes`, {
        token: doctor,
        body: { practice: { ayurvedic: { doshaAssessment: { vata: "angry" } } } },
      });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.errors[0].path, "practice.ayurvedic.doshaAssessment.vata");
      // The draft would keep the visit open for the steps below; sign it.
      await app.call("POST", `/api/v1/notes/${note.body.id}/sign`, { token: doctor });
    });

    await t.step("a child's dose needs a weight on the visit", async () => {
      const childVisit = await openVisit(child.id);
      const paracetamol = {
        medication: "Paracetamol 120 mg/5 mL",
        genericName: "paracetamol",
        dose: 120,
        unit: "mg",
        route: "oral",
        frequency: { timesPerDay: 4 },
        durationDays: 3,
        quantity: 100,
      };
      const res = await app.call("POST", "/api/v1/prescriptions", {
        token: doctor,
        body: { encounterId: childVisit, items: [paracetamol] },
      });
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.deepEqual(res.body.warnings.map((w: any) => w.kind), ["dose"]);
      await app.call("POST", `/api/v1/encounters/${childVisit}/vitals`, {
        token: nurse,
        body: { observations: [{ code: "weight", value: 16, unit: "kg" }] },
      });
      const weighed = await app.call("POST", "/api/v1/prescriptions", {
        token: doctor,
        body: { encounterId: childVisit, items: [paracetamol] },
      });
      assert.equal(weighed.status, 201, JSON.stringify(weighed.body));
    });

    await t.step("racing prescriptions get distinct numbers", async () => {
      const other = await createPatient(app, reception);
      const otherVisit = await openVisit(other.id);
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          app.call("POST", "/api/v1/prescriptions", {
            token: doctor,
            body: {
              encounterId: otherVisit,
              items: [{
                ...amoxicillin,
                genericName: "metformin",
                medication: "Metformin 500 mg",
                unit: "tablet",
              }],
              // Each sees the others as active prescriptions of the same drug.
              acknowledgeWarnings: [{ kind: "duplicate_therapy", reason: "Numbering test" }],
            },
          })),
      );
      assert.deepEqual(results.map((r) => r.status), Array(10).fill(201));
      const numbers = results.map((r) => r.body.number);
      assert.equal(new Set(numbers).size, 10, numbers.join(" "));
    });

    await t.step(
      "who: the pharmacy and nurses read; only doctors write; reception neither",
      async () => {
        assert.equal(
          (await app.call("GET", `/api/v1/prescriptions/${first.id}`, { token: pharmacy })).status,
          200,
        );
        assert.equal(
          (await app.call("GET", `/api/v1/prescriptions/${first.id}`, { token: nurse })).status,
          200,
        );
        assert.equal(
          (await app.call("GET", `/api/v1/prescriptions/${first.id}`, { token: reception })).status,
          403,
        );
        assert.equal((await prescribe({ items: [amoxicillin] }, pharmacy)).status, 403);
        const list = await app.call("GET", `${p}/prescriptions?live=true`, { token: pharmacy });
        const summary = await app.call("GET", `${p}/summary`, { token: doctor });
        assert.equal(summary.status, 200);
        assert.ok(
          summary.body.sections.activePrescriptions.some((x: any) => x.id === first.id),
          JSON.stringify(Object.keys(summary.body.sections ?? {})),
        );
        assert.ok(Array.isArray(summary.body.sections.latestVitals));
        assert.ok(summary.body.sections.lastEncounters.length >= 1);
        const ids = list.body.data.map((x: any) => x.id);
        assert.equal(ids.length, 2, "the amoxicillin and the arnica prescriptions");
        assert.equal(ids[1], first.id, "newest first");
      },
    );

    await t.step(
      "the printable prescription carries the number, the patient and the items",
      async () => {
        const res = await app.app.request(`/api/v1/prescriptions/${first.id}/pdf`, {
          headers: { authorization: `Bearer ${pharmacy}` },
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/pdf");
        const bytes = new Uint8Array(await res.arrayBuffer());
        const task = getDocument({ data: bytes.slice() });
        const pdf = await task.promise;
        const page = await pdf.getPage(1);
        const text = (await page.getTextContent()).items.map((i: any) => i.str).join(" ");
        await task.destroy();
        for (const expected of [first.number, patient.mrn, "Amoxil 500 mg capsules", "by mouth"]) {
          assert.ok(text.includes(expected), `${expected} in the PDF: ${text.slice(0, 400)}`);
        }
        assert.match(text, /3 times a day/);
        const negotiated = await app.app.request(`/api/v1/prescriptions/${first.id}`, {
          headers: { authorization: `Bearer ${pharmacy}`, accept: "application/pdf" },
        });
        assert.equal(negotiated.headers.get("content-type"), "application/pdf");
        await negotiated.body?.cancel();
        const byReception = await app.app.request(`/api/v1/prescriptions/${first.id}/pdf`, {
          headers: { authorization: `Bearer ${reception}` },
        });
        assert.equal(byReception.status, 403);
        await byReception.body?.cancel();
      },
    );

    await t.step("expiry follows the clinic's date; cancelling is for active ones", async () => {
      const res = await prescribe({
        items: [{ ...amoxicillin, genericName: "omeprazole", medication: "Omeprazole 20 mg" }],
        validUntil: new Date(now + 3 * 3_600_000).toISOString().slice(0, 10),
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      now += 3 * DAY;
      doctor = (await login(app, doctorUser.email)).accessToken;
      pharmacy = (await login(app, pharmacist.email)).accessToken;
      const read = await app.call("GET", `/api/v1/prescriptions/${res.body.id}`, {
        token: pharmacy,
      });
      assert.equal(read.body.status, "expired");
      const cancelled = await app.call("POST", `/api/v1/prescriptions/${first.id}/cancel`, {
        token: doctor,
        body: { reason: "Changed to another antibiotic" },
      });
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
      assert.equal(cancelled.body.status, "cancelled");
      const again = await app.call("POST", `/api/v1/prescriptions/${first.id}/cancel`, {
        token: doctor,
        body: { reason: "Twice" },
      });
      assert.equal(again.status, 409);
    });

    await t.step("a closed visit takes no prescription; an unknown one is a 422", async () => {
      const unknown = await app.call("POST", "/api/v1/prescriptions", {
        token: doctor,
        body: { encounterId: crypto.randomUUID(), items: [amoxicillin] },
      });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.body.errors[0].path, "encounterId");
      await app.call("POST", `/api/v1/encounters/${visit}/cancel`, {
        token: reception,
        body: { reason: "Done" },
      });
      const late = await app.call("POST", "/api/v1/prescriptions", {
        token: doctor,
        body: { encounterId: visit, items: [amoxicillin] },
      });
      assert.equal(late.status, 409);
    });
  } finally {
    await app.close();
  }
});
