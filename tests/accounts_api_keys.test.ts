/**
 * API keys (issue 13, item 7): an ADMIN makes keys scoped to permissions, sees each once; only
 * its hash is stored; a request with the key acts as the key itself, with exactly its
 * permissions, in its organisation, audited under its id, limited per minute; revoked and
 * expired keys are refused like a bad token; a person's routes refuse a key.
 */
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { apiKeys, auditEvents } from "../db/schema/mod.ts";
import { createTestApp, type TestApp } from "./helpers/app.ts";
import { createOrg, createPatient, login } from "./helpers/factories.ts";

let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

async function makeKey(
  app: TestApp,
  token: string,
  body: { name?: string; permissions: string[]; expiresAt?: string },
) {
  return await app.call("POST", "/api/v1/api-keys", {
    token,
    body: { name: "Lab bridge", ...body },
  });
}

const withKey = (app: TestApp, key: string, method: string, path: string, body?: unknown) =>
  app.call(method, path, { headers: { "x-api-key": key }, body });

Deno.test("API keys", async (t) => {
  const app = await createTestApp({ API_KEY_RATE_LIMIT: "30" }, { clock });
  const org = await createOrg(app);
  const other = await createOrg(app);
  const patient = await createPatient(app, org.admin);
  const theirs = await createPatient(app, other.admin);

  let reader: { id: string; key: string; prefix: string };

  await t.step("an ADMIN creates a key: shown once, stored as a hash, prefix visible", async () => {
    const res = await makeKey(app, org.admin, { permissions: ["patients:read"] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.match(res.body.key, /^ck_[A-Za-z0-9_-]{43}$/);
    assert.ok(res.body.key.startsWith(res.body.prefix) && res.body.prefix.length >= 8);
    assert.deepEqual(res.body.permissions, ["patients:read"]);
    reader = res.body;

    const [row] = await app.deps.db.db.select().from(apiKeys).where(eq(apiKeys.id, reader.id));
    assert.notEqual(row.keyHash, reader.key);
    assert.ok(!JSON.stringify(row).includes(reader.key.slice(3)), "the key is nowhere in the row");
    assert.match(row.keyHash, /^[0-9a-f]{64}$/);

    const list = await app.call("GET", "/api/v1/api-keys", { token: org.admin });
    assert.equal(list.status, 200);
    const listed = list.body.data.find((k: { id: string }) => k.id === reader.id);
    assert.equal(listed.prefix, reader.prefix);
    assert.ok(!("key" in listed) && !("keyHash" in listed));
    assert.ok(!JSON.stringify(list.body).includes(reader.key));
  });

  await t.step("only an ADMIN manages keys", async () => {
    const res = await makeKey(app, await org.tokenFor("DOCTOR"), {
      permissions: ["patients:read"],
    });
    assert.equal(res.status, 403);
  });

  await t.step("a key reads a patient, and the read is audited as the key", async () => {
    const res = await withKey(app, reader.key, "GET", `/api/v1/patients/${patient.id}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.id, patient.id);
    // The Authorization header works too, told from a JWT by the key's prefix.
    const bearer = await app.call("GET", `/api/v1/patients/${patient.id}`, { token: reader.key });
    assert.equal(bearer.status, 200);
    await app.deps.audit.flush();
    const reads = await app.deps.db.db.select().from(auditEvents).where(and(
      eq(auditEvents.action, "patient.read"),
      eq(auditEvents.patientId, patient.id),
      eq(auditEvents.actorId, reader.id),
    ));
    assert.equal(reads.length, 2);
    assert.equal(reads[0].actorRole, "API_KEY");
    assert.equal(reads[0].orgId, org.id);
  });

  await t.step("last use is noted, at most once a minute", async () => {
    const [row] = await app.deps.db.db.select().from(apiKeys).where(eq(apiKeys.id, reader.id));
    assert.ok(row.lastUsedAt);
    assert.equal(row.version, 1, "noting the use is no versioned change");
  });

  await t.step("a key without a permission gets 403, audited", async () => {
    const res = await withKey(app, reader.key, "POST", "/api/v1/patients", {
      givenName: "Neema",
      familyName: "Otieno",
      birthDate: "1990-01-01",
      sex: "female",
    });
    assert.equal(res.status, 403);
    assert.match(res.body.detail, /patients:write.*this API key/);
    await app.deps.audit.flush();
    const denied = await app.deps.db.db.select().from(auditEvents).where(and(
      eq(auditEvents.action, "access.denied"),
      eq(auditEvents.actorId, reader.id),
    ));
    assert.equal(denied.length, 1);
  });

  await t.step("a key with patients:write registers a patient", async () => {
    const res = await makeKey(app, org.admin, { permissions: ["patients:write", "patients:read"] });
    assert.equal(res.status, 201);
    const made = await withKey(app, res.body.key, "POST", "/api/v1/patients", {
      givenName: "Neema",
      familyName: "Otieno",
      birthDate: "1990-01-01",
      sex: "female",
      allowDuplicate: true,
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
  });

  await t.step("keys are per organisation", async () => {
    const res = await withKey(app, reader.key, "GET", `/api/v1/patients/${theirs.id}`);
    assert.equal(res.status, 404);
    const list = await app.call("GET", "/api/v1/api-keys", { token: other.admin });
    assert.ok(!list.body.data.some((k: { id: string }) => k.id === reader.id));
    const revoke = await app.call("DELETE", `/api/v1/api-keys/${reader.id}`, {
      token: other.admin,
    });
    assert.equal(revoke.status, 404);
  });

  await t.step("an ADMIN cannot mint beyond an ADMIN, nor a person's permissions", async () => {
    const res = await makeKey(app, org.admin, {
      permissions: [
        "patients:read",
        "no:such",
        "notes:write",
        "organizations:create",
        "users:write",
        "api-keys:manage",
      ],
    });
    assert.equal(res.status, 422);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    assert.deepEqual(paths, [
      "permissions.1",
      "permissions.2",
      "permissions.3",
      "permissions.4",
      "permissions.5",
    ]);
    assert.match(res.body.errors[0].message, /no:such is not a known permission/);
    assert.match(res.body.errors[1].message, /notes:write is not held by ADMIN/);
  });

  await t.step("a person's routes refuse a key", async () => {
    for (
      const [method, path] of [
        ["GET", "/api/v1/auth/me"],
        ["GET", "/api/v1/auth/sessions"],
        ["POST", "/api/v1/auth/logout"],
        ["POST", "/api/v1/auth/switch-organization"],
      ]
    ) {
      const res = await withKey(app, reader.key, method, path, method === "POST" ? {} : undefined);
      assert.equal(res.status, 403, `${method} ${path}: ${JSON.stringify(res.body)}`);
    }
  });

  await t.step("an act that records its caller as a person refuses a key", async () => {
    // A calendar feed is its owner's; a key holding appointments:read has no calendar.
    const res = await makeKey(app, org.admin, {
      name: "Scheduler",
      permissions: ["appointments:read"],
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const answer = await withKey(app, res.body.key, "POST", "/api/v1/calendar-feeds", {});
    assert.equal(answer.status, 403, JSON.stringify(answer.body));
    assert.match(answer.body.detail, /API key/);
    const list = await withKey(app, res.body.key, "GET", "/api/v1/appointments?from=2026-01-01");
    assert.notEqual(list.status, 403, "the key still reads appointments");
  });

  await t.step("keys cannot make keys", async () => {
    const res = await withKey(app, reader.key, "GET", "/api/v1/api-keys");
    assert.equal(res.status, 403);
  });

  await t.step("an unknown or malformed key is 401, like a bad token", async () => {
    const bad = await withKey(app, `ck_${"A".repeat(43)}`, "GET", `/api/v1/patients/${patient.id}`);
    assert.equal(bad.status, 401);
    assert.ok(bad.headers.get("www-authenticate"));
    const odd = await app.call("GET", `/api/v1/patients/${patient.id}`, { token: "ck_short" });
    assert.equal(odd.status, 401);
    const both = await app.call("GET", `/api/v1/patients/${patient.id}`, {
      token: org.admin,
      headers: { "x-api-key": reader.key },
    });
    assert.equal(both.status, 401);
  });

  await t.step("revoking a key refuses it at once (401), audited", async () => {
    const res = await makeKey(app, org.admin, { permissions: ["patients:read"] });
    const key = res.body;
    assert.equal(
      (await withKey(app, key.key, "GET", `/api/v1/patients/${patient.id}`)).status,
      200,
    );
    const revoked = await app.call("DELETE", `/api/v1/api-keys/${key.id}`, { token: org.admin });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.ok(revoked.body.revokedAt);
    const after = await withKey(app, key.key, "GET", `/api/v1/patients/${patient.id}`);
    assert.equal(after.status, 401);
    const again = await app.call("DELETE", `/api/v1/api-keys/${key.id}`, { token: org.admin });
    assert.equal(again.status, 409);
    await app.deps.audit.flush();
    const trail = await app.deps.db.db.select().from(auditEvents)
      .where(eq(auditEvents.entityId, key.id));
    const actions = trail.map((e) => e.action);
    assert.ok(actions.includes("api-key.create") && actions.includes("api-key.revoke"));
    const refused = trail.find((e) => e.action === "auth.api-key.revoked");
    assert.equal(refused?.orgId, org.id);
    assert.equal(refused?.outcome, "failure");
  });

  await t.step("an expired key is 401; an expiry in the past is refused", async () => {
    const past = await makeKey(app, org.admin, {
      permissions: ["patients:read"],
      expiresAt: "2020-01-01T00:00:00Z",
    });
    assert.equal(past.status, 422);
    assert.equal(past.body.errors[0].path, "expiresAt");
    const soon = new Date(clock.now().getTime() + 60 * 60_000).toISOString();
    const res = await makeKey(app, org.admin, { permissions: ["patients:read"], expiresAt: soon });
    assert.equal(res.status, 201);
    const path = `/api/v1/patients/${patient.id}`;
    assert.equal((await withKey(app, res.body.key, "GET", path)).status, 200);
    offsetMs += 61 * 60_000;
    assert.equal((await withKey(app, res.body.key, "GET", path)).status, 401);
  });

  await t.step("a key is limited to API_KEY_RATE_LIMIT requests a minute: 429", async () => {
    // The clock moved past the admin's access token.
    const admin = (await login(app, org.adminEmail)).accessToken;
    const res = await makeKey(app, admin, { permissions: ["patients:read"] });
    assert.equal(res.status, 201);
    const path = `/api/v1/patients/${patient.id}`;
    for (let i = 0; i < 30; i++) {
      assert.equal((await withKey(app, res.body.key, "GET", path)).status, 200);
    }
    const limited = await withKey(app, res.body.key, "GET", path);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get("retry-after")) > 0);
    // Another key is not held back by this one's use.
    assert.equal((await withKey(app, reader.key, "GET", path)).status, 200);
  });

  await app.close();
});
