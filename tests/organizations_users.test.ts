import { sql } from "drizzle-orm";
import assert from "node:assert/strict";
import { createTestApp, PASSWORD } from "./helpers/app.ts";
import {
  acceptInvitation,
  createOrg,
  invite,
  login,
  superAdminToken,
} from "./helpers/factories.ts";

Deno.test("organizations, facilities and users", async (t) => {
  const app = await createTestApp();
  const sa = await superAdminToken(app);
  const newOrg = (overrides: Record<string, unknown> = {}) => ({
    name: "Sunrise Family Clinic",
    type: "CLINIC",
    practiceSystems: ["allopathic", "ayurvedic"],
    timezone: "Africa/Nairobi",
    currency: "KES",
    admin: {
      email: `owner.${crypto.randomUUID()}@test.clinic`,
      password: PASSWORD,
      fullName: "Owner",
    },
    ...overrides,
  });

  await t.step(
    "a super admin creates an organisation with its facility and first admin",
    async () => {
      const res = await app.call("POST", "/api/v1/organizations", { token: sa, body: newOrg() });
      assert.equal(res.status, 201);
      assert.equal(res.body.organization.code, "SUNRISEFAM");
      assert.deepEqual(res.body.organization.practiceSystems, ["allopathic", "ayurvedic"]);
      assert.equal(res.body.admin.employeeId, "ADM001");
      assert.ok(res.body.facility.id);
      const admin = await login(app, res.body.admin.email);
      assert.equal(admin.user.organizationId, res.body.organization.id);
      // A second one with the same name gets a distinct generated code.
      const again = await app.call("POST", "/api/v1/organizations", { token: sa, body: newOrg() });
      assert.equal(again.body.organization.code, "SUNRISEFAM-2");
    },
  );

  await t.step("an explicit code that is taken answers 409", async () => {
    const body = newOrg({ code: "TAKEN1" });
    assert.equal(
      (await app.call("POST", "/api/v1/organizations", { token: sa, body })).status,
      201,
    );
    const dup = await app.call("POST", "/api/v1/organizations", {
      token: sa,
      body: newOrg({ code: "taken1" }),
    });
    assert.equal(dup.status, 409);
  });

  await t.step("bad timezone and currency are named in the 400", async () => {
    const res = await app.call("POST", "/api/v1/organizations", {
      token: sa,
      body: newOrg({ timezone: "Mars/Olympus", currency: "shillings", type: "SPA" }),
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.errors.map((e: any) => e.path).sort(), [
      "currency",
      "timezone",
      "type",
    ]);
  });

  await t.step("the super admin sees organisations but no patient data", async () => {
    const list = await app.call("GET", "/api/v1/organizations?limit=2", { token: sa });
    assert.equal(list.status, 200);
    assert.equal(list.body.data.length, 2);
    assert.ok(list.body.nextCursor);
    assert.equal((await app.call("GET", "/api/v1/patients", { token: sa })).status, 403);
  });

  const org = await createOrg(app);

  await t.step(
    "an admin changes the organisation's settings with If-Match; others cannot",
    async () => {
      const current = await app.call("GET", "/api/v1/organizations/current", { token: org.admin });
      assert.equal(current.headers.get("etag"), `"${current.body.version}"`);
      const updated = await app.call("PATCH", "/api/v1/organizations/current", {
        token: org.admin,
        headers: { "if-match": current.headers.get("etag")! },
        body: { timezone: "Africa/Kampala", currency: "UGX" },
      });
      assert.equal(updated.status, 200);
      assert.equal(updated.body.timezone, "Africa/Kampala");
      assert.equal(updated.body.code, current.body.code);
      const stale = await app.call("PATCH", "/api/v1/organizations/current", {
        token: org.admin,
        headers: { "if-match": current.headers.get("etag")! },
        body: { name: "Late" },
      });
      assert.equal(stale.status, 412);
      const lab = await org.tokenFor("LAB");
      const denied = await app.call("PATCH", "/api/v1/organizations/current", {
        token: lab,
        body: { name: "Lab's Clinic" },
      });
      assert.equal(denied.status, 403);
      const bad = await app.call("PATCH", "/api/v1/organizations/current", {
        token: org.admin,
        body: { timezone: "Nowhere/Land" },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].path, "timezone");
    },
  );

  await t.step(
    "employee ids follow the role and stay unique when eight accept at once",
    async () => {
      const codes = [];
      for (let i = 0; i < 8; i++) {
        const inv = await invite(app, org.admin, {
          email: `doc${i}.${crypto.randomUUID()}@test.clinic`,
          fullName: `Doctor ${i}`,
          role: "DOCTOR",
        });
        codes.push(inv.code);
      }
      const results = await Promise.all(codes.map((code) => acceptInvitation(app, code)));
      assert.ok(results.every((r) => r.status === 200), JSON.stringify(results.map((r) => r.body)));
      const ids = results.map((r) => r.body.user.organizations[0].employeeId).sort();
      assert.deepEqual(ids, [
        "DOC001",
        "DOC002",
        "DOC003",
        "DOC004",
        "DOC005",
        "DOC006",
        "DOC007",
        "DOC008",
      ]);
    },
  );

  await t.step(
    "two racing acceptances for one new email: one 200, one 409, never 500",
    async () => {
      const email = `twin.${crypto.randomUUID()}@test.clinic`;
      const first = await invite(app, org.admin, { email, fullName: "Twin", role: "NURSE" });
      const second = await invite(app, org.admin, { email, fullName: "Twin", role: "NURSE" });
      const results = await Promise.all(
        [first.code, second.code].map((code) => acceptInvitation(app, code)),
      );
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
    },
  );

  await t.step("accepting without a password answers 400 naming the field", async () => {
    const inv = await invite(app, org.admin, {
      email: `nopass.${crypto.randomUUID()}@test.clinic`,
      fullName: "No Pass",
      role: "LAB",
    });
    const res = await app.call("POST", "/api/v1/auth/invitations/accept", {
      body: { code: inv.code },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].path, "password");
  });

  await t.step("an admin cannot deactivate themselves or change their own role", async () => {
    const me = await app.call("GET", "/api/v1/auth/me", { token: org.admin });
    assert.equal(
      (await app.call("DELETE", `/api/v1/users/${me.body.id}`, { token: org.admin })).status,
      422,
    );
    const demote = await app.call("PATCH", `/api/v1/users/${me.body.id}`, {
      token: org.admin,
      body: { role: "NURSE" },
    });
    assert.equal(demote.status, 422);
  });

  await t.step("users list filters by role and pages", async () => {
    const list = await app.call("GET", "/api/v1/users?role=DOCTOR&limit=5", { token: org.admin });
    assert.equal(list.body.data.length, 5);
    assert.ok(list.body.data.every((u: any) => u.role === "DOCTOR"));
    const rest = await app.call(
      "GET",
      `/api/v1/users?role=DOCTOR&limit=5&cursor=${list.body.nextCursor}`,
      {
        token: org.admin,
      },
    );
    assert.equal(rest.body.data.length, 3);
  });

  await t.step("facilities: create, read with ETag, update with If-Match, deactivate", async () => {
    const created = await app.call("POST", "/api/v1/facilities", {
      token: org.admin,
      body: { name: "Westlands Branch", code: "west", phone: "+254 700 000 000" },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.code, "WEST");
    const dup = await app.call("POST", "/api/v1/facilities", {
      token: org.admin,
      body: { name: "Other", code: "WEST" },
    });
    assert.equal(dup.status, 409);
    const read = await app.call("GET", `/api/v1/facilities/${created.body.id}`, {
      token: await org.tokenFor("NURSE"),
    });
    assert.equal(read.headers.get("etag"), '"1"');
    const stale = await app.call("PATCH", `/api/v1/facilities/${created.body.id}`, {
      token: org.admin,
      headers: { "if-match": '"7"' },
      body: { name: "Renamed" },
    });
    assert.equal(stale.status, 412);
    const updated = await app.call("PATCH", `/api/v1/facilities/${created.body.id}`, {
      token: org.admin,
      headers: { "if-match": '"1"' },
      body: { name: "Westlands" },
    });
    assert.equal(updated.body.version, 2);
    const off = await app.call("DELETE", `/api/v1/facilities/${created.body.id}`, {
      token: org.admin,
    });
    assert.equal(off.body.active, false);
    const active = await app.call("GET", "/api/v1/facilities?active=true", { token: org.admin });
    assert.ok(!active.body.data.some((f: any) => f.id === created.body.id));
  });

  await t.step("a user's facility must belong to the organisation", async () => {
    const other = await createOrg(app);
    const res = await app.call("POST", "/api/v1/users", {
      token: org.admin,
      body: {
        email: `wrongfac.${crypto.randomUUID()}@test.clinic`,
        fullName: "Wrong Facility",
        role: "NURSE",
        facilityId: other.facilityId,
      },
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.errors[0].path, "facilityId");
  });

  await t.step("every business row written here has its insert in the change log", async () => {
    for (const table of ["organizations", "facilities", "users", "memberships", "invitations"]) {
      const [[missing]] = await app.deps.db.db.values<[number]>(sql.raw(
        `SELECT count(*) FROM ${table} WHERE id NOT IN (SELECT row_id FROM change_log ` +
          `WHERE table_name = '${table}' AND operation = 'insert')`,
      ));
      assert.equal(missing, 0, `${table} rows without a change-log insert`);
    }
  });

  await app.close();
});
