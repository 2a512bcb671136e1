import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { rowVersions } from "../db/schema/mod.ts";
import { clinicDayApartFromUtc } from "./helpers/clinic-day.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";
import { findPatient } from "../src/modules/patients/repository.ts";
import { viewPatient } from "../src/modules/patients/visibility.ts";

const FULL = {
  givenName: "Wanjiku",
  middleName: "Njeri",
  familyName: "Kamau",
  birthDate: "1987-04-12",
  birthDateEstimated: true,
  sex: "female",
  phone: "+254 712 345 678",
  otherPhones: [{ number: "020 123 4567", use: "work" }],
  email: "WANJIKU@example.com",
  nationalId: "29384756",
  identifiers: [{ system: "passport", value: "AK0012345" }],
  address: {
    line: "Plot 12, Kibera Drive",
    city: "Nairobi",
    accessNotes: "Blue gate behind the market",
    latitude: -1.31,
    longitude: 36.78,
  },
  emergencyContacts: [{ name: "Peter Kamau", relationship: "brother", phone: "+254 733 000 111" }],
  insurance: [{ provider: "NHIF", memberNumber: "NH-2291-33", scheme: "public", primary: true }],
  tags: ["Diabetic", "diabetic", "vip"],
  preferences: { language: "sw", contactMethod: "sms" },
};

Deno.test("patient record", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);
  const reception = await org.tokenFor("RECEPTION");

  await t.step("a registration keeps every field of the record and normalises tags", async () => {
    const res = await app.call("POST", "/api/v1/patients", { token: reception, body: FULL });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const read = await app.call("GET", `/api/v1/patients/${res.body.id}`, { token: reception });
    assert.equal(read.status, 200);
    const p = read.body;
    assert.equal(p.middleName, "Njeri");
    assert.equal(p.birthDateEstimated, true);
    assert.equal(p.email, "wanjiku@example.com");
    assert.deepEqual(p.otherPhones, [{ number: "020 123 4567", use: "work", note: null }]);
    assert.deepEqual(p.identifiers, FULL.identifiers);
    assert.equal(p.address.accessNotes, "Blue gate behind the market");
    assert.equal(p.address.latitude, -1.31);
    assert.equal(p.emergencyContacts[0].name, "Peter Kamau");
    assert.equal(p.insurance[0].scheme, "public");
    assert.deepEqual(p.tags, ["diabetic", "vip"]);
    assert.equal(p.preferences.contactMethod, "sms");
    assert.equal(p.status, "active");
    assert.equal(p.mergedInto, null);
  });

  await t.step(
    "FINANCE sees demographics and insurance, not contacts, tags or preferences",
    async () => {
      const p = await createPatient(app, reception, { ...FULL, nationalId: "11112222" });
      const res = await app.call("GET", `/api/v1/patients/${p.id}`, {
        token: await org.tokenFor("FINANCE"),
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.insurance[0].memberNumber, "NH-2291-33");
      assert.equal(res.body.phone, "+254 712 345 678");
      for (const hidden of ["emergencyContacts", "tags", "preferences"]) {
        assert.ok(!(hidden in res.body), `${hidden} must be hidden from FINANCE`);
      }
      const doctor = await app.call("GET", `/api/v1/patients/${p.id}`, {
        token: await org.tokenFor("DOCTOR"),
      });
      assert.deepEqual(doctor.body.tags, ["diabetic", "vip"]);
    },
  );

  await t.step(
    "the read's and the search's JSON, built by SQLite, is exactly the record's view per role",
    async () => {
      const p = await createPatient(app, reception, { ...FULL, nationalId: "33334444" });
      const row = (await findPatient(app.deps.db, org.id, p.id))!;
      for (const role of ["RECEPTION", "FINANCE", "DOCTOR"] as const) {
        const res = await app.app.request(`/api/v1/patients/${p.id}`, {
          headers: { authorization: `Bearer ${await org.tokenFor(role)}` },
        });
        assert.equal(res.headers.get("content-type"), "application/json");
        assert.equal(await res.text(), JSON.stringify(viewPatient(row, role)), role);
        const found = await app.call("GET", `/api/v1/patients?q=${p.mrn}`, {
          token: await org.tokenFor(role),
        });
        assert.equal(JSON.stringify(found.body.data[0]), JSON.stringify(viewPatient(row, role)));
      }
    },
  );

  await t.step("a nested field error names its path", async () => {
    const res = await app.call("POST", "/api/v1/patients", {
      token: reception,
      body: {
        givenName: "A",
        familyName: "B",
        otherPhones: [{ number: "call me" }],
        address: { latitude: 123 },
      },
    });
    assert.equal(res.status, 400);
    const paths = res.body.errors.map((e: { path: string }) => e.path).sort();
    assert.deepEqual(paths, ["address.latitude", "otherPhones.0.number"]);
  });

  await t.step("rules across fields answer 422 naming the field", async () => {
    const future = await app.call("POST", "/api/v1/patients", {
      token: reception,
      body: { givenName: "Future", familyName: "Child", birthDate: "2999-01-01" },
    });
    assert.equal(future.status, 422);
    assert.equal(future.body.errors[0].path, "birthDate");
    const deathWithoutStatus = await app.call("POST", "/api/v1/patients", {
      token: reception,
      body: { givenName: "Not", familyName: "Dead", deceasedDate: "2020-01-01" },
    });
    assert.equal(deathWithoutStatus.status, 422);
    assert.equal(deathWithoutStatus.body.errors[0].path, "deceasedDate");
  });

  await t.step("recording a death, then correcting it, clears the date of death", async () => {
    const p = await createPatient(app, reception, { givenName: "Baraka", birthDate: "1950-02-02" });
    const dead = await app.call("PATCH", `/api/v1/patients/${p.id}`, {
      token: reception,
      body: { status: "deceased", deceasedDate: "2024-05-01" },
    });
    assert.equal(dead.status, 200);
    assert.equal(dead.body.deceasedDate, "2024-05-01");
    const before = await app.call("PATCH", `/api/v1/patients/${p.id}`, {
      token: reception,
      body: { deceasedDate: "1940-01-01" },
    });
    assert.equal(before.status, 422, "death before birth");
    const undo = await app.call("PATCH", `/api/v1/patients/${p.id}`, {
      token: reception,
      body: { status: "active" },
    });
    assert.equal(undo.status, 200);
    assert.equal(undo.body.deceasedDate, null);
    assert.equal(undo.body.version, 3);
  });

  await t.step("every version of the record is stored with its changed fields", async () => {
    const p = await createPatient(app, reception, { givenName: "Versioned" });
    await app.call("PATCH", `/api/v1/patients/${p.id}`, {
      token: reception,
      body: { phone: "0700 000 001", tags: ["vip"] },
    });
    const versions = await app.deps.db.db.select().from(rowVersions).where(
      and(eq(rowVersions.tableName, "patients"), eq(rowVersions.rowId, p.id)),
    ).orderBy(rowVersions.version);
    assert.deepEqual(versions.map((v) => v.version), [1, 2]);
    assert.deepEqual(versions[1].fields.sort(), ["phone", "tags"]);
    // A new record's version names what it set, not the lists it left empty.
    assert.ok(versions[0].fields.includes("givenName"));
    assert.ok(!versions[0].fields.includes("otherPhones"));
    assert.ok(!versions[0].fields.includes("birthDateEstimated"));
    assert.equal(versions[1].data.phone, "0700 000 001");
    assert.equal(versions[0].data.phone, null);
  });

  await t.step("an organisation's MRN format applies to new numbers only", async () => {
    const own = await createOrg(app);
    const first = await createPatient(app, own.admin);
    assert.equal(first.mrn, "MRN000001");
    const patch = await app.call("PATCH", "/api/v1/organizations/current", {
      token: own.admin,
      body: { mrnPrefix: "pt", mrnDigits: 4 },
    });
    assert.equal(patch.status, 200, JSON.stringify(patch.body));
    assert.equal(patch.body.mrnPrefix, "PT");
    const second = await createPatient(app, own.admin);
    assert.equal(second.mrn, "PT0002");
    const again = await app.call("GET", `/api/v1/patients/${first.id}`, { token: own.admin });
    assert.equal(again.body.mrn, "MRN000001", "an MRN never changes");
    const bad = await app.call("PATCH", "/api/v1/organizations/current", {
      token: own.admin,
      body: { mrnDigits: 2 },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].path, "mrnDigits");
  });

  await app.close();
});

Deno.test("a site code keeps offline clinics' MRNs apart", async () => {
  const app = await createTestApp({ SITE_CODE: "K2" });
  try {
    const org = await createOrg(app);
    const a = await createPatient(app, org.admin);
    const b = await createPatient(app, org.admin);
    assert.equal(a.mrn, "MRNK2-000001");
    assert.equal(b.mrn, "MRNK2-000002");
  } finally {
    await app.close();
  }
});

Deno.test("'today' for a date of birth is the clinic's day, not UTC's", async () => {
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
    const register = (birthDate: string) =>
      app.call("POST", "/api/v1/patients", {
        token: org.admin,
        body: { givenName: "Newborn", familyName: `Baby${birthDate}`, birthDate },
      });
    // Born today where the clinic is: accepted even when that is tomorrow in UTC.
    assert.equal((await register(localToday)).status, 201);
    // The later of the two dates is in the future for the clinic whichever way round they are.
    const refused = await register(tomorrowThere);
    assert.equal(refused.status, 422);
    assert.equal(refused.body.errors[0].path, "birthDate");
  } finally {
    await app.close();
  }
});
