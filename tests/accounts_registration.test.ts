import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { auditEvents, memberships, sequences, users } from "../db/schema/mod.ts";
import { createTestApp, PASSWORD, type TestApp } from "./helpers/app.ts";
import { createOrg, createStaff, login } from "./helpers/factories.ts";
import { updateUser } from "../src/modules/users/service.ts";

const NEW_PASSWORD = "violet kettle drums at dawn";
let n = 0;
const email = (who: string) => `${who}.${Date.now().toString(36)}${n++}@register.test`;

function register(app: TestApp, body: Record<string, unknown>, ip = "10.20.0.1") {
  return app.call("POST", "/api/v1/auth/register", { body, ip });
}

Deno.test("self-registration, approval and login by employee id", async (t) => {
  // The clock moves forward in steps, so temporary access can run out in the middle of a test.
  let offsetMs = 0;
  const app = await createTestApp({ REGISTRATION_TEMPORARY_HOURS: "0.05" }, {
    clock: { now: () => new Date(Date.now() + offsetMs) },
  });
  const org = await createOrg(app);
  const applicant = (overrides: Record<string, unknown> = {}) => ({
    organizationCode: org.code.toLowerCase(),
    fullName: "Amina Otieno",
    email: email("amina"),
    phone: "+254 712 345678",
    requestedRole: "NURSE",
    password: NEW_PASSWORD,
    ...overrides,
  });
  const pending = async () =>
    (await app.call("GET", "/api/v1/users/pending", { token: org.admin })).body.data as {
      id: string;
      email: string;
      employeeId: string;
      temporaryAccess: boolean;
      version: number;
    }[];

  await t.step("a registration answers 201 and the account works at once on its role", async () => {
    const body = applicant();
    const res = await register(app, body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, "received");
    const listed = (await pending()).find((p) => p.email === body.email);
    assert.ok(listed?.temporaryAccess);
    assert.match(listed.employeeId, /^NUR\d{3}$/);
    const session = await login(app, body.email, NEW_PASSWORD);
    assert.equal(session.user.role, "NURSE");
    // Only what the role allows: a nurse does not manage staff.
    const denied = await app.call("GET", "/api/v1/users", { token: session.accessToken });
    assert.equal(denied.status, 403);
    await app.deps.audit.flush();
    const trail = await app.deps.db.db.select().from(auditEvents)
      .where(eq(auditEvents.actorId, listed.id));
    const roles = new Set(trail.map((e) => `${e.action} ${e.actorRole}`));
    for (const action of ["auth.register", "auth.login", "access.denied"]) {
      assert.ok(roles.has(`${action} NURSE (temporary)`), [...roles].join(", "));
    }
  });

  await t.step("login by organisation code and employee id, unique only within it", async () => {
    const body = applicant({ email: email("emp") });
    assert.equal((await register(app, body)).status, 201);
    const { employeeId } = (await pending()).find((p) => p.email === body.email)!;
    // Another organisation has the same employee id: the code tells them apart.
    const other = await createOrg(app);
    const nurse = await createStaff(app, other.admin, "NURSE");
    const res = await app.call("POST", "/api/v1/auth/login", {
      body: {
        organizationCode: org.code,
        employeeId: employeeId.toLowerCase(),
        password: NEW_PASSWORD,
      },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.user.email, body.email);
    assert.equal(res.body.user.organizationId, org.id);
    const wrongOrg = await app.call("POST", "/api/v1/auth/login", {
      body: { organizationCode: other.code, employeeId, password: NEW_PASSWORD },
    });
    assert.equal(wrongOrg.status, 401);
    const theirs = await app.call("POST", "/api/v1/auth/login", {
      body: { organizationCode: other.code, employeeId: "NUR001", password: PASSWORD },
    });
    assert.equal(theirs.status, 200);
    assert.equal(theirs.body.user.email, nurse.email);
    const both = await app.call("POST", "/api/v1/auth/login", {
      body: { email: body.email, organizationCode: org.code, password: NEW_PASSWORD },
    });
    assert.equal(both.status, 400);
  });

  await t.step("ADMIN, a weak password and an unknown organisation answer 422", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ requestedRole: "ADMIN" }, "requestedRole"],
      [{ password: "qwerty123456" }, "password"],
      [{ password: "QWERTY123456" }, "password"],
      [{ password: "short-pass" }, "password"],
      [{ organizationCode: "NO-SUCH-ORG" }, "organizationCode"],
    ];
    for (const [change, field] of cases) {
      const res = await register(app, applicant(change));
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.errors[0].path, field);
    }
  });

  await t.step(
    "an email with an account answers the same and the account stays as it was",
    async () => {
      const [before] = await app.deps.db.db.select().from(users)
        .where(eq(users.email, org.adminEmail));
      const fresh = await register(app, applicant({ email: email("fresh") }));
      const taken = await register(
        app,
        applicant({
          email: org.adminEmail,
          fullName: "Someone Else",
          password: "a different long password",
        }),
      );
      assert.equal(taken.status, fresh.status);
      assert.deepEqual(
        { ...taken.body },
        { ...fresh.body },
      );
      const [after] = await app.deps.db.db.select().from(users)
        .where(eq(users.email, org.adminEmail));
      assert.deepEqual(after, before);
      await login(app, org.adminEmail);
      assert.ok(!(await pending()).some((p) => p.email === org.adminEmail));
    },
  );

  await t.step("six registering at once get six distinct employee ids", async () => {
    const bodies = Array.from(
      { length: 6 },
      () => applicant({ email: email("many"), requestedRole: "LAB" }),
    );
    const results = await Promise.all(bodies.map((b, i) => register(app, b, `10.21.0.${i}`)));
    assert.ok(results.every((r) => r.status === 201), JSON.stringify(results.map((r) => r.body)));
    const ids = (await pending()).filter((p) => bodies.some((b) => b.email === p.email))
      .map((p) => p.employeeId).sort();
    assert.deepEqual(ids, ["LAB001", "LAB002", "LAB003", "LAB004", "LAB005", "LAB006"]);
  });

  await t.step("employee ids go on past 999", async () => {
    await app.deps.db.transaction((tx) =>
      tx.update(sequences).set({ value: 999 })
        .where(and(eq(sequences.orgId, org.id), eq(sequences.name, "employee:LAB")))
    );
    const body = applicant({ email: email("thousand"), requestedRole: "LAB" });
    assert.equal((await register(app, body)).status, 201);
    assert.equal((await pending()).find((p) => p.email === body.email)?.employeeId, "LAB1000");
  });

  await t.step(
    "approval grants a role, possibly another, and ends the temporary marker",
    async () => {
      const body = applicant({ email: email("approve"), requestedRole: "DOCTOR" });
      await register(app, body);
      const { id } = (await pending()).find((p) => p.email === body.email)!;
      await login(app, body.email, NEW_PASSWORD);
      const res = await app.call("POST", `/api/v1/users/${id}/approve`, {
        token: org.admin,
        body: { role: "NURSE" },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.role, "NURSE");
      const again = await app.call("POST", `/api/v1/users/${id}/approve`, {
        token: org.admin,
        body: { role: "NURSE" },
      });
      assert.equal(again.status, 409);
      const session = await login(app, body.email, NEW_PASSWORD);
      assert.equal(session.user.role, "NURSE");
      await app.deps.audit.flush();
      const logins = await app.deps.db.db.select().from(auditEvents).where(and(
        eq(auditEvents.actorId, id),
        eq(auditEvents.action, "auth.login"),
      )).orderBy(auditEvents.seq);
      assert.deepEqual(logins.map((e) => e.actorRole), ["DOCTOR (temporary)", "NURSE"]);
      const [m] = await app.deps.db.db.select().from(memberships)
        .where(eq(memberships.userId, id));
      assert.equal(m.status, "approved");
      assert.equal(m.requestedRole, "DOCTOR");
      assert.equal(m.temporaryUntil, null);
    },
  );

  await t.step("rejection ends the sessions and login says so (403, its own type)", async () => {
    const body = applicant({ email: email("reject") });
    await register(app, body);
    const { id } = (await pending()).find((p) => p.email === body.email)!;
    const session = await login(app, body.email, NEW_PASSWORD);
    const res = await app.call("POST", `/api/v1/users/${id}/reject`, {
      token: org.admin,
      body: { reason: "Not on the staff roster." },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const me = await app.call("GET", "/api/v1/auth/me", { token: session.accessToken });
    assert.equal(me.status, 401);
    const denied = await app.call("POST", "/api/v1/auth/login", {
      body: { email: body.email, password: NEW_PASSWORD },
    });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.type, "https://clinic-api.dev/problems/registration-rejected");
    // Only after the password: a wrong one answers the usual 401.
    const wrong = await app.call("POST", "/api/v1/auth/login", {
      body: { email: body.email, password: "not the password at all" },
    });
    assert.equal(wrong.status, 401);
    assert.notEqual(wrong.body.type, denied.body.type);
  });

  await t.step(
    "a deactivated member is told so after the password (403, its own type)",
    async () => {
      const staff = await createStaff(app, org.admin, "RECEPTION");
      const res = await app.call("DELETE", `/api/v1/users/${staff.id}`, { token: org.admin });
      assert.equal(res.status, 200);
      const denied = await app.call("POST", "/api/v1/auth/login", {
        body: { email: staff.email, password: PASSWORD },
      });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.type, "https://clinic-api.dev/problems/account-deactivated");
    },
  );

  await t.step("temporary access runs out: on the next request, and at login (403)", async () => {
    const body = applicant({ email: email("expire") });
    await register(app, body);
    const session = await login(app, body.email, NEW_PASSWORD);
    assert.equal(
      (await app.call("GET", "/api/v1/auth/me", { token: session.accessToken })).status,
      200,
    );
    offsetMs += 4 * 60_000; // past 0.05 hours (3 minutes), well within the token's 15
    const me = await app.call("GET", "/api/v1/auth/me", { token: session.accessToken });
    assert.equal(me.status, 401);
    const denied = await app.call("POST", "/api/v1/auth/login", {
      body: { email: body.email, password: NEW_PASSWORD },
    });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.type, "https://clinic-api.dev/problems/pending-approval");
    assert.ok((await pending()).some((p) => p.email === body.email && !p.temporaryAccess));
  });

  // Two admins, each about to take the other's ADMIN role away.
  const pairOfAdmins = async () => {
    const solo = await createOrg(app);
    const second = await createStaff(app, solo.admin, "ADMIN");
    const secondToken = (await login(app, second.email)).accessToken;
    return { solo, firstId: await solo.userIdFor("ADMIN"), second, secondToken };
  };
  const activeAdmins = async (orgId: string) =>
    (await app.deps.db.db.select().from(memberships).where(and(
      eq(memberships.orgId, orgId),
      eq(memberships.role, "ADMIN"),
      eq(memberships.active, true),
    ))).length;
  const actor = (orgId: string, userId: string) => ({
    userId,
    orgId,
    role: "ADMIN" as const,
    facilityId: null,
    requestId: crypto.randomUUID(),
    ip: null,
    userAgent: null,
  });

  await t.step("two admins demoting each other at once: exactly one wins", async () => {
    // Both past authorisation, as when each request's principal was read before either wrote:
    // the write transaction alone decides.
    const { solo, firstId, second } = await pairOfAdmins();
    const results = await Promise.allSettled([
      updateUser(app.deps, actor(solo.id, firstId), second.id, { role: "DOCTOR" }, undefined),
      updateUser(app.deps, actor(solo.id, second.id), firstId, { role: "DOCTOR" }, undefined),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    assert.equal(refused.reason.status, 409);
    assert.equal(refused.reason.extra.rule, "last-admin");
    assert.equal(await activeAdmins(solo.id), 1);
  });

  await t.step("over HTTP too, demoting or deactivating each other: one wins", async () => {
    for (const method of ["PATCH", "DELETE"] as const) {
      const { solo, firstId, second, secondToken } = await pairOfAdmins();
      const body = method === "PATCH" ? { role: "NURSE" } : undefined;
      const results = await Promise.all([
        app.call(method, `/api/v1/users/${second.id}`, { token: solo.admin, body }),
        app.call(method, `/api/v1/users/${firstId}`, { token: secondToken, body }),
      ]);
      // The loser is refused by the write (409) or, once the winner committed, by its own lost
      // role (403 or 401).
      const statuses = results.map((r) => r.status).sort();
      assert.equal(statuses[0], 200, JSON.stringify(results.map((r) => r.body)));
      assert.ok([401, 403, 409].includes(statuses[1]), JSON.stringify(results.map((r) => r.body)));
      assert.equal(await activeAdmins(solo.id), 1);
    }
  });

  await app.close();
});
