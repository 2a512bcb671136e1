import assert from "node:assert/strict";
import { and, eq, sql } from "drizzle-orm";
import { insertTracked, stamp, updateInTenant } from "../db/tenant.ts";
import { patientAllergies, patientNameTerms, patients } from "../db/schema/mod.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";
import { iteratePatients } from "../src/modules/patient-search/service.ts";
import { ensureSearchIndex, rebuildSearchIndex } from "../src/modules/patients/search-index.ts";

type P = { id: string; mrn: string; givenName: string; familyName: string; tags?: string[] };

Deno.test("patient search", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);
  const admin = org.admin;
  const reception = await org.tokenFor("RECEPTION");
  const db = app.deps.db;
  let birth = 0;
  // Distinct birth dates keep the duplicate check out of the way of similar names.
  const make = (o: Record<string, unknown>) =>
    createPatient(app, reception, {
      birthDate: `19${String(50 + (birth++ % 49)).padStart(2, "0")}-0${1 + (birth % 9)}-1${
        birth % 10
      }`,
      allowDuplicate: true,
      ...o,
    }) as Promise<P>;
  const ids = async (q: string, token = reception) => {
    const res = await app.call("GET", `/api/v1/patients?q=${encodeURIComponent(q)}&limit=100`, {
      token,
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.data.map((p: P) => p.id) as string[];
  };
  /** Direct writes through the tenant helpers (as other modules make them), in one transaction. */
  const update = (id: string, set: Record<string, unknown>) =>
    db.transaction((tx) =>
      updateInTenant(tx, patients, {
        orgId: org.id,
        id,
        set,
        actorId: "test",
        at: new Date().toISOString(),
      })
    );

  const jose = await make({ givenName: "José", familyName: "Wanjiku", phone: "+254 712 345 678" });
  const maryKamau = await make({ givenName: "Mary", familyName: "Kamau" });
  const commons: P[] = [];
  for (let i = 0; i < 12; i++) {
    commons.push(await make({ givenName: i % 2 ? "Mary" : "Peter", familyName: "Kamau" }));
  }
  const maryOnly = await make({ givenName: "Mary", familyName: "Achieng" });
  const john = await make({ givenName: "John", middleName: "Ochieng", familyName: "Otieno" });
  const doc = await make({
    givenName: "Halima",
    familyName: "Said",
    nationalId: "AK-001 234",
    identifiers: [{ system: "passport", value: "P 77/21-x" }],
  });
  const kamaus = [maryKamau, ...commons];

  await t.step("a table of queries finds the expected top hit", async () => {
    const table: [string, string, string][] = [
      ["Jose", jose.id, "accents ignored"],
      ["JOSÉ", jose.id, "case ignored"],
      ["wanj", jose.id, "name prefix"],
      ["Wnajiku", jose.id, "swapped letters"],
      ["Wanjku", jose.id, "missing letter"],
      ["Jhon", john.id, "swapped letters in a short name"],
      ["ochieng", john.id, "middle name"],
      ["0712345678", jose.id, "phone in local format"],
      ["712-345-678", jose.id, "phone with other punctuation"],
      ["345678", jose.id, "phone suffix"],
      [doc.mrn, doc.id, "MRN as issued"],
      [doc.mrn.toLowerCase(), doc.id, "MRN in lower case"],
      [String(Number(doc.mrn.replace(/\D/g, ""))), doc.id, "MRN without prefix or zeros"],
      [doc.mrn.replace(/\D/g, ""), doc.id, "MRN digits with zeros"],
      ["ak001234", doc.id, "national id without punctuation"],
      ["AK 001-234", doc.id, "national id with other punctuation"],
      ["p7721x", doc.id, "passport number"],
      ["mary kamau", maryKamau.id, "two words, the patient with both first"],
      ["kamau mary", maryKamau.id, "word order does not matter"],
      ["Marry Kamau", maryKamau.id, "typo in one of two words"],
    ];
    for (const [q, expected, why] of table) {
      const found = await ids(q);
      assert.ok(found.length > 0, `${q} (${why}) found nothing`);
      if (q.toLowerCase().includes("kamau")) {
        // Every Mary Kamau ranks above every Peter Kamau.
        const marys = kamaus.filter((p) => p.givenName === "Mary").map((p) => p.id);
        assert.deepEqual(new Set(found.slice(0, marys.length)), new Set(marys), `${q} (${why})`);
        assert.ok(!found.includes(maryOnly.id), `${q}: a Mary without Kamau must not match`);
      } else {
        assert.equal(found[0], expected, `${q} (${why}): got ${found.join(",")}`);
      }
    }
  });

  await t.step("Kamua finds every Kamau; a word nobody carries finds nothing", async () => {
    const found = await ids("Kamua");
    assert.deepEqual(new Set(found), new Set(kamaus.map((p) => p.id)));
    assert.deepEqual(await ids("Xylophone"), []);
    assert.deepEqual(await ids("mary xylophone"), [], "every word must match");
  });

  await t.step("an exact name ranks above prefix and typo matches of a common name", async () => {
    const exact = await make({ givenName: "Ann", familyName: "Kim" });
    for (let i = 0; i < 5; i++) await make({ givenName: "Anne", familyName: `Kimani${i}` });
    await make({ givenName: "Anna", familyName: "Kimi" });
    const found = await ids("ann kim");
    assert.equal(found[0], exact.id);
    assert.ok(found.length >= 2, "prefix matches follow");
  });

  await t.step(
    "pages of one word list exact, then prefix, then typo matches, once each",
    async () => {
      const exact = await make({ givenName: "Tiernan", familyName: "Zed" });
      const prefix = await make({ givenName: "Tiernanne", familyName: "Zed" });
      const typo = await make({ givenName: "Teirnan", familyName: "Zed" });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: any } = await app.call(
          "GET",
          `/api/v1/patients?q=tiernan&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
          { token: reception },
        );
        seen.push(...res.body.data.map((p: P) => p.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, [exact.id, prefix.id, typo.id]);
    },
  );

  await t.step("each filter narrows the results, with and without q", async () => {
    const a = await make({
      givenName: "Filtra",
      familyName: "Alpha",
      sex: "male",
      birthDate: "1950-05-05",
      tags: ["vip", "diabetic"],
      status: "inactive",
    });
    const b = await make({
      givenName: "Filtra",
      familyName: "Beta",
      sex: "female",
      birthDate: new Date(Date.now() - 10 * 365.25 * 86400e3).toISOString().slice(0, 10),
      tags: ["vip"],
    });
    await update(a.id, {
      lastVisitAt: "2024-03-10T08:00:00.000Z",
      createdAt: "2020-01-01T00:00:00.000Z",
    });
    await db.transaction((tx) =>
      insertTracked(tx, patientAllergies, {
        ...stamp(org.id, null, new Date().toISOString()),
        patientId: b.id,
        substance: "Penicillin",
        severity: "severe",
      })
    );
    const check = async (filter: string, expected: P[]) => {
      for (const q of ["&q=filtra", ""]) {
        const res = await app.call("GET", `/api/v1/patients?limit=100${q}&${filter}`, {
          token: reception,
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const got = res.body.data.map((p: P) => p.id);
        if (q) assert.deepEqual(new Set(got), new Set(expected.map((p) => p.id)), filter);
        else {
          for (const p of [a, b]) {
            assert.equal(
              got.includes(p.id),
              expected.includes(p),
              `${filter} without q, ${p.familyName}`,
            );
          }
        }
      }
    };
    await check("status=inactive", [a]);
    await check("sex=female", [b]);
    await check("tags=vip", [a, b]);
    await check("tags=vip,diabetic", [a]);
    await check("ageMin=60", [a]);
    await check("ageMax=12", [b]);
    await check("ageMin=9&ageMax=11", [b]);
    await check("registeredTo=2020-01-01", [a]);
    await check(`registeredFrom=${new Date().toISOString().slice(0, 10)}`, [b]);
    await check("lastVisitFrom=2024-03-10&lastVisitTo=2024-03-10", [a]);
    await check("lastVisitFrom=2024-03-11", []);
    await check("hasAllergy=true", [b]);
    await check("hasAllergy=false", [a]);

    const bad = await app.call("GET", "/api/v1/patients?ageMin=old&sex=cat", { token: reception });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e: { path: string }) => e.path).sort(), [
      "ageMin",
      "sex",
    ]);
    const badDate = await app.call("GET", "/api/v1/patients?registeredFrom=2024-02-30", {
      token: reception,
    });
    assert.equal(badDate.status, 400);
    assert.equal(badDate.body.errors[0].path, "registeredFrom");
  });

  await t.step(
    "two-word search pages are the ranked list cut in pages, whatever the page size",
    async () => {
      // Perfect matches, a prefix match of either word, and typo matches of either word: the
      // prefix matches outrank the typo ones, so a page must not end before they are looked up.
      const names = [
        ["Zawadi", "Oloo"],
        ["Zawadi", "Oloo"],
        ["Zawadi", "Oloo"],
        ["Zawadina", "Oloo"],
        ["Zawadi", "Olooni"],
        ["Zawdai", "Oloo"],
        ["Zawadi", "Olo"],
      ];
      for (const [givenName, familyName] of names) {
        await createPatient(app, reception, { givenName, familyName, allowDuplicate: true });
      }
      const walk = async (limit: number) => {
        const ids: string[] = [];
        let cursor = "";
        do {
          const res = await app.call(
            "GET",
            `/api/v1/patients?q=zawadi%20oloo&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`,
            { token: reception },
          );
          assert.equal(res.status, 200);
          ids.push(...res.body.data.map((p: { id: string }) => p.id));
          cursor = res.body.nextCursor ?? "";
        } while (cursor);
        return ids;
      };
      const whole = await walk(100);
      assert.equal(whole.length, names.length);
      assert.deepEqual(await walk(2), whole);
      assert.deepEqual(await walk(3), whole);
    },
  );

  await t.step("search pages walk the ranked list without repeats", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: any } = await app.call(
        "GET",
        `/api/v1/patients?q=kamau&limit=4${cursor ? `&cursor=${cursor}` : ""}`,
        { token: reception },
      );
      assert.equal(res.status, 200);
      seen.push(...res.body.data.map((p: P) => p.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    assert.equal(new Set(seen).size, seen.length);
    assert.deepEqual(new Set(seen), new Set(kamaus.map((p) => p.id)));
    const bad = await app.call("GET", "/api/v1/patients?q=kamau&cursor=xyz", { token: reception });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].path, "cursor");
  });

  await t.step("the list without q sorts by createdAt or familyName, both ways", async () => {
    const other = await createOrg(app);
    const names = ["Delta", "Alpha", "Charlie", "Bravo"];
    for (const [i, familyName] of names.entries()) {
      await createPatient(app, other.admin, { familyName, birthDate: `198${i}-01-01` });
    }
    const walk = async (sort: string) => {
      const out: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: any } = await app.call(
          "GET",
          `/api/v1/patients?sort=${sort}&limit=3${cursor ? `&cursor=${cursor}` : ""}`,
          { token: other.admin },
        );
        out.push(...res.body.data.map((p: P) => p.familyName));
        cursor = res.body.nextCursor;
      } while (cursor);
      return out;
    };
    assert.deepEqual(await walk("familyName"), ["Alpha", "Bravo", "Charlie", "Delta"]);
    assert.deepEqual(await walk("-familyName"), ["Delta", "Charlie", "Bravo", "Alpha"]);
    assert.deepEqual(await walk("createdAt"), names);
    assert.deepEqual(await walk("-createdAt"), [...names].reverse());
  });

  await t.step(
    "merged and deleted patients never appear; an old MRN finds the survivor",
    async () => {
      const survivor = await make({ givenName: "Mergetest", familyName: "Survivor" });
      const dup = await make({ givenName: "Mergetest", familyName: "Duplicate" });
      const gone = await make({ givenName: "Mergetest", familyName: "Deleted" });
      await update(dup.id, { mergedInto: survivor.id, mergedAt: new Date().toISOString() });
      const del = await app.call("DELETE", `/api/v1/patients/${gone.id}`, { token: admin });
      assert.equal(del.status, 204);
      assert.deepEqual(await ids("mergetest"), [survivor.id]);
      assert.deepEqual(await ids(dup.mrn), [survivor.id]);
      const list = await app.call("GET", "/api/v1/patients?limit=100&sort=familyName", {
        token: reception,
      });
      const listed = list.body.data.map((p: P) => p.id);
      assert.ok(!listed.includes(dup.id) && !listed.includes(gone.id));
      // Unmerge: the duplicate comes back under its own MRN, and the survivor loses it.
      await update(dup.id, { mergedInto: null, mergedAt: null });
      assert.deepEqual(await ids(dup.mrn), [dup.id]);
      assert.deepEqual(new Set(await ids("mergetest")), new Set([survivor.id, dup.id]));
    },
  );

  await t.step(
    "the index follows updates: a renamed patient is found by the new name only",
    async () => {
      const p = await make({ givenName: "Oldname", familyName: "Renamed", phone: "0733 111 222" });
      const read = await app.call("GET", `/api/v1/patients/${p.id}`, { token: reception });
      const res = await app.call("PATCH", `/api/v1/patients/${p.id}`, {
        token: reception,
        headers: { "if-match": read.headers.get("etag")! },
        body: { givenName: "Newname", phone: "0799 888 777" },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(await ids("oldname"), []);
      assert.deepEqual(await ids("733111222"), []);
      assert.deepEqual(await ids("newname renamed"), [p.id]);
      assert.deepEqual(await ids("0799888777"), [p.id]);
      // The vocabulary count of the old name dropped to zero, so it no longer drives typo search.
      const [vocab] = await db.db.select().from(patientNameTerms).where(
        and(eq(patientNameTerms.orgId, org.id), eq(patientNameTerms.term, "oldname")),
      );
      assert.equal(vocab?.patients ?? 0, 0);
    },
  );

  await t.step(
    "racing registrations and renames leave the index and its counts exact",
    async () => {
      const made = await Promise.all(
        Array.from({ length: 8 }, () => make({ givenName: "Racename", familyName: "Concurrent" })),
      );
      // Half of them are renamed while the other half are still being searched.
      await Promise.all(made.map(async (p, i) => {
        if (i % 2) return void await ids("racename");
        const res = await app.call("PATCH", `/api/v1/patients/${p.id}`, {
          token: reception,
          body: { givenName: "Racerenamed" },
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }));
      assert.equal((await ids("racename")).length, 4);
      assert.equal((await ids("racerenamed")).length, 4);
      const count = async (term: string) =>
        (await db.db.select().from(patientNameTerms).where(
          and(eq(patientNameTerms.orgId, org.id), eq(patientNameTerms.term, term)),
        ))[0]?.patients;
      assert.equal(await count("racename"), 4);
      assert.equal(await count("racerenamed"), 4);
      assert.equal(await count("concurrent"), 8);
    },
  );

  await t.step("every role may search; FINANCE sees the projected record", async () => {
    for (const role of ["ADMIN", "DOCTOR", "NURSE", "PHARMACY", "LAB", "FINANCE"] as const) {
      const token = await org.tokenFor(role);
      const res = await app.call("GET", "/api/v1/patients?q=jose", { token });
      assert.equal(res.status, 200, role);
      assert.equal(res.body.data[0].id, jose.id);
      const hidden = role === "FINANCE";
      assert.equal("tags" in res.body.data[0], !hidden, role);
      assert.equal("emergencyContacts" in res.body.data[0], !hidden, role);
      assert.equal("phone" in res.body.data[0], true, role);
    }
    assert.equal((await app.call("GET", "/api/v1/patients?q=jose")).status, 401);
    assert.equal((await app.call("GET", "/api/v1/patients/stats")).status, 401);
  });

  await t.step("another organisation's patients are never found", async () => {
    const other = await createOrg(app);
    const res = await app.call("GET", "/api/v1/patients?q=jose", { token: other.admin });
    assert.deepEqual(res.body.data, []);
    const mrn = await app.call("GET", `/api/v1/patients?q=${jose.mrn}`, { token: other.admin });
    assert.deepEqual(mrn.body.data, []);
  });

  await t.step(
    "every patient shown by a search or a list is found in the trail by patient",
    async () => {
      const nurse = await org.tokenFor("NURSE");
      const search = await app.call("GET", "/api/v1/patients?q=jose", { token: nurse });
      const list = await app.call("GET", "/api/v1/patients?limit=10", { token: nurse });
      const shown: string[] = [...search.body.data, ...list.body.data].map((p: any) => p.id);
      assert.ok(shown.includes(jose.id));
      assert.ok(list.body.data.length >= 2);
      await app.deps.audit.flush();
      const nurseRead = async (patientId: string) => {
        const res = await app.call(
          "GET",
          `/api/v1/audit-events?patientId=${patientId}&action=patient.list&limit=100`,
          { token: org.admin },
        );
        return res.body.data.filter((e: any) => e.actorRole === "NURSE");
      };
      for (const id of shown) assert.ok((await nurseRead(id)).length >= 1, `${id} is in the trail`);
      await app.deps.audit.index();
      for (const id of shown) {
        assert.ok(
          (await nurseRead(id)).length >= 1,
          `${id} stays once indexed`,
        );
      }
    },
  );

  await t.step("stats count listed patients by status, sex, age band and recency", async () => {
    const s = await createOrg(app);
    const young = new Date(Date.now() - 2 * 365.25 * 86400e3).toISOString().slice(0, 10);
    const specs = [
      { sex: "female", birthDate: young, status: "active" },
      { sex: "female", birthDate: "1980-06-01", status: "active" },
      { sex: "male", birthDate: "1940-06-01", status: "deceased" },
      { sex: "male", birthDate: null, status: "inactive" },
      { sex: "other", birthDate: "2005-06-01", status: "moved" },
    ];
    const made: P[] = [];
    for (const [i, spec] of specs.entries()) {
      made.push(await createPatient(app, s.admin, { ...spec, familyName: `Stat${"abcde"[i]}x` }));
    }
    // One deleted and one merged patient are not counted; one registered long ago is not new.
    const extra = await createPatient(app, s.admin, {
      familyName: "Deletedstat",
      birthDate: "1990-01-01",
    });
    await app.call("DELETE", `/api/v1/patients/${extra.id}`, { token: s.admin });
    const merged = await createPatient(app, s.admin, {
      familyName: "Mergedstat",
      birthDate: "1991-01-01",
    });
    await db.transaction((tx) =>
      updateInTenant(tx, patients, {
        orgId: s.id,
        id: merged.id,
        set: { mergedInto: made[0].id },
        actorId: "test",
        at: new Date().toISOString(),
      })
    );
    await db.transaction((tx) =>
      updateInTenant(tx, patients, {
        orgId: s.id,
        id: made[1].id,
        set: { createdAt: "2020-01-01T00:00:00.000Z" },
        actorId: "test",
        at: new Date().toISOString(),
      })
    );
    const res = await app.call("GET", "/api/v1/patients/stats", {
      token: await s.tokenFor("FINANCE"),
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, {
      total: 5,
      byStatus: { active: 2, inactive: 1, deceased: 1, moved: 1 },
      bySex: { female: 2, male: 2, other: 1, unknown: 0 },
      byAgeBand: {
        "0-4": 1,
        "5-14": 0,
        "15-24": 1,
        "25-44": 0,
        "45-64": 1,
        "65+": 1,
        unknown: 1,
      },
      newThisWeek: 4,
      newThisMonth: 4,
    });
  });

  await t.step("iteratePatients yields every match in batches, in registration order", async () => {
    const seen: string[] = [];
    for await (const batch of iteratePatients(app.deps, org.id, { q: "kamau" }, 5)) {
      assert.ok(batch.length <= 5);
      seen.push(...batch.map((p) => p.id));
    }
    assert.deepEqual(new Set(seen), new Set(kamaus.map((p) => p.id)));
    const all: string[] = [];
    for await (const batch of iteratePatients(app.deps, org.id, { tags: ["vip"] }, 1)) {
      all.push(...batch.map((p) => p.familyName));
    }
    assert.deepEqual(all, ["Alpha", "Beta"]);
  });

  await t.step("ensureSearchIndex rebuilds a missing index from the patients", async () => {
    await db.executeScript(["DELETE FROM patient_search_terms", "DELETE FROM patient_name_terms"]);
    assert.deepEqual(await ids("jose"), []);
    await ensureSearchIndex(app.deps);
    assert.deepEqual(await ids("jose"), [jose.id]);
    assert.deepEqual(await ids(jose.mrn), [jose.id]);
  });

  await app.close();
});

Deno.test("the index kept by the row hook equals one rebuilt from the patients", async () => {
  const app = await createTestApp();
  try {
    const org = await createOrg(app);
    const token = org.admin;
    const made = [];
    for (
      const [givenName, familyName, nationalId] of [
        ["Amina", "Oduya", "111"],
        ["Baraka", "Oduya", "222"],
        ["Chausiku", "Mwende", "333"],
        ["Dalia", "Kiprono", "444"],
      ]
    ) {
      made.push(await createPatient(app, token, { givenName, familyName, nationalId }));
    }
    const [a, b, c, d] = made;
    const call = (method: string, path: string, body?: unknown) =>
      app.call(method, `/api/v1/patients${path}`, { token, body });
    assert.equal((await call("PATCH", `/${a.id}`, { familyName: "Odhiambo-Oduya" })).status, 200);
    assert.equal((await call("POST", `/${b.id}/merge`, { duplicateId: a.id })).status, 200);
    assert.equal((await call("POST", `/${c.id}/merge`, { duplicateId: b.id })).status, 200);
    assert.equal((await call("POST", `/${c.id}/unmerge`, { duplicateId: b.id })).status, 200);
    assert.equal((await call("DELETE", `/${d.id}`)).status, 204);

    const db = app.deps.db.db;
    const snapshot = async () => ({
      terms: await db.all(
        sql`SELECT term, patient_id FROM patient_search_terms WHERE org_id = ${org.id}
          ORDER BY term, patient_id`,
      ),
      words: await db.all(
        sql`SELECT term, patients FROM patient_name_terms WHERE org_id = ${org.id}
          AND patients > 0 ORDER BY term`,
      ),
      keys: await db.all(
        sql`SELECT v.variant, v.term FROM patient_name_variants v JOIN patient_name_terms n
          ON n.org_id = v.org_id AND n.term = v.term WHERE v.org_id = ${org.id}
          AND n.patients > 0 ORDER BY v.variant, v.term`,
      ),
    });
    const kept = await snapshot();
    await app.deps.db.transaction((tx) => rebuildSearchIndex(tx, org.id));
    assert.deepEqual(kept, await snapshot());
    assert.ok(kept.terms.length > 10);
  } finally {
    await app.close();
  }
});
