import assert from "node:assert/strict";
import { desc, eq } from "drizzle-orm";
import { sign } from "hono/jwt";
import { auditEvents } from "../db/schema/mod.ts";
import { createTestApp, PASSWORD } from "./helpers/app.ts";
import { acceptInvitation, createOrg, createStaff, invite, login } from "./helpers/factories.ts";

Deno.test("auth", async (t) => {
  const app = await createTestApp({ LOGIN_RATE_LIMIT: "3", LOGIN_RATE_WINDOW_SECONDS: "60" });
  const org = await createOrg(app);
  const { config } = app.deps;

  await t.step("login answers tokens and the user with role and organisation", async () => {
    const res = await app.call("POST", "/api/v1/auth/login", {
      body: { email: org.adminEmail.toUpperCase(), password: PASSWORD },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.tokenType, "Bearer");
    assert.equal(res.body.expiresIn, 900);
    assert.equal(res.body.user.role, "ADMIN");
    assert.equal(res.body.user.organizationId, org.id);
    assert.equal(res.body.user.organizations.length, 1);
    assert.ok(!("passwordHash" in res.body.user));
    const [header, payload] = res.body.accessToken.split(".").slice(0, 2).map((p: string) =>
      JSON.parse(atob(p.replaceAll("-", "+").replaceAll("_", "/")))
    );
    assert.equal(header.alg, "HS256");
    assert.equal(payload.iss, config.jwt.issuer);
    assert.equal(payload.aud, config.jwt.audience);
    assert.equal(payload.org, org.id);
    assert.ok(payload.jti && payload.sid && payload.exp > payload.iat);
  });

  await t.step("unknown email and wrong password give the same 401 and are audited", async () => {
    const unknown = await app.call("POST", "/api/v1/auth/login", {
      body: { email: "nobody@nowhere.test", password: PASSWORD },
      ip: "10.9.9.1",
    });
    const wrong = await app.call("POST", "/api/v1/auth/login", {
      body: { email: org.adminEmail, password: "wrong-password-1" },
      ip: "10.9.9.1",
    });
    assert.equal(unknown.status, 401);
    assert.equal(wrong.status, 401);
    assert.equal(unknown.body.detail, wrong.body.detail);
    await app.deps.audit.flush();
    const failures = await app.deps.db.db.select().from(auditEvents)
      .where(eq(auditEvents.action, "auth.login.failed"));
    assert.equal(failures.length, 2);
    assert.ok(failures.every((e) => e.outcome === "failure" && e.ip === "10.9.9.1"));
    const adminId = await org.userIdFor("ADMIN");
    assert.deepEqual(
      failures.map((e) => e.entityId ?? "unknown").sort(),
      [adminId, "unknown"].sort(),
    );
  });

  await t.step(
    "repeated failures answer 429 with Retry-After, for that address and account only",
    async () => {
      const body = { email: org.adminEmail, password: "wrong-password-1" };
      for (let i = 0; i < 3; i++) {
        assert.equal(
          (await app.call("POST", "/api/v1/auth/login", { body, ip: "10.0.0.66" })).status,
          401,
        );
      }
      const limited = await app.call("POST", "/api/v1/auth/login", {
        body: { ...body, password: PASSWORD },
        ip: "10.0.0.66",
      });
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get("retry-after")) > 0);
      // The real user at their own desk is not locked out by the attacker.
      const fromDesk = await app.call("POST", "/api/v1/auth/login", {
        body: { ...body, password: PASSWORD },
        ip: "10.0.0.5",
      });
      assert.equal(fromDesk.status, 200);
    },
  );

  await t.step(
    "X-Forwarded-For counts only with TRUST_PROXY, and only its last entry",
    async () => {
      const failedLoginIp = async (target: typeof app) => {
        const email = `nobody.${crypto.randomUUID()}@test.clinic`;
        await target.call("POST", "/api/v1/auth/login", {
          body: { email, password: "wrong-password-1" },
          headers: { "x-forwarded-for": "203.0.113.9, 198.51.100.7" },
          ip: "10.1.1.1",
        });
        await target.deps.audit.flush();
        const [newest] = await target.deps.db.db.select().from(auditEvents)
          .where(eq(auditEvents.action, "auth.login.failed"))
          .orderBy(desc(auditEvents.seq)).limit(1);
        return newest?.ip;
      };
      assert.equal(await failedLoginIp(app), "10.1.1.1");
      const proxied = await createTestApp({ TRUST_PROXY: "true" });
      assert.equal(await failedLoginIp(proxied), "198.51.100.7");
      await proxied.close();
    },
  );

  await t.step("refresh rotates the token; reusing an old one ends the session", async () => {
    const first = await login(app, org.adminEmail);
    const second = await app.call("POST", "/api/v1/auth/refresh", {
      body: { refreshToken: first.refreshToken },
    });
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refreshToken, first.refreshToken);
    assert.equal(
      (await app.call("GET", "/api/v1/auth/me", { token: second.body.accessToken })).status,
      200,
    );
    const reuse = await app.call("POST", "/api/v1/auth/refresh", {
      body: { refreshToken: first.refreshToken },
    });
    assert.equal(reuse.status, 401);
    // The whole session is gone: the newest refresh token and the access token too.
    const after = await app.call("POST", "/api/v1/auth/refresh", {
      body: { refreshToken: second.body.refreshToken },
    });
    assert.equal(after.status, 401);
    assert.equal(
      (await app.call("GET", "/api/v1/auth/me", { token: second.body.accessToken })).status,
      401,
    );
    assert.equal(
      (await app.call("GET", "/api/v1/auth/me", { token: first.accessToken })).status,
      401,
    );
  });

  await t.step("an unknown refresh token answers 401", async () => {
    const res = await app.call("POST", "/api/v1/auth/refresh", {
      body: { refreshToken: "made-up" },
    });
    assert.equal(res.status, 401);
  });

  await t.step("logout ends the current session at once; other sessions live on", async () => {
    const a = await login(app, org.adminEmail);
    const b = await login(app, org.adminEmail);
    assert.equal(
      (await app.call("POST", "/api/v1/auth/logout", { token: a.accessToken })).status,
      200,
    );
    assert.equal((await app.call("GET", "/api/v1/auth/me", { token: a.accessToken })).status, 401);
    assert.equal(
      (await app.call("POST", "/api/v1/auth/refresh", { body: { refreshToken: a.refreshToken } }))
        .status,
      401,
    );
    assert.equal((await app.call("GET", "/api/v1/auth/me", { token: b.accessToken })).status, 200);
  });

  await t.step("a user lists their sessions and ends one of them", async () => {
    const { email } = await createStaff(app, org.admin, "DOCTOR", "Lost Phone");
    const desk = await login(app, email);
    const phone = await login(app, email);
    const list = await app.call("GET", "/api/v1/auth/sessions", { token: desk.accessToken });
    assert.equal(list.status, 200);
    assert.equal(list.body.data.length, 2);
    assert.equal(list.body.data.filter((s: any) => s.current).length, 1);
    const phoneSession = list.body.data.find((s: any) => !s.current);
    const ended = await app.call("DELETE", `/api/v1/auth/sessions/${phoneSession.id}`, {
      token: desk.accessToken,
    });
    assert.equal(ended.status, 204);
    assert.equal(
      (await app.call("GET", "/api/v1/auth/me", { token: phone.accessToken })).status,
      401,
    );
    const refresh = await app.call("POST", "/api/v1/auth/refresh", {
      body: { refreshToken: phone.refreshToken },
    });
    assert.equal(refresh.status, 401);
    assert.equal(
      (await app.call("GET", "/api/v1/auth/me", { token: desk.accessToken })).status,
      200,
    );
    // Someone else's session is not found, and stays alive.
    const mine = await app.call("GET", "/api/v1/auth/sessions", { token: org.admin });
    const other = await app.call("DELETE", `/api/v1/auth/sessions/${mine.body.data[0].id}`, {
      token: desk.accessToken,
    });
    assert.equal(other.status, 404);
    assert.equal((await app.call("GET", "/api/v1/auth/me", { token: org.admin })).status, 200);
  });

  await t.step("logout-all ends every session of the user", async () => {
    const { email } = await createStaff(app, org.admin, "LAB", "Many Sessions");
    const a = await login(app, email);
    const b = await login(app, email);
    assert.equal(
      (await app.call("POST", "/api/v1/auth/logout-all", { token: a.accessToken })).status,
      200,
    );
    assert.equal((await app.call("GET", "/api/v1/auth/me", { token: a.accessToken })).status, 401);
    assert.equal((await app.call("GET", "/api/v1/auth/me", { token: b.accessToken })).status, 401);
  });

  await t.step(
    "tokens with another algorithm, issuer, audience or expiry are refused",
    async () => {
      const good = await login(app, org.adminEmail);
      const claims = JSON.parse(
        atob(good.accessToken.split(".")[1].replaceAll("-", "+").replaceAll("_", "/")),
      );
      const now = Math.floor(Date.now() / 1000);
      const variants = [
        await sign({ ...claims, jti: "a" }, config.jwt.secret, "HS512"),
        await sign({ ...claims, jti: "b", iss: "someone-else" }, config.jwt.secret, "HS256"),
        await sign({ ...claims, jti: "c", aud: "other-api" }, config.jwt.secret, "HS256"),
        await sign({ ...claims, jti: "d", exp: now - 10 }, config.jwt.secret, "HS256"),
        await sign(
          { ...claims, jti: "e" },
          "another-secret-another-secret-another-secret",
          "HS256",
        ),
      ];
      for (const token of variants) {
        assert.equal((await app.call("GET", "/api/v1/auth/me", { token })).status, 401);
      }
      // Control: the same claims, correctly signed, are accepted.
      const control = await sign({ ...claims, jti: "f" }, config.jwt.secret, "HS256");
      assert.equal((await app.call("GET", "/api/v1/auth/me", { token: control })).status, 200);
    },
  );

  await t.step("a user in two organisations switches between them", async () => {
    const other = await createOrg(app);
    const { email } = await createStaff(app, org.admin, "DOCTOR", "Dr Both");
    // Existing account: the second organisation invites; the person accepts with their password.
    const inv = await invite(app, other.admin, { email, fullName: "Dr Both", role: "NURSE" });
    const added = await acceptInvitation(app, inv.code);
    assert.equal(added.status, 200);
    const membership = added.body.user.organizations.find((o: any) =>
      o.organizationId === other.id
    );
    assert.equal(membership.employeeId.slice(0, 3), "NUR");
    const first = await login(app, email, PASSWORD, org.id);
    assert.equal(first.user.organizations.length, 2);
    assert.equal(first.user.role, "DOCTOR");
    const switched = await app.call("POST", "/api/v1/auth/switch-organization", {
      token: first.accessToken,
      body: { organizationId: other.id },
    });
    assert.equal(switched.status, 200);
    assert.equal(switched.body.user.role, "NURSE");
    assert.equal(switched.body.user.organizationId, other.id);
    const current = await app.call("GET", "/api/v1/organizations/current", {
      token: switched.body.accessToken,
    });
    assert.equal(current.body.id, other.id);
    // The old session ended with the switch.
    assert.equal(
      (await app.call("GET", "/api/v1/auth/me", { token: first.accessToken })).status,
      401,
    );
    const foreign = await app.call("POST", "/api/v1/auth/switch-organization", {
      token: switched.body.accessToken,
      body: { organizationId: crypto.randomUUID() },
    });
    assert.equal(foreign.status, 403);
  });

  await t.step("a deactivated user is cut off on the next request and cannot log in", async () => {
    const { id, email } = await createStaff(app, org.admin, "RECEPTION", "Leaver");
    const session = await login(app, email);
    assert.equal(
      (await app.call("DELETE", `/api/v1/users/${id}`, { token: org.admin })).status,
      200,
    );
    assert.equal(
      (await app.call("GET", "/api/v1/patients", { token: session.accessToken })).status,
      401,
    );
    const again = await app.call("POST", "/api/v1/auth/login", {
      body: { email, password: PASSWORD },
    });
    assert.equal(again.status, 403);
  });

  await t.step("a role change applies to existing tokens at once", async () => {
    const { id, email } = await createStaff(app, org.admin, "NURSE", "Mover");
    const session = await login(app, email);
    const body = { givenName: "Role", familyName: "Change" };
    assert.equal(
      (await app.call("POST", "/api/v1/patients", { token: session.accessToken, body })).status,
      403,
    );
    await app.call("PATCH", `/api/v1/users/${id}`, {
      token: org.admin,
      body: { role: "RECEPTION" },
    });
    assert.equal(
      (await app.call("POST", "/api/v1/patients", { token: session.accessToken, body })).status,
      201,
    );
    // A refresh signs the new role into the next access token too.
    const renewed = await app.call("POST", "/api/v1/auth/refresh", {
      body: { refreshToken: session.refreshToken },
    });
    assert.equal(renewed.status, 200);
    assert.equal(renewed.body.user.role, "RECEPTION");
    const claims = JSON.parse(
      atob(renewed.body.accessToken.split(".")[1].replaceAll("-", "+").replaceAll("_", "/")),
    );
    assert.equal(claims.role, "RECEPTION");
  });

  await t.step(
    "two racing refreshes with one token: one succeeds, the session then ends",
    async () => {
      const { email } = await createStaff(app, org.admin, "FINANCE", "Two Tabs");
      const session = await login(app, email);
      const body = { refreshToken: session.refreshToken };
      const results = await Promise.all(
        [1, 2].map(() => app.call("POST", "/api/v1/auth/refresh", { body })),
      );
      // The loser presents a token the winner already rotated: treated as theft, as it must be,
      // since the server cannot tell a second tab from a stolen copy.
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 401]);
      const winner = results.find((r) => r.status === 200)!;
      assert.equal(
        (await app.call("GET", "/api/v1/auth/me", { token: winner.body.accessToken })).status,
        401,
      );
      await app.deps.audit.flush();
      const reuse = await app.deps.db.db.select().from(auditEvents)
        .where(eq(auditEvents.action, "auth.refresh.reuse"));
      assert.ok(reuse.length >= 1);
    },
  );

  await app.close();
});
