import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { syncNodes } from "../db/schema/mod.ts";
import { hashNodeToken } from "../src/modules/sync/mod.ts";
import { schemaVersion } from "../db/migrate.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, superAdminToken } from "./helpers/factories.ts";

Deno.test("sync nodes: a primary's registry of clinic replicas", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);
  const other = await createOrg(app);
  const register = (token: string, body: Record<string, unknown>) =>
    app.call("POST", "/api/v1/sync/nodes", { token, body });

  await t.step(
    "an admin registers a node; its credential is shown once, kept as a hash",
    async () => {
      const res = await register(org.admin, {
        name: "Kibera clinic",
        siteCode: "K2",
        facilityIds: [org.facilityId],
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.match(res.body.token, /^cn_[\w-]{43}$/);
      assert.equal(res.headers.get("location"), `/api/v1/sync/nodes/${res.body.id}`);
      assert.deepEqual(res.body.facilityIds, [org.facilityId]);
      const [row] = await app.deps.db.db.select().from(syncNodes)
        .where(eq(syncNodes.id, res.body.id));
      assert.equal(row.tokenHash, hashNodeToken(res.body.token));
      assert.ok(!JSON.stringify(row).includes(res.body.token));
      const list = await app.call("GET", "/api/v1/sync/nodes", { token: org.admin });
      assert.equal(list.body.data.length, 1);
      assert.ok(!("token" in list.body.data[0]));
    },
  );

  await t.step("a site code is unique in the organisation, even when two race", async () => {
    const body = { name: "Race", siteCode: "R1" };
    const results = await Promise.all([register(org.admin, body), register(org.admin, body)]);
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
    // Another organisation has its own codes.
    assert.equal((await register(other.admin, body)).status, 201);
  });

  await t.step("a bad site code answers 400 naming it; a foreign facility 422", async () => {
    const bad = await register(org.admin, { name: "Bad", siteCode: "k-2" });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].path, "siteCode");
    const foreign = await register(org.admin, {
      name: "Foreign",
      siteCode: "F1",
      facilityIds: [other.facilityId],
    });
    assert.equal(foreign.status, 422);
    assert.equal(foreign.body.errors[0].path, "facilityIds.0");
  });

  await t.step("revoking keeps the site code taken; revoking twice answers 422", async () => {
    const node = (await register(org.admin, { name: "Old", siteCode: "OLD" })).body;
    const revoked = await app.call("DELETE", `/api/v1/sync/nodes/${node.id}`, {
      token: org.admin,
      headers: { "if-match": '"1"' },
    });
    assert.equal(revoked.status, 200);
    assert.ok(revoked.body.revokedAt);
    assert.equal(
      (await app.call("DELETE", `/api/v1/sync/nodes/${node.id}`, { token: org.admin })).status,
      422,
    );
    assert.equal((await register(org.admin, { name: "New", siteCode: "OLD" })).status, 409);
    const live = await app.call("GET", "/api/v1/sync/nodes?revoked=false", { token: org.admin });
    assert.ok(!live.body.data.some((n: { id: string }) => n.id === node.id));
  });

  await t.step("a node's first contact tells it its organisation and site code", async () => {
    const node = (await register(org.admin, { name: "Hello", siteCode: "H1" })).body;
    const hello = await app.call("GET", "/api/v1/sync/hello", { token: node.token });
    assert.equal(hello.status, 200, JSON.stringify(hello.body));
    assert.equal(hello.body.organizationId, org.id);
    assert.equal(hello.body.organizationCode, org.code);
    assert.equal(hello.body.siteCode, "H1");
    assert.deepEqual(hello.body.facilityIds, []);
    assert.equal(hello.body.schemaVersion, schemaVersion());
    const list = await app.call("GET", "/api/v1/sync/nodes", { token: org.admin });
    assert.ok(list.body.data.find((n: { id: string }) => n.id === node.id).lastSeenAt);
    // A staff token is no node credential, and a revoked node is no longer one.
    assert.equal((await app.call("GET", "/api/v1/sync/hello", { token: org.admin })).status, 401);
    await app.call("DELETE", `/api/v1/sync/nodes/${node.id}`, { token: org.admin });
    assert.equal((await app.call("GET", "/api/v1/sync/hello", { token: node.token })).status, 401);
  });

  await t.step("staff other than ADMIN cannot see or register nodes", async () => {
    const doctor = await org.tokenFor("DOCTOR");
    assert.equal((await app.call("GET", "/api/v1/sync/nodes", { token: doctor })).status, 403);
    assert.equal((await register(doctor, { name: "X", siteCode: "X1" })).status, 403);
  });

  await t.step("a SUPER_ADMIN registers a node for any organisation, audited there", async () => {
    const root = await superAdminToken(app);
    const res = await app.call("POST", "/api/v1/platform/sync/nodes", {
      token: root,
      body: { organizationId: org.id, name: "Registered by HQ", siteCode: "HQ1" },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.match(res.body.token, /^cn_/);
    const hello = await app.call("GET", "/api/v1/sync/hello", { token: res.body.token });
    assert.equal(hello.body.organizationId, org.id);
    const trail = await app.call("GET", "/api/v1/audit-events?action=sync-node.create", {
      token: org.admin,
    });
    assert.ok(trail.body.data.some((e: any) => e.entityId === res.body.id));
    const unknown = await app.call("POST", "/api/v1/platform/sync/nodes", {
      token: root,
      body: { organizationId: crypto.randomUUID(), name: "Nowhere", siteCode: "NW" },
    });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.errors[0].path, "organizationId");
  });

  await app.close();
});
