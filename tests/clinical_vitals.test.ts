/**
 * Vital signs: units converted and rounded, impossible values refused naming the observation,
 * flags by NEWS2 for adults and APLS ranges for children, BMI derived, charts over time, and
 * who may record and read them.
 */
import assert from "node:assert/strict";
import { flagOf, normalise } from "../src/modules/clinical/vital-rules.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";

Deno.test("vital rules: conversions, precision and the flags' bands", async (t) => {
  await t.step("UCUM units convert to the stored unit and round to the instrument", () => {
    assert.deepEqual(normalise("temperature", 101.3, "[degF]"), { value: 38.5, unit: "Cel" });
    assert.deepEqual(normalise("weight", 154, "[lb_av]"), { value: 69.85, unit: "kg" });
    assert.deepEqual(normalise("height", 70, "[in_i]"), { value: 177.8, unit: "cm" });
    assert.deepEqual(normalise("glucose", 90, "mg/dL"), { value: 5, unit: "mmol/L" });
    assert.deepEqual(normalise("pulse", 72.4, "/min"), { value: 72, unit: "/min" });
    assert.ok("problem" in normalise("pulse", 72, "bpm"));
    assert.ok("problem" in normalise("temperature", 60, "Cel"));
    assert.ok("problem" in normalise("spo2", 101, "%"));
  });

  await t.step("adults by NEWS2 (RCP 2017, chart 1)", () => {
    const cases: [Parameters<typeof flagOf>[0], number, string][] = [
      ["resp-rate", 8, "critical_low"],
      ["resp-rate", 11, "low"],
      ["resp-rate", 16, "normal"],
      ["resp-rate", 22, "high"],
      ["resp-rate", 25, "critical_high"],
      ["spo2", 91, "critical_low"],
      ["spo2", 94, "low"],
      ["spo2", 97, "normal"],
      ["bp-systolic", 90, "critical_low"],
      ["bp-systolic", 105, "low"],
      ["bp-systolic", 219, "normal"],
      ["bp-systolic", 220, "critical_high"],
      ["pulse", 40, "critical_low"],
      ["pulse", 45, "low"],
      ["pulse", 91, "high"],
      ["pulse", 131, "critical_high"],
      ["temperature", 35.0, "critical_low"],
      ["temperature", 35.5, "low"],
      ["temperature", 37.0, "normal"],
      ["temperature", 39.5, "high"],
      ["bp-diastolic", 125, "critical_high"],
      ["glucose", 2.8, "critical_low"],
      ["glucose", 17, "critical_high"],
      ["pain", 8, "critical_high"],
      ["weight", 70, "normal"],
    ];
    for (const [code, value, flag] of cases) {
      assert.equal(flagOf(code, value, 40), flag, `${code} ${value}`);
    }
  });

  await t.step("children by age band (APLS): what is normal for a baby is not for a teen", () => {
    assert.equal(flagOf("pulse", 140, 0), "normal");
    assert.equal(flagOf("pulse", 140, 14), "critical_high");
    assert.equal(flagOf("resp-rate", 35, 1), "normal");
    assert.equal(flagOf("resp-rate", 35, 10), "critical_high");
    assert.equal(flagOf("resp-rate", 18, 3), "critical_low");
    assert.equal(flagOf("bp-systolic", 75, 0), "normal");
    assert.equal(flagOf("spo2", 93, 6), "low");
    assert.equal(flagOf("spo2", 90, 6), "critical_low");
    assert.equal(flagOf("pulse", 140, null), "critical_high", "age unknown: read as an adult");
  });
});

Deno.test("recording vitals on a visit", async (t) => {
  const app = await createTestApp();
  try {
    const org = await createOrg(app);
    const nurse = await org.tokenFor("NURSE");
    const reception = await org.tokenFor("RECEPTION");
    const doctor = await org.tokenFor("DOCTOR");
    const adult = await createPatient(app, reception, { birthDate: "1980-05-01" });
    const child = await createPatient(app, reception, { birthDate: "2024-01-15" });
    const visit = async (patientId: string) => {
      const res = await app.call("POST", "/api/v1/encounters", {
        token: reception,
        body: { patientId, facilityId: org.facilityId },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    const adultVisit = await visit(adult.id);
    const post = (encounterId: string, observations: unknown[], token = nurse) =>
      app.call("POST", `/api/v1/encounters/${encounterId}/vitals`, {
        token,
        body: { observations },
      });

    await t.step("a nurse records a set: converted, flagged, BMI derived", async () => {
      const res = await post(adultVisit, [
        { code: "bp-systolic", value: 182, unit: "mm[Hg]" },
        { code: "bp-diastolic", value: 121, unit: "mm[Hg]" },
        { code: "pulse", value: 118, unit: "/min" },
        { code: "temperature", value: 102.2, unit: "[degF]" },
        { code: "spo2", value: 93, unit: "%" },
        { code: "weight", value: 81.5, unit: "kg" },
        { code: "height", value: 172, unit: "cm" },
      ]);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const by = Object.fromEntries(res.body.observations.map((o: any) => [o.code, o]));
      assert.equal(by["temperature"].value, 39);
      assert.equal(by["temperature"].unit, "Cel");
      assert.equal(by["temperature"].enteredValue, 102.2);
      assert.equal(by["temperature"].enteredUnit, "[degF]");
      assert.equal(by["temperature"].flag, "high");
      assert.equal(by["bp-diastolic"].flag, "critical_high");
      assert.equal(by["pulse"].flag, "high");
      assert.equal(by["spo2"].flag, "low");
      assert.equal(by["bmi"].value, 27.5);
      assert.equal(by["bmi"].derived, true);
      assert.equal(by["bmi"].flag, "high");
    });

    await t.step(
      "impossible values and unknown units answer 422 naming the observation",
      async () => {
        const res = await post(adultVisit, [
          { code: "pulse", value: 80, unit: "/min" },
          { code: "temperature", value: 52, unit: "Cel" },
          { code: "glucose", value: 5, unit: "g/L" },
        ]);
        assert.equal(res.status, 422);
        assert.deepEqual(res.body.errors.map((e: any) => e.path), [
          "observations.1.value",
          "observations.2.value",
        ]);
        const backwards = await post(adultVisit, [
          { code: "bp-systolic", value: 80, unit: "mm[Hg]" },
          { code: "bp-diastolic", value: 90, unit: "mm[Hg]" },
        ]);
        assert.equal(backwards.status, 422);
        assert.equal(backwards.body.errors[0].path, "observations.1.value");
        const head = await post(adultVisit, [{
          code: "head-circumference",
          value: 55,
          unit: "cm",
        }]);
        assert.equal(head.status, 422, "head circumference is for children");
        const junk = await post(adultVisit, [{ code: "mood", value: 5, unit: "{score}" }]);
        assert.equal(junk.status, 400);
      },
    );

    await t.step("a child's values are read against their age", async () => {
      const childVisit = await visit(child.id);
      const res = await post(childVisit, [
        { code: "pulse", value: 135, unit: "/min" },
        { code: "resp-rate", value: 30, unit: "/min" },
        { code: "head-circumference", value: 47.2, unit: "cm" },
        { code: "weight", value: 11.2, unit: "kg" },
        { code: "height", value: 82, unit: "cm" },
      ]);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const by = Object.fromEntries(res.body.observations.map((o: any) => [o.code, o.flag]));
      assert.equal(by["pulse"], "normal");
      assert.equal(by["resp-rate"], "normal");
      assert.equal(by["bmi"], "normal", "a child's BMI needs growth charts: not flagged");
    });

    await t.step("a patient's values over time, for a chart", async () => {
      await post(adultVisit, [{ code: "pulse", value: 96, unit: "/min" }]);
      const res = await app.call("GET", `/api/v1/patients/${adult.id}/vitals?code=pulse`, {
        token: doctor,
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data.map((o: any) => o.value), [118, 96]);
      const byReception = await app.call("GET", `/api/v1/patients/${adult.id}/vitals`, {
        token: reception,
      });
      assert.equal(byReception.status, 403, "reception never sees the content");
      const recordByReception = await post(adultVisit, [
        { code: "pulse", value: 80, unit: "/min" },
      ], reception);
      assert.equal(recordByReception.status, 403);
    });

    await t.step(
      "an observation entered in error is withdrawn; a closed visit takes no more",
      async () => {
        const list = await app.call("GET", `/api/v1/encounters/${adultVisit}/vitals`, {
          token: doctor,
        });
        const last = list.body.data.at(-1);
        const gone = await app.call("DELETE", `/api/v1/vitals/${last.id}`, { token: nurse });
        assert.equal(gone.status, 200);
        const chart = await app.call("GET", `/api/v1/patients/${adult.id}/vitals?code=pulse`, {
          token: doctor,
        });
        assert.deepEqual(chart.body.data.map((o: any) => o.value), [118]);
        const cancelled = await app.call("POST", `/api/v1/encounters/${adultVisit}/cancel`, {
          token: reception,
          body: { reason: "Registered twice" },
        });
        assert.equal(cancelled.status, 200);
        const late = await post(adultVisit, [{ code: "pulse", value: 80, unit: "/min" }]);
        assert.equal(late.status, 409);
      },
    );
  } finally {
    await app.close();
  }
});
