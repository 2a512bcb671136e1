/**
 * An API key travels with its organisation: made at the primary, it works at a clinic replica
 * once the replica has pulled it (its hash is a secret field, read when the change is sent),
 * and a revocation at the primary reaches the replica at its next pull. Real server processes.
 */
import assert from "node:assert/strict";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";
import { freePort, SECRET, serve } from "./helpers/cluster.ts";

async function until(what: string, probe: () => Promise<boolean>, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const get = async (url: string, key: string) => {
  const res = await fetch(url, { headers: { "x-api-key": key } });
  await res.body?.cancel();
  return res.status;
};

Deno.test("a key made at the primary works at a replica after a pull, and its revocation follows", async () => {
  const primaryDir = await Deno.makeTempDir({ prefix: "clinic-primary-" });
  const replicaDir = await Deno.makeTempDir({ prefix: "clinic-replica-" });
  const primaryPort = freePort();
  const setup = await createTestApp({ DATA_DIR: primaryDir, JWT_SECRET: SECRET });
  const org = await createOrg(setup);
  const node = await setup.call("POST", "/api/v1/sync/nodes", {
    token: org.admin,
    body: { name: "Kibera", siteCode: "K7" },
  });
  assert.equal(node.status, 201);
  const patient = await createPatient(setup, org.admin);
  const made = await setup.call("POST", "/api/v1/api-keys", {
    token: org.admin,
    body: { name: "Lab bridge", permissions: ["patients:read"] },
  });
  assert.equal(made.status, 201);
  await setup.close();

  const primary = serve(primaryDir, { SYNC_ROLE: "primary" }, primaryPort);
  await primary.waitFor("listening");
  const replica = serve(replicaDir, {
    SYNC_ROLE: "replica",
    SYNC_PRIMARY_URL: primary.url,
    SYNC_NODE_TOKEN: node.body.token,
    SYNC_INTERVAL_SECONDS: "1",
  });
  try {
    await replica.waitFor("listening");
    const at = (n: { url: string }) => `${n.url}/api/v1/patients/${patient.id}`;
    await until(
      "the key works at the replica",
      async () => (await get(at(replica), made.body.key)) === 200,
    );

    const revoked = await fetch(`${primary.url}/api/v1/api-keys/${made.body.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${org.admin}` },
    });
    assert.equal(revoked.status, 200, await revoked.text());
    assert.equal(await get(at(primary), made.body.key), 401);
    await until(
      "the revocation reaches the replica",
      async () => (await get(at(replica), made.body.key)) === 401,
    );
  } finally {
    await replica.stop();
    await primary.stop();
    await Deno.remove(primaryDir, { recursive: true });
    await Deno.remove(replicaDir, { recursive: true });
  }
});
