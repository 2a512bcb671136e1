/**
 * Two-factor authentication: the TOTP is RFC 6238's (its test vector), enrolment and
 * confirmation, the two-step login, a code refused in a step already used, recovery codes used
 * once, disabling with password and code, and the organisation's and platform's requirements.
 * The app's clock moves in whole 30-second steps.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import { auditEvents, mfaChallenges, userMfa } from "../db/schema/mod.ts";
import { matchStep, totpCode } from "../src/modules/auth/mfa-totp.ts";
import { createTestApp, PASSWORD, SUPER_ADMIN } from "./helpers/app.ts";
import { acceptInvitation, createOrg, createStaff, invite } from "./helpers/factories.ts";

const STEP = 30_000;

Deno.test("TOTP is RFC 6238's: the SHA-1 test vector at T=59", () => {
  const secret = OTPAuth.Secret.fromUTF8("12345678901234567890").base32;
  const eight = new OTPAuth.TOTP({ algorithm: "SHA1", digits: 8, period: 30, secret });
  assert.equal(eight.generate({ timestamp: 59_000 }), "94287082");
  assert.equal(totpCode(secret, new Date(59_000)), "287082");
  // The code of step 1 matches at its own time and one step either side, not two.
  assert.equal(matchStep(secret, "287082", new Date(59_000)), 1);
  assert.equal(matchStep(secret, "287082", new Date(89_000)), 1);
  assert.equal(matchStep(secret, "287082", new Date(0)), 1);
  assert.equal(matchStep(secret, "287082", new Date(120_000)), null);
});

Deno.test("two-factor authentication", async (t) => {
  let now = Date.parse("2030-05-06T09:00:00Z");
  const clock = { now: () => new Date(now) };
  const app = await createTestApp({ LOGIN_RATE_LIMIT: "50" }, { clock });
  const org = await createOrg(app);
  const doctor = await createStaff(app, org.admin, "DOCTOR");
  const login = (email: string, password = PASSWORD) =>
    app.call("POST", "/api/v1/auth/login", { body: { email, password } });
  const tokenOf = async (email: string) => (await login(email)).body.accessToken as string;
  const next = () => (now += STEP);
  let secret = "";
  let recoveryCodes: string[] = [];

  await t.step(
    "enrol gives a secret and an otpauth URI; nothing changes until confirmed",
    async () => {
      const token = await tokenOf(doctor.email);
      const res = await app.call("POST", "/api/v1/auth/2fa/enroll", { token });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      secret = res.body.secret;
      assert.match(secret, /^[A-Z2-7]{32}$/);
      const uri = OTPAuth.URI.parse(res.body.otpauthUri) as OTPAuth.TOTP;
      assert.equal(uri.secret.base32, secret);
      assert.equal(uri.digits, 6);
      assert.equal(uri.period, 30);
      assert.equal(uri.algorithm, "SHA1");
      assert.equal(uri.label, doctor.email);
      // Pending: not in the synced table, and login still takes one step.
      assert.equal((await app.deps.db.db.select().from(userMfa)).length, 0);
      assert.ok((await login(doctor.email)).body.accessToken);
      const status = await app.call("GET", "/api/v1/auth/2fa", { token });
      assert.deepEqual(status.body, {
        enabled: false,
        confirmedAt: null,
        recoveryCodesLeft: 0,
        required: false,
      });
    },
  );

  await t.step(
    "a wrong code does not confirm; the right one answers ten recovery codes",
    async () => {
      const token = await tokenOf(doctor.email);
      const wrong = await app.call("POST", "/api/v1/auth/2fa/confirm", {
        token,
        body: { code: totpCode(secret, new Date(now - 5 * STEP)) },
      });
      assert.equal(wrong.status, 422);
      assert.equal(wrong.body.errors[0].path, "code");
      const res = await app.call("POST", "/api/v1/auth/2fa/confirm", {
        token,
        body: { code: totpCode(secret, clock.now()) },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      recoveryCodes = res.body.recoveryCodes;
      assert.equal(recoveryCodes.length, 10);
      assert.equal(new Set(recoveryCodes).size, 10);
      const [row] = await app.deps.db.db.select().from(userMfa)
        .where(eq(userMfa.userId, doctor.id));
      assert.equal(row.status, "active");
      assert.ok(row.recoveryCodes.every((c) => !recoveryCodes.includes(c.hash)), "hashed");
      const again = await app.call("POST", "/api/v1/auth/2fa/enroll", { token });
      assert.equal(again.status, 409);
    },
  );

  await t.step("login takes two steps: mfaRequired, then verify gives the tokens", async () => {
    next();
    const first = await login(doctor.email);
    assert.equal(first.status, 200);
    assert.equal(first.body.mfaRequired, true);
    assert.ok(!("accessToken" in first.body));
    const res = await app.call("POST", "/api/v1/auth/2fa/verify", {
      body: { mfaToken: first.body.mfaToken, code: totpCode(secret, clock.now()) },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.tokenType, "Bearer");
    assert.equal(res.body.user.role, "DOCTOR");
    assert.equal(res.body.user.organizationId, org.id);
    const me = await app.call("GET", "/api/v1/auth/me", { token: res.body.accessToken });
    assert.equal(me.status, 200);
    // The token is used up.
    const replay = await app.call("POST", "/api/v1/auth/2fa/verify", {
      body: { mfaToken: first.body.mfaToken, code: totpCode(secret, clock.now()) },
    });
    assert.equal(replay.status, 401);
  });

  await t.step("a code already used in its time step is refused, even one step later", async () => {
    const code = totpCode(secret, clock.now());
    const second = await login(doctor.email);
    const reused = await app.call("POST", "/api/v1/auth/2fa/verify", {
      body: { mfaToken: second.body.mfaToken, code },
    });
    assert.equal(reused.status, 401, "same step as the previous login");
    next();
    const stale = await app.call("POST", "/api/v1/auth/2fa/verify", {
      body: { mfaToken: second.body.mfaToken, code },
    });
    assert.equal(stale.status, 401, "within the drift, but its step was used");
    const fresh = await app.call("POST", "/api/v1/auth/2fa/verify", {
      body: { mfaToken: second.body.mfaToken, code: totpCode(secret, clock.now()) },
    });
    assert.equal(fresh.status, 200, JSON.stringify(fresh.body));
  });

  await t.step("two logins racing with one code: exactly one opens a session", async () => {
    next();
    const a = await login(doctor.email);
    const b = await login(doctor.email);
    const code = totpCode(secret, clock.now());
    const results = await Promise.all(
      [a, b].map((l) =>
        app.call("POST", "/api/v1/auth/2fa/verify", { body: { mfaToken: l.body.mfaToken, code } })
      ),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 401]);
  });

  await t.step("a challenge takes at most five codes, and lasts five minutes", async () => {
    next();
    const l = await login(doctor.email);
    for (let i = 0; i < 5; i++) {
      const r = await app.call("POST", "/api/v1/auth/2fa/verify", {
        body: { mfaToken: l.body.mfaToken, code: "000000" },
      });
      assert.equal(r.status, 401);
    }
    const right = await app.call("POST", "/api/v1/auth/2fa/verify", {
      body: { mfaToken: l.body.mfaToken, code: totpCode(secret, clock.now()) },
    });
    assert.equal(right.status, 401, "the sixth code, even right, is refused");
    const late = await login(doctor.email);
    now += 5 * 60_000 + STEP;
    const expired = await app.call("POST", "/api/v1/auth/2fa/verify", {
      body: { mfaToken: late.body.mfaToken, code: totpCode(secret, clock.now()) },
    });
    assert.equal(expired.status, 401);
    const [row] = await app.deps.db.db.select().from(mfaChallenges)
      .where(eq(mfaChallenges.id, (await app.deps.db.db.select().from(mfaChallenges)).at(-1)!.id));
    assert.notEqual(row.tokenHash, late.body.mfaToken, "the token is stored hashed");
    await app.deps.audit.flush();
    const failed = await app.deps.db.db.select().from(auditEvents)
      .where(eq(auditEvents.action, "auth.2fa.failed"));
    assert.ok(failed.length >= 6);
  });

  await t.step("a recovery code signs in once", async () => {
    next();
    const l = await login(doctor.email);
    const ok = await app.call("POST", "/api/v1/auth/2fa/verify", {
      body: { mfaToken: l.body.mfaToken, recoveryCode: recoveryCodes[0].toUpperCase() },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const l2 = await login(doctor.email);
    const again = await app.call("POST", "/api/v1/auth/2fa/verify", {
      body: { mfaToken: l2.body.mfaToken, recoveryCode: recoveryCodes[0] },
    });
    assert.equal(again.status, 401);
    const status = await app.call("GET", "/api/v1/auth/2fa", { token: ok.body.accessToken });
    assert.equal(status.body.enabled, true);
    assert.equal(status.body.recoveryCodesLeft, 9);
  });

  await t.step("disable needs the password and a code", async () => {
    next();
    const l = await login(doctor.email);
    const session = await app.call("POST", "/api/v1/auth/2fa/verify", {
      body: { mfaToken: l.body.mfaToken, code: totpCode(secret, clock.now()) },
    });
    const token = session.body.accessToken;
    next();
    const noPassword = await app.call("POST", "/api/v1/auth/2fa/disable", {
      token,
      body: { password: "not-the-password", code: totpCode(secret, clock.now()) },
    });
    assert.equal(noPassword.status, 422);
    assert.equal(noPassword.body.errors[0].path, "password");
    const noCode = await app.call("POST", "/api/v1/auth/2fa/disable", {
      token,
      body: { password: PASSWORD },
    });
    assert.ok([400, 422].includes(noCode.status));
    const badCode = await app.call("POST", "/api/v1/auth/2fa/disable", {
      token,
      body: { password: PASSWORD, code: "000000" },
    });
    assert.equal(badCode.status, 422);
    const off = await app.call("POST", "/api/v1/auth/2fa/disable", {
      token,
      body: { password: PASSWORD, code: totpCode(secret, clock.now()) },
    });
    assert.equal(off.status, 200, JSON.stringify(off.body));
    assert.equal(off.body.enabled, false);
    const [row] = await app.deps.db.db.select().from(userMfa)
      .where(eq(userMfa.userId, doctor.id));
    assert.deepEqual([row.status, row.secret, row.recoveryCodes], ["disabled", "", []]);
    assert.ok((await login(doctor.email)).body.accessToken, "one step again");
  });

  await t.step(
    "an organisation requiring 2FA for ADMINs: enrol at login, then sign in",
    async () => {
      const nurse = await createStaff(app, org.admin, "NURSE");
      const set = await app.call("PUT", "/api/v1/organizations/current/security", {
        token: org.admin,
        body: { requireMfaForAdmins: true },
      });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal(set.body.requireMfaForAdmins, true);
      const forbidden = await app.call("PUT", "/api/v1/organizations/current/security", {
        token: await tokenOf(nurse.email),
        body: { requireMfaForAdmins: false },
      });
      assert.equal(forbidden.status, 403);
      // Other roles are not affected.
      assert.ok((await login(nurse.email)).body.accessToken);
      const refused = await login(org.adminEmail);
      assert.equal(refused.status, 403);
      assert.match(refused.body.type, /mfa-enrolment-required$/);
      const mfaToken = refused.body.mfaToken;
      const setup = await app.call("POST", "/api/v1/auth/2fa/setup", { body: { mfaToken } });
      assert.equal(setup.status, 200, JSON.stringify(setup.body));
      next();
      const res = await app.call("POST", "/api/v1/auth/2fa/verify", {
        body: { mfaToken, code: totpCode(setup.body.secret, clock.now()) },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.user.role, "ADMIN");
      assert.equal(res.body.recoveryCodes.length, 10);
      // Required: it cannot be turned off.
      next();
      const off = await app.call("POST", "/api/v1/auth/2fa/disable", {
        token: res.body.accessToken,
        body: { password: PASSWORD, code: totpCode(setup.body.secret, clock.now()) },
      });
      assert.equal(off.status, 409);
      const status = await app.call("GET", "/api/v1/auth/2fa", { token: res.body.accessToken });
      assert.equal(status.body.required, true);
      // From now on the admin logs in with two steps.
      next();
      const two = await login(org.adminEmail);
      assert.equal(two.body.mfaRequired, true);
      await app.deps.audit.flush();
      const changed = await app.deps.db.db.select().from(auditEvents)
        .where(eq(auditEvents.action, "organization.update-security"));
      assert.equal(changed.length, 1);
    },
  );

  await t.step("switching into an ADMIN role that requires 2FA is refused without it", async () => {
    const other = await createOrg(app);
    const inv = await invite(app, other.admin, { email: doctor.email, role: "ADMIN" });
    assert.equal((await acceptInvitation(app, inv.code)).status, 200);
    const set = await app.call("PUT", "/api/v1/organizations/current/security", {
      token: other.admin,
      body: { requireMfaForAdmins: true },
    });
    assert.equal(set.status, 200);
    const res = await app.call("POST", "/api/v1/auth/login", {
      body: { email: doctor.email, password: PASSWORD, organizationId: org.id },
    });
    assert.equal(res.body.user.role, "DOCTOR");
    const switched = await app.call("POST", "/api/v1/auth/switch-organization", {
      token: res.body.accessToken,
      body: { organizationId: other.id },
    });
    assert.equal(switched.status, 403);
    assert.match(switched.body.type, /mfa-enrolment-required$/);
  });

  await app.close();
});

Deno.test("MFA_REQUIRED_FOR_SUPER_ADMIN: a super admin enrols at login", async () => {
  let now = Date.parse("2030-05-06T09:00:00Z");
  const app = await createTestApp({ MFA_REQUIRED_FOR_SUPER_ADMIN: "true" }, {
    clock: { now: () => new Date(now) },
  });
  const first = await app.call("POST", "/api/v1/auth/login", {
    body: { email: SUPER_ADMIN.email, password: SUPER_ADMIN.password },
  });
  assert.equal(first.status, 403);
  assert.match(first.body.type, /mfa-enrolment-required$/);
  const setup = await app.call("POST", "/api/v1/auth/2fa/setup", {
    body: { mfaToken: first.body.mfaToken },
  });
  now += STEP;
  const res = await app.call("POST", "/api/v1/auth/2fa/verify", {
    body: { mfaToken: first.body.mfaToken, code: totpCode(setup.body.secret, new Date(now)) },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.user.role, "SUPER_ADMIN");
  await app.close();
});
