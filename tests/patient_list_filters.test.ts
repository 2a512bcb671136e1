/**
 * The filtered list's plans (list-query.ts: walk the sort's index, or start from a filter's
 * index) return exactly what one plain query of the filters returns, page after page, for every
 * filter alone and combined: ages on either side of a birthday today, allergies active, resolved
 * or deleted, tags added and removed, merged and deleted records.
 */
import assert from "node:assert/strict";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { insertTracked, stamp, updateInTenant } from "../db/tenant.ts";
import { patientAllergies, type PatientRow, patients } from "../db/schema/mod.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";
import { filterConditions, type ListSort } from "../src/modules/patient-search/repository.ts";
import { listPage } from "../src/modules/patient-search/list-query.ts";
import type { PatientFilters } from "../src/modules/patient-search/filters.ts";
import { todayIn, yearsBefore } from "../src/lib/time.ts";

const dayShift = (date: string, days: number) =>
  new Date(Date.parse(date + "T00:00:00Z") + days * 86400e3).toISOString().slice(0, 10);

Deno.test("filtered list plans return what the plain query returns", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);
  const token = await org.tokenFor("RECEPTION");
  const db = app.deps.db;
  const today = todayIn("Africa/Nairobi", new Date());
  const sexes = ["female", "male", "other", "unknown"];
  const tags = [[], ["vip"], ["diabetic"], ["vip", "diabetic"], ["rare"]];
  const made: { id: string }[] = [];
  for (let i = 0; i < 48; i++) {
    // Ages 9–11 and 79–81 around today's birthday: born today, yesterday or tomorrow.
    const years = [10, 80][i % 2] + (i % 3) - 1;
    const birthDate = i % 11 === 10 ? undefined : dayShift(yearsBefore(today, years), (i % 3) - 1);
    made.push(
      await createPatient(app, token, {
        givenName: "Lista",
        familyName: ["Achieng", "Kamau", "Otieno", "Wanjiku"][i % 4],
        ...(birthDate ? { birthDate } : { birthDate: null }),
        sex: sexes[i % 4],
        tags: tags[i % 5],
      }) as { id: string },
    );
  }
  const at = new Date().toISOString();
  await db.transaction(async (tx) => {
    for (const [i, p] of made.entries()) {
      const set: Record<string, unknown> = {
        createdAt: new Date(Date.UTC(2021, 0, 1) + i * 17 * 86400e3).toISOString(),
        lastVisitAt: i % 3 ? new Date(Date.UTC(2022, 0, 1) + i * 9 * 86400e3).toISOString() : null,
        status: ["active", "inactive", "moved", "active"][i % 4],
      };
      if (i === 5) set.mergedInto = made[6].id;
      if (i === 7) set.deletedAt = at;
      if (i === 8) set.tags = []; // a tag removed: the tag index forgets it
      await updateInTenant(tx, patients, { orgId: org.id, id: p.id, set, actorId: "t", at });
      if (i % 6 === 0 || i === 7) {
        // Active, resolved and deleted allergies: only a live active one counts.
        await insertTracked(tx, patientAllergies, {
          ...stamp(org.id, null, at),
          patientId: p.id,
          substance: "Penicillin",
          severity: "severe",
          status: i % 12 === 0 ? "active" : "resolved",
          deletedAt: i === 18 ? at : null,
        });
      }
    }
  });

  const expected = async (f: PatientFilters, sort: ListSort) => {
    const col = sort.endsWith("familyName") ? patients.familyName : patients.createdAt;
    const dir = sort.startsWith("-") ? desc : asc;
    const rows = await db.db.select({ id: patients.id }).from(patients)
      .where(and(eq(patients.orgId, org.id), filterConditions(org.id, f, today)))
      .orderBy(dir(col), dir(patients.id));
    return rows.map((r) => r.id);
  };
  const paged = async (f: PatientFilters, sort: ListSort, limit: number, bounds: Bounds) => {
    const out: string[] = [];
    let after: { v: string; id: string } | undefined;
    while (true) {
      const rows: PatientRow[] = await listPage(
        db.db,
        org.id,
        f,
        today,
        sort,
        after,
        limit,
        bounds,
      );
      const page = rows.slice(0, limit);
      out.push(...page.map((r) => r.id));
      if (rows.length <= limit) return out;
      const last = page[page.length - 1];
      after = { v: sort.endsWith("familyName") ? last.familyName : last.createdAt, id: last.id };
    }
  };
  type Bounds = { driveMax: number; walkStep: number; driveBig: number };
  const plans: Record<string, Bounds> = {
    "walk": { driveMax: 0, walkStep: 3, driveBig: 0 },
    "drive": { driveMax: 1e9, walkStep: 3, driveBig: 0 },
    "walk, then drive": { driveMax: 0, walkStep: 2, driveBig: 1e9 },
  };
  const filters: PatientFilters[] = [
    {},
    { ageMin: 80 },
    { ageMax: 10 },
    { ageMin: 10, ageMax: 10 },
    { ageMin: 81, ageMax: 81 },
    { ageMin: 200 },
    { status: "inactive" },
    { status: "deceased" },
    { sex: "other" },
    { status: "active", sex: "female" },
    { tags: ["vip"] },
    { tags: ["vip", "diabetic"] },
    { tags: ["rare"] },
    { tags: ["none"] },
    { hasAllergy: true },
    { hasAllergy: false },
    { registeredFrom: "2021-06-01", registeredTo: "2022-06-01" },
    { registeredTo: "2021-01-01" },
    { lastVisitFrom: "2022-03-01" },
    { lastVisitFrom: "2022-03-01", lastVisitTo: "2022-09-01" },
    { hasAllergy: true, ageMin: 80 },
    { tags: ["vip"], status: "active", ageMax: 11 },
    { lastVisitTo: "2022-06-01", sex: "male", hasAllergy: false },
  ];
  for (const [name, bounds] of Object.entries(plans)) {
    await t.step(`${name}: every filter, every sort, pages of 1 and 4`, async () => {
      for (const f of filters) {
        for (const sort of ["createdAt", "-createdAt", "familyName", "-familyName"] as const) {
          const want = await expected(f, sort);
          for (const limit of [1, 4]) {
            assert.deepEqual(
              await paged(f, sort, limit, bounds),
              want,
              `${JSON.stringify(f)} ${sort} limit ${limit}`,
            );
          }
        }
      }
    });
  }

  await t.step("the ages around a birthday today are the expected ones", async () => {
    const ids = await expected({ ageMin: 10, ageMax: 10 }, "createdAt");
    const rows = await db.db.select({ id: patients.id, birthDate: patients.birthDate })
      .from(patients).where(sql`${patients.id} IN ${ids.length ? ids : [""]}`);
    for (const r of rows) {
      assert.ok(r.birthDate! <= yearsBefore(today, 10) && r.birthDate! > yearsBefore(today, 11));
    }
    assert.ok(rows.some((r) => r.birthDate === yearsBefore(today, 10)), "born today, 10 today");
  });

  await t.step("over HTTP, the pages of a filter add up to the plain query", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      // deno-lint-ignore no-explicit-any
      const res: { status: number; body: any } = await app.call(
        "GET",
        `/api/v1/patients?ageMin=80&sort=familyName&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        { token },
      );
      assert.equal(res.status, 200);
      seen.push(...res.body.data.map((p: { id: string }) => p.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, await expected({ ageMin: 80 }, "familyName"));
    assert.ok(seen.length > 0);
  });
  await app.close();
});
