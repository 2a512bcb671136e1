/**
 * What an attack on the running server found, each as the rule that now holds: accounts belong
 * to people (invitations), failed and refused logins reach the right audit trail, no secret is
 * stored in plain text, and the smaller leaks (caching, NUL, multipart errors, exp, download
 * names). Import limits have their own file (patient_import_limits.test.ts).
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { sign } from "hono/jwt";
import { memberships, users } from "../db/schema/mod.ts";
import { ensureSuperAdmin } from "../src/modules/users/bootstrap.ts";
import { createTestApp, PASSWORD, SUPER_ADMIN } from "./helpers/app.ts";
import {
  acceptInvitation,
  createOrg,
  createPatient,
  createStaff,
  invite,
  login,
  superAdminToken,
} from "./helpers/factories.ts";

/** The parts of an answer that do not vary by design (ids, codes and times always do). */
const shapeOf = (body: Record<string, unknown>) => {
  const { id: _i, code: _c, email: _e, expiresAt: _x, createdAt: _t, requestId: _r, ...rest } =
    body;
  return rest;
};

Deno.test("accounts belong to people, not to whichever organisation names them", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);
  const sa = await superAdminToken(app);
  const root =
    (await app.deps.db.db.select().from(users).where(eq(users.email, SUPER_ADMIN.email)))[0];

  await t.step(
    "inviting the super admin's address changes nothing about that account",
    async () => {
      const inv = await invite(app, org.admin, {
        email: SUPER_ADMIN.email,
        fullName: "Hijacked Root",
        role: "NURSE",
      });
      assert.equal(inv.status, "pending");
      const rows = await app.deps.db.db.select().from(memberships)
        .where(eq(memberships.userId, root.id));
      assert.equal(rows.length, 0);
      const [after] = await app.deps.db.db.select().from(users).where(eq(users.id, root.id));
      assert.deepEqual(after, root);
      // Every later login of the super admin is still a platform session.
      const session = await login(app, SUPER_ADMIN.email, SUPER_ADMIN.password);
      assert.equal(session.user.role, "SUPER_ADMIN");
      assert.equal(session.user.organizationId, null);
      const orgs = await app.call("GET", "/api/v1/organizations", { token: session.accessToken });
      assert.equal(orgs.status, 200);
    },
  );

  await t.step("nothing about an invited account shows to the inviting organisation", async () => {
    const list = await app.call("GET", "/api/v1/users?limit=100", { token: org.admin });
    assert.ok(!list.body.data.some((u: { email: string }) => u.email === SUPER_ADMIN.email));
    const invitations = await app.call("GET", "/api/v1/users/invitations", { token: org.admin });
    const mine = invitations.body.data.find((i: { email: string }) =>
      i.email === SUPER_ADMIN.email
    );
    // What the admin typed, not the account's name; no account id.
    assert.equal(mine.fullName, "Hijacked Root");
    assert.equal(mine.userId, null);
    assert.ok(!("code" in mine));
  });

  await t.step(
    "POST /users answers the same whether or not the address has an account",
    async () => {
      const known = await app.call("POST", "/api/v1/users", {
        token: org.admin,
        body: { email: SUPER_ADMIN.email, fullName: "Someone", role: "LAB" },
      });
      const unknown = await app.call("POST", "/api/v1/users", {
        token: org.admin,
        body: {
          email: `nobody.${crypto.randomUUID()}@test.clinic`,
          fullName: "Someone",
          role: "LAB",
        },
      });
      assert.equal(known.status, 201);
      assert.equal(unknown.status, 201);
      assert.deepEqual(shapeOf(known.body), shapeOf(unknown.body));
      assert.deepEqual(Object.keys(known.body).sort(), Object.keys(unknown.body).sort());
      // A facility of nobody's: the same 422 for both (it used to tell them apart).
      const facilityId = crypto.randomUUID();
      const [a, b] = await Promise.all(
        [SUPER_ADMIN.email, "fresh.address@test.clinic"].map((email) =>
          app.call("POST", "/api/v1/users", {
            token: org.admin,
            body: { email, fullName: "Someone", role: "LAB", facilityId },
          })
        ),
      );
      assert.equal(a.status, 422);
      assert.deepEqual(shapeOf(a.body), shapeOf(b.body));
    },
  );

  await t.step(
    "an existing account joins only with its own password; 5 wrong, even at once, revoke",
    async () => {
      const other = await createOrg(app);
      const doctor = await createStaff(app, org.admin, "DOCTOR", "Dr Own Name");
      const inv = await invite(app, other.admin, {
        email: doctor.email,
        fullName: "Renamed By Other",
        role: "NURSE",
      });
      // Five wrong guesses at once: each is counted, in the transaction.
      const wrong = await Promise.all(
        [0, 1, 2, 3, 4].map((i) =>
          acceptInvitation(app, inv.code, `wrong-password-${i}`, `10.7.0.${i}`)
        ),
      );
      assert.deepEqual(wrong.map((r) => r.status), [401, 401, 401, 401, 401]);
      const late = await acceptInvitation(app, inv.code, PASSWORD, "10.7.1.1");
      assert.equal(late.status, 401, "the invitation was revoked after five wrong passwords");
      const list = await app.call("GET", "/api/v1/users/invitations?status=revoked", {
        token: other.admin,
      });
      assert.ok(list.body.data.some((i: { id: string }) => i.id === inv.id));
      await app.deps.audit.flush();
      const failures = await app.call(
        "GET",
        "/api/v1/audit-events?action=auth.invitation.failed",
        { token: other.admin },
      );
      assert.equal(failures.body.data.length, 5);

      const again = await invite(app, other.admin, {
        email: doctor.email,
        fullName: "Renamed By Other",
        role: "NURSE",
      });
      const joined = await acceptInvitation(app, again.code, PASSWORD, "10.7.1.2");
      assert.equal(joined.status, 200);
      assert.equal(joined.body.user.organizationId, other.id);
      assert.equal(joined.body.user.fullName, "Dr Own Name");
      await login(app, doctor.email, PASSWORD); // the password is the person's, unchanged
    },
  );

  await t.step("one code accepted twice at once: one joins, the other is refused", async () => {
    const email = `race.${crypto.randomUUID()}@test.clinic`;
    const inv = await invite(app, org.admin, { email, role: "LAB" });
    const sloppy = inv.code.toLowerCase().replaceAll("-", " ");
    const results = await Promise.all([
      acceptInvitation(app, inv.code, PASSWORD, "10.8.0.1"),
      acceptInvitation(app, sloppy, PASSWORD, "10.8.0.2"),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 401]);
    const [account] = await app.deps.db.db.select().from(users).where(eq(users.email, email));
    const rows = await app.deps.db.db.select().from(memberships)
      .where(eq(memberships.userId, account.id));
    assert.equal(rows.length, 1);
  });

  await t.step(
    "an organisation's admin changes membership fields only, never the name",
    async () => {
      const other = await createOrg(app);
      const doctor = await createStaff(app, org.admin, "DOCTOR", "Dr Kept Name");
      const inv = await invite(app, other.admin, { email: doctor.email, role: "DOCTOR" });
      assert.equal((await acceptInvitation(app, inv.code)).status, 200);
      const renamed = await app.call("PATCH", `/api/v1/users/${doctor.id}`, {
        token: other.admin,
        body: { fullName: "Dr Hijacked" },
      });
      assert.equal(renamed.status, 400);
      assert.match(JSON.stringify(renamed.body.errors), /fullName/);
      const home = await app.call("GET", `/api/v1/users/${doctor.id}`, { token: org.admin });
      assert.equal(home.body.fullName, "Dr Kept Name");
      // Membership fields are the admin's: the employee id, for one.
      const relabel = await app.call("PATCH", `/api/v1/users/${doctor.id}`, {
        token: other.admin,
        body: { employeeId: "doc-777" },
      });
      assert.equal(relabel.status, 200);
      assert.equal(relabel.body.employeeId, "DOC-777");
      const home2 = await app.call("GET", `/api/v1/users/${doctor.id}`, { token: org.admin });
      assert.notEqual(home2.body.employeeId, "DOC-777");
    },
  );

  await t.step("the person changes their own name, audited in each organisation", async () => {
    const other = await createOrg(app);
    const nurse = await createStaff(app, org.admin, "NURSE", "Nurse Before");
    const inv = await invite(app, other.admin, { email: nurse.email, role: "NURSE" });
    assert.equal((await acceptInvitation(app, inv.code)).status, 200);
    const session = await login(app, nurse.email, PASSWORD, org.id);
    const res = await app.call("PATCH", "/api/v1/auth/me", {
      token: session.accessToken,
      body: { fullName: "Nurse After" },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.fullName, "Nurse After");
    for (const admin of [org.admin, other.admin]) {
      const trail = await app.call(
        "GET",
        `/api/v1/audit-events?action=user.update-self&entityId=${nurse.id}`,
        { token: admin },
      );
      assert.equal(trail.body.data.length, 1);
    }
  });

  await t.step("a super admin who joined an organisation still reaches the platform", async () => {
    const inv = await invite(app, org.admin, { email: SUPER_ADMIN.email, role: "DOCTOR" });
    const joined = await acceptInvitation(app, inv.code, SUPER_ADMIN.password);
    assert.equal(joined.status, 200);
    const plain = await login(app, SUPER_ADMIN.email, SUPER_ADMIN.password);
    assert.equal(plain.user.role, "SUPER_ADMIN");
    const inOrg = await login(app, SUPER_ADMIN.email, SUPER_ADMIN.password, org.id);
    assert.equal(inOrg.user.role, "DOCTOR");
    const back = await app.call("POST", "/api/v1/auth/switch-organization", {
      token: inOrg.accessToken,
      body: { organizationId: null },
    });
    assert.equal(back.status, 200);
    assert.equal(back.body.user.role, "SUPER_ADMIN");
    assert.equal(
      (await app.call("GET", "/api/v1/organizations", { token: back.body.accessToken })).status,
      200,
    );
    // Nobody else has a platform session.
    const nurse = await login(app, (await createStaff(app, org.admin, "NURSE")).email);
    const denied = await app.call("POST", "/api/v1/auth/switch-organization", {
      token: nurse.accessToken,
      body: { organizationId: null },
    });
    assert.equal(denied.status, 403);
  });

  await t.step("no super admin is made an organisation's admin by another", async () => {
    const second = { email: "root2@platform.test", password: PASSWORD, fullName: "Root Two" };
    await ensureSuperAdmin(app.deps, second);
    const res = await app.call("POST", "/api/v1/organizations", {
      token: sa,
      body: {
        name: "Trap Clinic",
        type: "CLINIC",
        timezone: "Africa/Nairobi",
        currency: "KES",
        admin: { email: second.email, password: PASSWORD, fullName: "Trapped" },
      },
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.errors[0].path, "admin.email");
  });

  await app.close();
});

Deno.test("failed and refused logins reach the trail of the account's organisations", async (t) => {
  const app = await createTestApp({ LOGIN_RATE_LIMIT: "3", LOGIN_RATE_WINDOW_SECONDS: "60" });
  const org = await createOrg(app);
  const other = await createOrg(app);
  const nurse = await createStaff(app, org.admin, "NURSE", "Two Homes");
  const inv = await invite(app, other.admin, { email: nurse.email, role: "NURSE" });
  assert.equal((await acceptInvitation(app, inv.code)).status, 200);
  const sa = await superAdminToken(app);
  const trail = async (token: string, query: string, path = "/api/v1/audit-events") => {
    await app.deps.audit.flush();
    return (await app.call("GET", `${path}?${query}`, { token })).body.data as any[];
  };

  await t.step("a wrong password shows in each organisation of the account", async () => {
    const res = await app.call("POST", "/api/v1/auth/login", {
      body: { email: nurse.email, password: "not-the-password" },
      ip: "10.1.1.1",
    });
    assert.equal(res.status, 401);
    for (const admin of [org.admin, other.admin]) {
      const entries = await trail(admin, "action=auth.login.failed");
      assert.equal(entries.length, 1);
      assert.equal(entries[0].entityId, nurse.id);
      assert.equal(entries[0].ip, "10.1.1.1");
    }
  });

  await t.step(
    "an unknown account goes to the platform trail, which only SUPER_ADMIN reads",
    async () => {
      await app.call("POST", "/api/v1/auth/login", {
        body: { email: "ghost@nowhere.test", password: "whatever-123" },
        ip: "10.1.1.2",
      });
      const entries = await trail(sa, "action=auth.login.failed", "/api/v1/platform/audit-events");
      assert.ok(entries.some((e) => e.ip === "10.1.1.2" && e.entityId === null));
      const denied = await app.call("GET", "/api/v1/platform/audit-events", { token: org.admin });
      assert.equal(denied.status, 403);
    },
  );

  await t.step("429 refusals are recorded once per key and window, not per attempt", async () => {
    for (let i = 0; i < 20; i++) {
      await app.call("POST", "/api/v1/auth/login", {
        body: { email: nurse.email, password: `bad-${i}-password` },
        ip: "10.1.1.3",
      });
    }
    const refused = await trail(org.admin, "action=auth.login.rate-limited");
    assert.equal(refused.length, 1);
    assert.equal(refused[0].outcome, "denied");
    assert.equal(refused[0].ip, "10.1.1.3");
    assert.equal((await trail(other.admin, "action=auth.login.rate-limited")).length, 1);
  });

  await app.close();
});

Deno.test("no secret is stored in plain text", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);
  const secrets: string[] = [PASSWORD, SUPER_ADMIN.password];

  await t.step("a token-issuing POST is not replayable through Idempotency-Key", async () => {
    const other = await createOrg(app);
    const staff = await createStaff(app, org.admin, "DOCTOR");
    const inv = await invite(app, other.admin, { email: staff.email, role: "DOCTOR" });
    const joined = await acceptInvitation(app, inv.code);
    secrets.push(inv.code, joined.body.accessToken, joined.body.refreshToken);
    // Two sessions of one user in one organisation share the idempotency scope.
    const desk = await login(app, staff.email, PASSWORD, org.id);
    const phone = await login(app, staff.email, PASSWORD, org.id);
    secrets.push(desk.accessToken, desk.refreshToken, phone.accessToken, phone.refreshToken);
    const headers = { "idempotency-key": "switch-1" };
    const body = { organizationId: other.id };
    const first = await app.call("POST", "/api/v1/auth/switch-organization", {
      token: desk.accessToken,
      body,
      headers,
    });
    assert.equal(first.status, 200);
    secrets.push(first.body.accessToken, first.body.refreshToken);
    const replay = await app.call("POST", "/api/v1/auth/switch-organization", {
      token: phone.accessToken,
      body,
      headers,
    });
    assert.equal(replay.status, 409);
    assert.equal(replay.body.accessToken, undefined);
    assert.ok(!JSON.stringify(replay.body).includes(first.body.refreshToken));
  });

  await t.step("an invitation's code is not replayable either", async () => {
    const headers = { "idempotency-key": "invite-1" };
    const body = { email: "replay@test.clinic", fullName: "Replay", role: "LAB" };
    const first = await app.call("POST", "/api/v1/users", { token: org.admin, body, headers });
    assert.equal(first.status, 201);
    secrets.push(first.body.code);
    const replay = await app.call("POST", "/api/v1/users", { token: org.admin, body, headers });
    assert.equal(replay.status, 409);
    assert.ok(!JSON.stringify(replay.body).includes(first.body.code));
  });

  await t.step("after a full auth flow, no table holds a token, code or password", async () => {
    const staff = await login(app, org.adminEmail);
    const refreshed = await app.call("POST", "/api/v1/auth/refresh", {
      body: { refreshToken: staff.refreshToken },
    });
    secrets.push(staff.accessToken, staff.refreshToken, refreshed.body.refreshToken);
    const handle = app.deps.db;
    const names = (await handle.readRows(
      "SELECT name FROM sqlite_master WHERE type = 'table'",
      [],
    )).map((r) => String(r[0]));
    assert.ok(names.includes("idempotency_keys") && names.includes("refresh_tokens"));
    let scanned = 0;
    for (const name of names) {
      const rows = await handle.readRows(`SELECT * FROM "${name}"`, []);
      const text = JSON.stringify(rows);
      scanned += rows.length;
      for (const secret of secrets) {
        assert.ok(!text.includes(secret), `${name} holds a secret in plain text`);
      }
    }
    assert.ok(scanned > 50, `only ${scanned} rows scanned`);
  });

  await app.close();
});

Deno.test("the smaller leaks", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);
  const reception = await org.tokenFor("RECEPTION");
  const patient = await createPatient(app, reception);

  await t.step("every response carrying patient data says Cache-Control: no-store", async () => {
    for (
      const path of [
        `/api/v1/patients/${patient.id}`,
        "/api/v1/patients?q=amani",
        `/api/v1/patients/${patient.id}/summary`,
        `/api/v1/patients/${patient.id}/history`,
      ]
    ) {
      const res = await app.call("GET", path, { token: reception });
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get("cache-control"), "no-store", path);
    }
  });

  await t.step("a NUL character in text answers 422 naming the field", async () => {
    const res = await app.call("POST", "/api/v1/patients", {
      token: reception,
      body: { givenName: "Ama\u0000ni", familyName: "Nul", allowDuplicate: true },
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.errors[0].path, "givenName");
    const query = await app.call("GET", "/api/v1/patients?q=ab%00cd", { token: reception });
    assert.equal(query.status, 422);
    assert.equal(query.body.errors[0].in, "query");
  });

  await t.step("a malformed multipart body is called malformed multipart", async () => {
    const res = await app.call("POST", `/api/v1/patients/${patient.id}/documents`, {
      token: reception,
      headers: { "content-type": "multipart/form-data; boundary=XYZ" },
      body: "this is not multipart at all",
    });
    assert.equal(res.status, 400);
    assert.match(res.body.detail, /multipart\/form-data/);
    assert.doesNotMatch(res.body.detail, /JSON/);
  });

  await t.step("a correctly signed access token without exp is refused", async () => {
    const session = await login(app, org.adminEmail);
    const [, payload] = session.accessToken.split(".");
    const claims = JSON.parse(atob(payload.replaceAll("-", "+").replaceAll("_", "/")));
    delete claims.exp;
    const forever = await sign(claims, app.deps.config.jwt.secret, "HS256");
    const res = await app.call("GET", "/api/v1/auth/me", { token: forever });
    assert.equal(res.status, 401);
  });

  await t.step("a download carries the extension of the detected type", async () => {
    const doctor = await org.tokenFor("DOCTOR");
    const form = new FormData();
    const pdf = new TextEncoder().encode("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n");
    form.append("file", new File([pdf], "scan.bat"));
    const up = await app.call("POST", `/api/v1/patients/${patient.id}/documents`, {
      token: doctor,
      body: form,
    });
    assert.equal(up.status, 201, JSON.stringify(up.body));
    assert.equal(up.body.fileName, "scan.bat");
    const res = await app.app.request(
      `/api/v1/patients/${patient.id}/documents/${up.body.id}/content`,
      { headers: { authorization: `Bearer ${doctor}` } },
    );
    await res.body?.cancel();
    assert.equal(res.headers.get("content-type"), "application/pdf");
    assert.match(res.headers.get("content-disposition")!, /filename="scan\.pdf"/);
  });

  await app.close();
});
