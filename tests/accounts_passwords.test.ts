import assert from "node:assert/strict";
import { and, desc, eq } from "drizzle-orm";
import { notifications, notificationSecrets, passwordResetCodes, users } from "../db/schema/mod.ts";
import { createTestApp, PASSWORD, type TestApp } from "./helpers/app.ts";
import { createOrg, createStaff, invite, login, superAdminToken } from "./helpers/factories.ts";
import { commonPasswordCount, passwordProblem } from "../src/modules/auth/passwords.ts";
import { http, loginAt, SECRET, serve, type Served, syncNow } from "./helpers/cluster.ts";

const NEW_PASSWORD = "violet kettle drums at dawn";

async function sessionsOf(app: TestApp, email: string, count: number) {
  const out = [];
  for (let i = 0; i < count; i++) out.push(await login(app, email));
  return out;
}

Deno.test("password policy", async (t) => {
  const config = { accounts: { passwordMinLength: 12, registrationTemporaryHours: 8 } };

  await t.step("ships at least 10,000 common passwords and refuses them in any case", () => {
    assert.ok(commonPasswordCount() >= 10_000, String(commonPasswordCount()));
    for (const p of ["password1234", "PASSWORD1234", "qwertyuiop123", "1q2w3e4r5t6y"]) {
      assert.match(passwordProblem(config, p) ?? "", /most common/, p);
    }
  });

  await t.step("length from PASSWORD_MIN_LENGTH up to 128, and no composition rules", () => {
    assert.match(passwordProblem(config, "eleven char") ?? "", /at least 12/);
    assert.equal(passwordProblem(config, "twelve chars"), undefined);
    assert.equal(passwordProblem(config, "all lower case words here"), undefined);
    assert.equal(
      passwordProblem(config, "x".repeat(128).replace(/x/g, (_, i) => "ab"[i % 2])),
      undefined,
    );
    assert.match(passwordProblem(config, "a".repeat(129)) ?? "", /at most 128/);
    // Characters as a person counts them: twelve accented letters are twelve.
    assert.equal(passwordProblem(config, "éàüößçñøåæœ€"), undefined);
    const strict = { accounts: { ...config.accounts, passwordMinLength: 16 } };
    assert.match(passwordProblem(strict, "twelve chars") ?? "", /at least 16/);
  });
});

Deno.test("changing and resetting passwords", async (t) => {
  const app = await createTestApp({
    // An email channel is configured; the worker is off, so the outbox keeps what it was given.
    SMTP_URL: "smtp://127.0.0.1:2525",
    NOTIFY_EMAIL_FROM: "clinic@test.clinic",
    NOTIFY_POLL_MS: "0",
  });
  const org = await createOrg(app);

  await t.step("a new account by invitation must meet the policy (422)", async () => {
    const inv = await invite(app, org.admin, { email: "weak@test.clinic", role: "NURSE" });
    const res = await app.call("POST", "/api/v1/auth/invitations/accept", {
      body: { code: inv.code, password: "leavemealone" },
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.errors[0].path, "password");
  });

  await t.step("a new organisation's first admin must meet the policy too (422)", async () => {
    for (const password of ["short pw", "password1234"]) {
      const res = await app.call("POST", "/api/v1/organizations", {
        token: await superAdminToken(app),
        body: {
          name: `Weak ${password}`,
          type: "CLINIC",
          timezone: "Africa/Nairobi",
          currency: "KES",
          admin: {
            email: `first.${crypto.randomUUID()}@test.clinic`,
            password,
            fullName: "First Admin",
          },
        },
      });
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.errors[0].path, "admin.password");
    }
  });

  await t.step(
    "change: current password required, other sessions end, this one lives",
    async () => {
      const staff = await createStaff(app, org.admin, "NURSE");
      const [mine, other] = await sessionsOf(app, staff.email, 2);
      const wrong = await app.call("POST", "/api/v1/auth/password", {
        token: mine.accessToken,
        body: { currentPassword: "not my password at all", newPassword: NEW_PASSWORD },
      });
      assert.equal(wrong.status, 422);
      assert.equal(wrong.body.errors[0].path, "currentPassword");
      const weak = await app.call("POST", "/api/v1/auth/password", {
        token: mine.accessToken,
        body: { currentPassword: PASSWORD, newPassword: "Qazwsxedcrfv" },
      });
      assert.equal(weak.status, 422);
      assert.equal(weak.body.errors[0].path, "newPassword");
      const ok = await app.call("POST", "/api/v1/auth/password", {
        token: mine.accessToken,
        body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(
        (await app.call("GET", "/api/v1/auth/me", { token: mine.accessToken })).status,
        200,
      );
      assert.equal(
        (await app.call("GET", "/api/v1/auth/me", { token: other.accessToken })).status,
        401,
      );
      // The other session's refresh token is refused too, as is the old password.
      const reuse = await app.call("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: other.refreshToken },
      });
      assert.equal(reuse.status, 401);
      const [row] = await app.deps.db.db.select().from(users).where(eq(users.id, staff.id));
      assert.ok(row.passwordChangedAt);
      const old = await app.call("POST", "/api/v1/auth/login", {
        body: { email: staff.email, password: PASSWORD },
      });
      assert.equal(old.status, 401);
      await login(app, staff.email, NEW_PASSWORD);
    },
  );

  /** The latest reset email: the synced outbox row, and the body this node will send. */
  const latestEmail = async (to: string) => {
    const [n] = await app.deps.db.db.select().from(notifications)
      .where(and(eq(notifications.recipient, to), eq(notifications.kind, "account.password-reset")))
      .orderBy(desc(notifications.createdAt)).limit(1);
    const [secret] = await app.deps.db.db.select().from(notificationSecrets)
      .where(eq(notificationSecrets.notificationId, n.id));
    // The code never rides on the row every node receives.
    assert.doesNotMatch(n.body, /\b\d{6}\b/);
    return { ...n, body: secret.body };
  };
  const codeIn = (body: string) => body.match(/\b(\d{6})\b/)![1];

  await t.step(
    "reset request: the same answer for an unknown account, a code by email",
    async () => {
      const staff = await createStaff(app, org.admin, "RECEPTION");
      const known = await app.call("POST", "/api/v1/auth/password-reset/request", {
        body: { email: staff.email },
      });
      const unknown = await app.call("POST", "/api/v1/auth/password-reset/request", {
        body: { email: "nobody.here@test.clinic" },
      });
      assert.equal(known.status, 202);
      assert.equal(unknown.status, known.status);
      assert.deepEqual(unknown.body, known.body);
      const mail = await latestEmail(staff.email);
      assert.equal(mail.channel, "email");
      assert.equal(mail.orgId, org.id);
      // Stored hashed: the code is in the message, not in the codes table.
      const code = codeIn(mail.body);
      const [stored] = await app.deps.db.db.select().from(passwordResetCodes)
        .where(eq(passwordResetCodes.userId, staff.id));
      assert.ok(!stored.codeHash.includes(code));
      assert.equal(
        Date.parse(stored.expiresAt) - Date.parse(stored.createdAt),
        30 * 60_000,
      );
    },
  );

  await t.step("confirm: a new code voids the earlier; success ends every session", async () => {
    const staff = await createStaff(app, org.admin, "PHARMACY");
    const sessions = await sessionsOf(app, staff.email, 2);
    const request = () =>
      app.call("POST", "/api/v1/auth/password-reset/request", { body: { email: staff.email } });
    await request();
    const first = codeIn((await latestEmail(staff.email)).body);
    await request();
    const second = codeIn((await latestEmail(staff.email)).body);
    const confirm = (code: string) =>
      app.call("POST", "/api/v1/auth/password-reset/confirm", {
        body: { email: staff.email, code, newPassword: NEW_PASSWORD },
      });
    if (first !== second) assert.equal((await confirm(first)).status, 401);
    const done = await confirm(second);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    for (const s of sessions) {
      assert.equal(
        (await app.call("GET", "/api/v1/auth/me", { token: s.accessToken })).status,
        401,
      );
      const refreshed = await app.call("POST", "/api/v1/auth/refresh", {
        body: { refreshToken: s.refreshToken },
      });
      assert.equal(refreshed.status, 401);
    }
    assert.equal((await confirm(second)).status, 401, "a code works once");
    await login(app, staff.email, NEW_PASSWORD);
  });

  await t.step("by employee id; the fifth wrong code ends it", async () => {
    const staff = await createStaff(app, org.admin, "LAB");
    const me = await login(app, staff.email);
    const { employeeId } = me.user.organizations[0];
    const who = { organizationCode: org.code, employeeId };
    assert.equal(
      (await app.call("POST", "/api/v1/auth/password-reset/request", { body: who })).status,
      202,
    );
    const code = codeIn((await latestEmail(staff.email)).body);
    const wrong = code === "000000" ? "000001" : "000000";
    for (let i = 0; i < 5; i++) {
      const res = await app.call("POST", "/api/v1/auth/password-reset/confirm", {
        body: { ...who, code: wrong, newPassword: NEW_PASSWORD },
        ip: `10.30.0.${i}`,
      });
      assert.equal(res.status, 401);
    }
    const right = await app.call("POST", "/api/v1/auth/password-reset/confirm", {
      body: { ...who, code, newPassword: NEW_PASSWORD },
      ip: "10.30.1.1",
    });
    assert.equal(right.status, 401, "exhausted after five tries");
    const [row] = await app.deps.db.db.select().from(passwordResetCodes)
      .where(eq(passwordResetCodes.userId, staff.id));
    assert.equal(row.endedReason, "exhausted");
  });

  await t.step(
    "an ADMIN issues a code to hand over, only for this organisation's own",
    async () => {
      const staff = await createStaff(app, org.admin, "FINANCE");
      const issued = await app.call("POST", `/api/v1/users/${staff.id}/password-reset`, {
        token: org.admin,
      });
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      assert.match(issued.body.code, /^\d{6}$/);
      const done = await app.call("POST", "/api/v1/auth/password-reset/confirm", {
        body: { email: staff.email, code: issued.body.code, newPassword: NEW_PASSWORD },
      });
      assert.equal(done.status, 200);
      // A person who also works for another organisation: neither admin may take the account.
      const other = await createOrg(app);
      const inv = await invite(app, other.admin, { email: staff.email, role: "FINANCE" });
      const joined = await app.call("POST", "/api/v1/auth/invitations/accept", {
        body: { code: inv.code, password: NEW_PASSWORD },
      });
      assert.equal(joined.status, 200);
      const refused = await app.call("POST", `/api/v1/users/${staff.id}/password-reset`, {
        token: org.admin,
      });
      assert.equal(refused.status, 422);
      const nurse = await app.call("POST", `/api/v1/users/${staff.id}/password-reset`, {
        token: await org.tokenFor("NURSE"),
      });
      assert.equal(nurse.status, 403);
    },
  );

  await app.close();
});

Deno.test("a password change at the primary ends the user's sessions at a replica", async (t) => {
  const [primaryDir, k2Dir] = await Promise.all(
    ["primary", "k2"].map((n) => Deno.makeTempDir({ prefix: `clinic-pw-${n}-` })),
  );
  const setup = await createTestApp({ DATA_DIR: primaryDir, JWT_SECRET: SECRET });
  const org = await createOrg(setup);
  const nurse = await createStaff(setup, org.admin, "NURSE");
  const clerk = await createStaff(setup, org.admin, "RECEPTION");
  const node = await setup.call("POST", "/api/v1/sync/nodes", {
    token: org.admin,
    body: { name: "Clinic K2", siteCode: "K2" },
  });
  assert.equal(node.status, 201);
  await setup.close({ keep: true });
  const nodes: Served[] = [];
  try {
    const primary = serve(primaryDir, { SYNC_ROLE: "primary" });
    nodes.push(primary);
    await primary.waitFor("listening");
    const k2 = serve(k2Dir, {
      SYNC_ROLE: "replica",
      SYNC_PRIMARY_URL: primary.url,
      SYNC_NODE_TOKEN: node.body.token,
      SYNC_INTERVAL_SECONDS: "3600",
    });
    nodes.push(k2);
    await k2.waitFor("sync: pulled");
    const adminAtK2 = await loginAt(k2, org.adminEmail);

    await t.step("changed at the primary, refused at the replica after its pull", async () => {
      const atK2 = await loginAt(k2, nurse.email);
      assert.equal((await http(k2, "GET", "/api/v1/auth/me", { token: atK2 })).status, 200);
      const atPrimary = await loginAt(primary, nurse.email);
      const changed = await http(primary, "POST", "/api/v1/auth/password", {
        token: atPrimary,
        body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      await syncNow(k2, adminAtK2);
      assert.equal((await http(k2, "GET", "/api/v1/auth/me", { token: atK2 })).status, 401);
      // The new password works there too; the old one no longer does.
      await loginAt(k2, nurse.email, NEW_PASSWORD);
      const old = await http(k2, "POST", "/api/v1/auth/login", {
        body: { email: nurse.email, password: PASSWORD },
      });
      assert.equal(old.status, 401);
    });

    await t.step("deactivated at the primary, refused at the replica after its pull", async () => {
      const atK2 = await loginAt(k2, clerk.email);
      const adminAtPrimary = await loginAt(primary, org.adminEmail);
      const off = await http(primary, "DELETE", `/api/v1/users/${clerk.id}`, {
        token: adminAtPrimary,
      });
      assert.equal(off.status, 200);
      await syncNow(k2, adminAtK2);
      assert.equal((await http(k2, "GET", "/api/v1/auth/me", { token: atK2 })).status, 401);
    });
  } finally {
    for (const n of nodes.reverse()) await n.stop();
    for (const d of [primaryDir, k2Dir]) await Deno.remove(d, { recursive: true });
  }
});
