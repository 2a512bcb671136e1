import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { auditEvents } from "../db/schema/mod.ts";
import { createTestApp, PASSWORD } from "./helpers/app.ts";
import { createOrg, createStaff, login } from "./helpers/factories.ts";
import { MAX_DELAY_SECONDS } from "../src/modules/auth/lockout.ts";

Deno.test("rate limits and progressive delays on account endpoints", async (t) => {
  let offsetMs = 0;
  const app = await createTestApp({ LOGIN_RATE_LIMIT: "2", LOGIN_RATE_WINDOW_SECONDS: "600" }, {
    clock: { now: () => new Date(Date.now() + offsetMs) },
  });
  const org = await createOrg(app);
  const actions = async () => {
    await app.deps.audit.flush();
    return (await app.deps.db.db.select({ action: auditEvents.action }).from(auditEvents))
      .map((e) => e.action);
  };

  await t.step("one address: 429 with Retry-After once the login limit is passed", async () => {
    const staff = await createStaff(app, org.admin, "NURSE");
    const { employeeId } = (await login(app, staff.email)).user.organizations[0];
    // The email and the employee id name one account: their failures count together.
    const tries = [
      { email: staff.email, password: "wrong password one" },
      { organizationCode: org.code, employeeId, password: "wrong password two" },
    ];
    for (const body of tries) {
      const res = await app.call("POST", "/api/v1/auth/login", { body, ip: "10.40.0.1" });
      assert.equal(res.status, 401);
    }
    const limited = await app.call("POST", "/api/v1/auth/login", {
      body: { email: staff.email, password: PASSWORD },
      ip: "10.40.0.1",
    });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get("retry-after")) > 0);
    assert.ok((await actions()).includes("auth.login.rate-limited"));
  });

  await t.step(
    "many addresses: the account's tries are spaced out, never more than a minute",
    async () => {
      const staff = await createStaff(app, org.admin, "DOCTOR");
      const attempt = (ip: string, password = "a wrong password!") =>
        app.call("POST", "/api/v1/auth/login", { body: { email: staff.email, password }, ip });
      // Two failures per address stay under each address's limit; ten in all reach the
      // account's (five times the per-address limit).
      for (let i = 0; i < 5; i++) {
        for (let j = 0; j < 2; j++) assert.equal((await attempt(`10.41.0.${i}`)).status, 401);
      }
      const waiting = await attempt("10.41.1.1", PASSWORD);
      assert.equal(waiting.status, 429);
      assert.equal(waiting.headers.get("retry-after"), "1");
      // Each further failure doubles the wait, up to the cap.
      let retryAfter = 1;
      for (let k = 0; k < 9; k++) {
        offsetMs += retryAfter * 1000;
        assert.equal((await attempt(`10.41.2.${k}`)).status, 401);
        const refused = await attempt(`10.41.3.${k}`);
        assert.equal(refused.status, 429);
        retryAfter = Number(refused.headers.get("retry-after"));
        assert.ok(retryAfter <= MAX_DELAY_SECONDS, String(retryAfter));
      }
      assert.equal(retryAfter, MAX_DELAY_SECONDS);
      // The owner waits at most that long, signs in, and the account's count starts over.
      offsetMs += retryAfter * 1000;
      assert.equal((await attempt("10.41.4.1", PASSWORD)).status, 200);
      assert.equal((await attempt("10.41.4.2")).status, 401);
      assert.equal((await attempt("10.41.4.3", PASSWORD)).status, 200);
    },
  );

  await t.step("registration is limited per address (429)", async () => {
    const statuses = [];
    // Five times the login limit per address and window (ten here); the eleventh is refused.
    for (let i = 0; i < 11; i++) {
      const res = await app.call("POST", "/api/v1/auth/register", {
        body: {
          organizationCode: org.code,
          fullName: "Flood Person",
          email: `flood${i}@register.test`,
          requestedRole: "NURSE",
          password: "violet kettle drums at dawn",
        },
        ip: "10.42.0.1",
      });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(201));
    assert.equal(statuses[10], 429);
    assert.ok((await actions()).includes("auth.register.rate-limited"));
  });

  await t.step("reset request and confirm are limited per address and account", async () => {
    const staff = await createStaff(app, org.admin, "LAB");
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await app.call("POST", "/api/v1/auth/password-reset/request", {
        body: { email: staff.email },
        ip: "10.43.0.1",
      });
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [202, 202, 429]);
    const confirm = () =>
      app.call("POST", "/api/v1/auth/password-reset/confirm", {
        body: { email: staff.email, code: "123456", newPassword: "violet kettle drums at dawn" },
        ip: "10.43.0.2",
      });
    const results = [];
    for (let i = 0; i < 3; i++) results.push((await confirm()).status);
    // A guessed code may by luck be right; the limit is what matters here.
    assert.equal(results[2], 429);
    const all = await actions();
    for (const a of ["auth.password-reset.failed", "auth.reset-confirm.rate-limited"]) {
      assert.ok(all.includes(a), a);
    }
  });

  await t.step("every failed login is in the trail, with its address", async () => {
    await app.deps.audit.flush();
    const failed = await app.deps.db.db.select().from(auditEvents)
      .where(eq(auditEvents.action, "auth.login.failed"));
    assert.ok(failed.some((e) => e.ip === "10.41.4.2"));
    assert.ok(failed.some((e) => e.ip === "10.40.0.1"));
  });

  await app.close();
});
