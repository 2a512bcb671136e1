/**
 * A replica's first contact, with real server processes on loopback: the replica starts while
 * its primary is down, keeps serving, and learns its organisation and site code once the primary
 * answers. Before that it allocates no numbers.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDatabase } from "../db/client.ts";
import { syncState } from "../db/schema/mod.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg } from "./helpers/factories.ts";
import { freePort, SECRET, serve } from "./helpers/cluster.ts";

Deno.test("a replica allocates no number before its primary has given it its site code", async () => {
  // Staff made on the same database before it starts as a replica (normally they are pulled).
  const setup = await createTestApp();
  const org = await createOrg(setup);
  const reception = await org.tokenFor("RECEPTION");
  await setup.close({ keep: true });
  const app = await createTestApp({
    DATA_DIR: setup.dir,
    SYNC_ROLE: "replica",
    SYNC_PRIMARY_URL: `http://127.0.0.1:${freePort()}`,
    SYNC_NODE_TOKEN: "cn_not-reachable-yet",
    SYNC_INTERVAL_SECONDS: "60",
  });
  try {
    const res = await app.call("POST", "/api/v1/patients", {
      token: reception,
      body: { givenName: "Offline", familyName: "First", allowDuplicate: true },
    });
    assert.equal(res.status, 503, JSON.stringify(res.body));
    assert.equal(res.headers.get("retry-after"), "60");
    assert.match(res.body.detail, /not reached its primary/);
  } finally {
    await app.close();
    await Deno.remove(setup.dir, { recursive: true });
  }
});

Deno.test("a replica started while its primary is down makes first contact once it is up", async () => {
  const primaryDir = await Deno.makeTempDir({ prefix: "clinic-primary-" });
  const replicaDir = await Deno.makeTempDir({ prefix: "clinic-replica-" });
  const primaryPort = freePort();
  // The node is registered on the primary's database before the primary serves.
  const setup = await createTestApp({ DATA_DIR: primaryDir, JWT_SECRET: SECRET });
  const org = await createOrg(setup);
  const node = await setup.call("POST", "/api/v1/sync/nodes", {
    token: org.admin,
    body: { name: "Kibera", siteCode: "K2" },
  });
  assert.equal(node.status, 201);
  await setup.close();

  const replica = serve(replicaDir, {
    SYNC_ROLE: "replica",
    SYNC_PRIMARY_URL: `http://127.0.0.1:${primaryPort}`,
    SYNC_NODE_TOKEN: node.body.token,
  });
  let primary: ReturnType<typeof serve> | undefined;
  try {
    // Offline: the replica serves, and says it is retrying.
    await replica.waitFor("primary unreachable, retrying");
    primary = serve(primaryDir, { SYNC_ROLE: "primary" }, primaryPort);
    await primary.waitFor("listening");
    await replica.waitFor("sync: first contact");

    const db = openDatabase({ url: `file:${join(replicaDir, "clinic.db")}` });
    try {
      const [state] = await db.db.select().from(syncState);
      assert.equal(state.orgId, org.id);
      assert.equal(state.siteCode, "K2");
      assert.equal(state.nodeId, node.body.id);
    } finally {
      db.close();
    }
  } finally {
    await replica.stop();
    await primary?.stop();
    await Deno.remove(primaryDir, { recursive: true });
    await Deno.remove(replicaDir, { recursive: true });
  }
});
