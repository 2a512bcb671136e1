/**
 * A primary and two clinic replicas as real processes on loopback, each with its own database
 * file. The replicas start with only their node credential, pull their organisation (staff
 * included, so its people log in there), and all three write while one replica is cut off.
 * Once it is back, every node must hold the same rows, conflicts decided the same way, nothing
 * acknowledged lost and nothing of another organisation present.
 */
import assert from "node:assert/strict";
import { createTestApp, PASSWORD } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";
import {
  checksums,
  dump,
  http,
  link,
  loginAt,
  rowsOfOrg,
  SECRET,
  serve,
  type Served,
  SYNCED_TABLES,
  syncNow,
} from "./helpers/cluster.ts";

async function assertConverged(dirs: string[], orgId: string) {
  const sums = await Promise.all(dirs.map((d) => checksums(d, orgId)));
  for (const table of SYNCED_TABLES) {
    const values = sums.map((s) => s[table]);
    if (new Set(values).size > 1) {
      const rows = await Promise.all(dirs.map((d) => dump(d, orgId, table)));
      assert.fail(
        `table ${table} differs: ${values.join(" / ")}\n` +
          rows.map((r, i) => `node ${i}: ${JSON.stringify(r)}`).join("\n"),
      );
    }
  }
  return sums[0];
}

Deno.test("a primary and two replicas converge after one was cut off", async (t) => {
  const dirs = await Promise.all(
    ["primary", "k2", "k3"].map((n) => Deno.makeTempDir({ prefix: `clinic-${n}-` })),
  );
  const [primaryDir, k2Dir, k3Dir] = dirs;
  // The organisations, their staff and a patient exist on the primary before any node.
  const setup = await createTestApp({ DATA_DIR: primaryDir, JWT_SECRET: SECRET });
  const orgA = await createOrg(setup);
  const orgB = await createOrg(setup);
  const p0 = await createPatient(setup, orgA.admin, {
    givenName: "Zawadi",
    phone: "+254700000001",
  });
  await createPatient(setup, orgB.admin, { givenName: "Other", familyName: "Organisation" });
  const tokens: string[] = [];
  for (const siteCode of ["K2", "K3"]) {
    const node = await setup.call("POST", "/api/v1/sync/nodes", {
      token: orgA.admin,
      body: { name: `Clinic ${siteCode}`, siteCode },
    });
    assert.equal(node.status, 201);
    tokens.push(node.body.token);
  }
  await setup.close({ keep: true });

  const nodes: Served[] = [];
  const primary = serve(primaryDir, { SYNC_ROLE: "primary" });
  nodes.push(primary);
  const cable = link(primary.port);
  try {
    await primary.waitFor("listening");
    const replica = (dir: string, url: string, token: string) =>
      serve(dir, {
        SYNC_ROLE: "replica",
        SYNC_PRIMARY_URL: url,
        SYNC_NODE_TOKEN: token,
        SYNC_INTERVAL_SECONDS: "3600",
      });
    const k2 = replica(k2Dir, primary.url, tokens[0]);
    const k3 = replica(k3Dir, cable.url, tokens[1]);
    nodes.push(k2, k3);
    await Promise.all([k2.waitFor("sync: pulled"), k3.waitFor("sync: pulled")]);

    const at = {
      primary: await loginAt(primary, orgA.adminEmail),
      k2: await loginAt(k2, orgA.adminEmail),
      k3: await loginAt(k3, orgA.adminEmail),
    };

    await t.step("a fresh replica holds its organisation's staff and patients", async () => {
      const read = await http(k2, "GET", `/api/v1/patients/${p0.id}`, { token: at.k2 });
      assert.equal(read.status, 200);
      assert.equal(read.body.givenName, "Zawadi");
      const users = await http(k3, "GET", "/api/v1/users", { token: at.k3 });
      assert.ok(users.body.data.some((u: any) => u.email === orgA.adminEmail));
    });

    const created: Record<string, string> = {};
    const register = async (node: Served, token: string, body: Record<string, unknown>) => {
      const res = await http(node, "POST", "/api/v1/patients", {
        token,
        body: { birthDate: "1985-05-05", sex: "male", allowDuplicate: true, ...body },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    };
    const patch = async (node: Served, token: string, body: Record<string, unknown>) => {
      const current = await http(node, "GET", `/api/v1/patients/${p0.id}`, { token });
      const res = await fetch(`${node.url}/api/v1/patients/${p0.id}`, {
        method: "PATCH",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "if-match": `"${current.body.version}"`,
        },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 200, await res.text());
    };

    await t.step("all three write while K3 is cut off", async () => {
      cable.cut();
      const pa = await register(primary, at.primary, { givenName: "Primo", familyName: "Hq" });
      created[pa.id] = "Primo";
      await patch(primary, at.primary, { phone: "+254700000100" });
      const p2 = await register(k2, at.k2, { givenName: "Kibera", familyName: "Two" });
      assert.match(p2.mrn, /^MRNK2-/);
      created[p2.id] = "Kibera";
      await patch(k2, at.k2, { email: "k2@clinic.test" });
      // The same person registered at both clinics while apart.
      await register(k2, at.k2, {
        givenName: "Juma",
        familyName: "Offline",
        phone: "+254711222333",
      });
      const p3 = await register(k3, at.k3, { givenName: "Kisumu", familyName: "Three" });
      assert.match(p3.mrn, /^MRNK3-/);
      created[p3.id] = "Kisumu";
      await patch(k3, at.k3, { email: "k3@clinic.test", address: { city: "Kisumu" } });
      await register(k3, at.k3, {
        givenName: "Juma",
        familyName: "Offline",
        phone: "+254711222333",
      });
      await syncNow(k2, at.k2);
      const offline = await http(k3, "POST", "/api/v1/sync/run", { token: at.k3 });
      assert.equal(offline.status, 503, JSON.stringify(offline.body));
      const status = await http(k3, "GET", "/api/v1/sync/status", { token: at.k3 });
      assert.equal(status.body.role, "replica");
      assert.equal(status.body.siteCode, "K3");
      assert.ok(status.body.pendingChanges >= 3, JSON.stringify(status.body));
      assert.ok(status.body.lastError, "the status says why it did not sync");
    });

    await t.step("reconnected, every node converges", async () => {
      cable.restore();
      const moved = await syncNow(k3, at.k3);
      assert.ok(moved.pushed >= 3, JSON.stringify(moved));
      await syncNow(k2, at.k2);
      await syncNow(k3, at.k3);
      await assertConverged(dirs, orgA.id);
      for (const node of [primary, k2, k3]) {
        const token = node === primary ? at.primary : node === k2 ? at.k2 : at.k3;
        for (const [id, name] of Object.entries(created)) {
          const read = await http(node, "GET", `/api/v1/patients/${id}`, { token });
          assert.equal(read.status, 200, `${name} on ${node.url}`);
          assert.equal(read.body.givenName, name);
        }
        const p = (await http(node, "GET", `/api/v1/patients/${p0.id}`, { token })).body;
        // Different fields merged; the same field went to one side, everywhere.
        assert.equal(p.phone, "+254700000100");
        assert.deepEqual(p.address, { city: "Kisumu" });
        assert.equal(p.email, "k3@clinic.test"); // K3 wrote it later
      }
    });

    await t.step("the conflict is in the queue, the same on every node", async () => {
      const queues = await Promise.all([
        http(primary, "GET", "/api/v1/sync/conflicts", { token: at.primary }),
        http(k2, "GET", "/api/v1/sync/conflicts", { token: at.k2 }),
        http(k3, "GET", "/api/v1/sync/conflicts", { token: at.k3 }),
      ]);
      for (const q of queues) {
        assert.equal(q.status, 200);
        assert.equal(q.body.data.length, 1, JSON.stringify(q.body));
        assert.deepEqual(q.body.data, queues[0].body.data);
      }
      const [c] = queues[0].body.data;
      assert.equal(c.kind, "field");
      assert.equal(c.field, "email");
      assert.equal(c.keptValue, "k3@clinic.test");
      assert.equal(c.otherValue, "k2@clinic.test");
      assert.equal(c.status, "open");
    });

    await t.step("an ADMIN chooses the other value on one replica; all follow", async () => {
      const [c] = (await http(k2, "GET", "/api/v1/sync/conflicts", { token: at.k2 })).body.data;
      const res = await http(k2, "POST", `/api/v1/sync/conflicts/${c.id}/resolve`, {
        token: at.k2,
        body: { choice: "other" },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.status, "resolved");
      await syncNow(k2, at.k2);
      await syncNow(k3, at.k3);
      await assertConverged(dirs, orgA.id);
      const p = (await http(primary, "GET", `/api/v1/patients/${p0.id}`, { token: at.primary }))
        .body;
      assert.equal(p.email, "k2@clinic.test");
      const open = await http(k3, "GET", "/api/v1/sync/conflicts?status=open", { token: at.k3 });
      assert.equal(open.body.data.length, 0);
    });

    await t.step(
      "the same person registered at both clinics is a duplicate candidate",
      async () => {
        const found = await http(primary, "GET", "/api/v1/patients?q=Juma%20Offline", {
          token: at.primary,
        });
        assert.equal(found.body.data.length, 2, JSON.stringify(found.body));
        const dupes = await http(
          primary,
          "GET",
          `/api/v1/patients/${found.body.data[0].id}/duplicates`,
          { token: at.primary },
        );
        assert.equal(dupes.status, 200);
        assert.ok(
          dupes.body.data.some((d: any) =>
            d.patient?.id === found.body.data[1].id ||
            d.id === found.body.data[1].id
          ),
          JSON.stringify(dupes.body),
        );
      },
    );

    await t.step("a document's file follows its row, fetched on first download", async () => {
      // Large enough to go up in several parts.
      const text = "%PDF-1.4\n" + "% referral letter scanned at the clinic\n".repeat(32_000) +
        "%%EOF\n";
      const bytes = new TextEncoder().encode(text);
      const form = new FormData();
      form.append("file", new File([bytes], "referral.pdf", { type: "application/pdf" }));
      const up = await fetch(`${k3.url}/api/v1/patients/${p0.id}/documents`, {
        method: "POST",
        headers: { authorization: `Bearer ${at.k3}` },
        body: form,
      });
      assert.equal(up.status, 201);
      const doc = await up.json();
      await syncNow(k3, at.k3);
      await syncNow(k2, at.k2);
      const download = async (node: Served, token: string) => {
        const res = await fetch(
          `${node.url}/api/v1/patients/${p0.id}/documents/${doc.id}/content`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        assert.equal(res.status, 200, `${node.url}: ${res.status}`);
        return new Uint8Array(await res.arrayBuffer());
      };
      // Uploaded by the clinic that made it, then fetched by the other on first download.
      assert.deepEqual(await download(primary, at.primary), bytes);
      assert.deepEqual(await download(k2, at.k2), bytes);
      // Their logs say so (read from the processes' output as it arrives).
      await k2.waitFor("sync: file fetched from the primary", 5000);
      await primary.waitFor("sync: file received", 5000);
    });

    await t.step("a replica holds nothing of another organisation", async () => {
      for (const dir of [k2Dir, k3Dir]) {
        const counts = await rowsOfOrg(dir, orgB.id);
        for (const [table, n] of Object.entries(counts)) {
          assert.equal(n, 0, `${table} holds ${n} rows of another organisation`);
        }
      }
      // Nor any node's credential, its own organisation's included.
      for (const dir of [k2Dir, k3Dir]) {
        assert.equal((await rowsOfOrg(dir, orgA.id)).sync_nodes, 0);
      }
      const primaryCounts = await rowsOfOrg(primaryDir, orgB.id);
      assert.ok(primaryCounts.patients >= 1, "the primary has the other organisation's rows");
    });

    await t.step("audit entries flow up with the site they were made at", async () => {
      const events = await http(
        primary,
        "GET",
        `/api/v1/audit-events?patientId=${p0.id}&limit=100`,
        { token: at.primary },
      );
      assert.equal(events.status, 200, JSON.stringify(events.body));
      const sites = new Set(events.body.data.map((e: any) => e.site));
      assert.ok(sites.has("K2") && sites.has("K3"), JSON.stringify([...sites]));
    });
  } finally {
    cable.close();
    for (const n of nodes.reverse()) await n.stop();
    for (const d of dirs) await Deno.remove(d, { recursive: true });
  }
});

export { PASSWORD };
