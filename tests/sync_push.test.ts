/**
 * The primary's side of push and pull, through real HTTP handling: a batch applies once however
 * often it is sent, a node of another schema is refused, what a node may not touch goes to the
 * conflict queue instead of the database, and many nodes pulling at once are all served.
 */
import assert from "node:assert/strict";
import { schemaVersion } from "../db/migrate.ts";
import { nextHlc } from "../db/hlc.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";

Deno.test("push and pull at the primary", async (t) => {
  const app = await createTestApp();
  try {
    const org = await createOrg(app);
    const other = await createOrg(app);
    const patient = await createPatient(app, org.admin, { phone: "+254700000001" });
    const theirs = await createPatient(app, other.admin);
    const registered = await app.call("POST", "/api/v1/sync/nodes", {
      token: org.admin,
      body: { name: "Push clinic", siteCode: "PU" },
    });
    const node = registered.body.token;
    let seq = 0;
    const change = (table: string, rowId: string, values: Record<string, unknown>) => ({
      seq: ++seq,
      table,
      rowId,
      op: "update",
      version: 2,
      at: new Date().toISOString(),
      actorId: null,
      hlc: nextHlc(),
      values,
      base: Object.fromEntries(Object.keys(values).map((k) => [k, null])),
    });
    const push = (changes: unknown[], version = schemaVersion()) =>
      app.call("POST", "/api/v1/sync/push", {
        token: node,
        body: { schemaVersion: version, changes },
      });
    const read = async () =>
      (await app.call("GET", `/api/v1/patients/${patient.id}`, { token: org.admin })).body;

    await t.step("a batch sent twice applies once", async () => {
      const batch = [change("patients", patient.id, { email: "once@clinic.test" })];
      const first = await push(batch);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(first.body, { applied: 1, conflicts: 0, pushedSeq: seq, auditSeq: 0 });
      const version = (await read()).version;
      const again = await push(batch);
      assert.equal(again.body.applied, 0);
      assert.equal((await read()).version, version, "nothing applied the second time");
      assert.equal((await read()).email, "once@clinic.test");
    });

    await t.step("the same batch sent twice at once applies once", async () => {
      const batch = [change("patients", patient.id, { occupation: "Nurse" })];
      const [a, b] = await Promise.all([push(batch), push(batch)]);
      assert.equal(a.status, 200);
      assert.equal(b.status, 200);
      assert.equal(a.body.applied + b.body.applied, 1, JSON.stringify([a.body, b.body]));
    });

    await t.step("a node of another schema is refused, and nothing applies", async () => {
      const res = await push([change("patients", patient.id, { email: "no@clinic.test" })], 1);
      assert.equal(res.status, 409);
      assert.match(res.body.detail, /upgrade/);
      const pull = await app.call("GET", "/api/v1/sync/pull?schemaVersion=1", { token: node });
      assert.equal(pull.status, 409);
      assert.equal((await read()).email, "once@clinic.test");
    });

    await t.step("a node whose clock runs ahead is refused until it is set right", async () => {
      const ahead = change("patients", patient.id, { email: "future@clinic.test" });
      const future = Date.now() + 60 * 60_000;
      ahead.hlc = `${future.toString(36).padStart(9, "0")}-0000-deadbeef`;
      const res = await push([ahead]);
      assert.equal(res.status, 409);
      assert.match(res.body.detail, /clock is about 60 minutes ahead/);
      assert.equal((await read()).email, "once@clinic.test");
    });

    await t.step("another organisation's row goes to the queue, untouched", async () => {
      const res = await push([change("patients", theirs.id, { email: "stolen@clinic.test" })]);
      assert.equal(res.body.conflicts, 1);
      const still = await app.call("GET", `/api/v1/patients/${theirs.id}`, {
        token: other.admin,
      });
      assert.notEqual(still.body.email, "stolen@clinic.test");
      // Choosing to apply it anyway is refused for the same reason.
      const queue = await app.call("GET", "/api/v1/sync/conflicts", { token: org.admin });
      const held = queue.body.data.find((c: any) => c.rowId === theirs.id);
      const resolved = await app.call("POST", `/api/v1/sync/conflicts/${held.id}/resolve`, {
        token: org.admin,
        body: { choice: "other" },
      });
      assert.equal(resolved.status, 409, JSON.stringify(resolved.body));
      const after = await app.call("GET", `/api/v1/patients/${theirs.id}`, {
        token: other.admin,
      });
      assert.notEqual(after.body.email, "stolen@clinic.test");
    });

    await t.step("a change breaking a unique rule is kept, and applied once fixed", async () => {
      const mine = await app.call("POST", "/api/v1/facilities", {
        token: org.admin,
        body: { name: "Westlands", code: "WEST" },
      });
      assert.equal(mine.status, 201);
      const id = crypto.randomUUID();
      const at = new Date().toISOString();
      // Between two good changes, which apply all the same.
      const res = await push([change("patients", patient.id, { middleName: "Before" }), {
        ...change("facilities", id, {}),
        op: "insert",
        version: 1,
        values: {
          id,
          orgId: org.id,
          createdAt: at,
          updatedAt: at,
          version: 1,
          name: "Westlands (clinic)",
          code: "WEST",
          active: true,
        },
        base: {},
      }, change("patients", patient.id, { nationalId: "A1234567" })]);
      assert.equal(res.body.conflicts, 1);
      assert.equal(res.body.applied, 3, "every change is applied or held");
      const now = await read();
      assert.equal(now.middleName, "Before");
      assert.equal(now.nationalId, "A1234567");
      const queue = await app.call("GET", "/api/v1/sync/conflicts", { token: org.admin });
      const held = queue.body.data.find((c: any) => c.rowId === id);
      assert.equal(held.kind, "rejected");
      assert.match(held.error, /UNIQUE/i);
      const trail = await app.call(
        "GET",
        `/api/v1/audit-events?action=sync-conflict.create&entityId=${held.id}`,
        { token: org.admin },
      );
      assert.equal(trail.body.data.length, 1, "the conflict's creation is audited");
      const early = await app.call("POST", `/api/v1/sync/conflicts/${held.id}/resolve`, {
        token: org.admin,
        body: { choice: "other" },
      });
      assert.equal(early.status, 409, "still clashes");
      const renamed = await app.call("PATCH", `/api/v1/facilities/${mine.body.id}`, {
        token: org.admin,
        body: { code: "WEST-HQ" },
      });
      assert.equal(renamed.status, 200);
      const resolved = await app.call("POST", `/api/v1/sync/conflicts/${held.id}/resolve`, {
        token: org.admin,
        body: { choice: "other" },
      });
      assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
      const applied = await app.call("GET", `/api/v1/facilities/${id}`, { token: org.admin });
      assert.equal(applied.body.code, "WEST");
    });

    await t.step("a node cannot make anyone a super admin", async () => {
      const me = await app.call("GET", "/api/v1/auth/me", { token: org.admin });
      const res = await push([change("users", me.body.user?.id ?? me.body.id, {
        isSuperAdmin: true,
      })]);
      assert.equal(res.body.conflicts, 1);
      const queue = await app.call("GET", "/api/v1/sync/conflicts", { token: org.admin });
      assert.ok(queue.body.data.some((c: any) => /primary only/.test(c.error ?? "")));
      const platform = await app.call("POST", "/api/v1/auth/switch-organization", {
        token: org.admin,
        body: { organizationId: null },
      });
      assert.notEqual(platform.status, 200, "still no platform session");
    });

    await t.step(
      "rows logged before the log kept values or clocks still travel whole",
      async () => {
        const old = await createPatient(app, org.admin, { givenName: "Legacy" });
        // As an older primary's log holds them (before migrations 0007 and 0008).
        await app.deps.db.executeScript([
          `UPDATE change_log SET "values" = NULL, hlc = '', fields = NULL, actor_id = NULL
          WHERE row_id = '${old.id}'`,
        ]);
        const page = await app.call(
          "GET",
          `/api/v1/sync/pull?after=0&limit=1000&schemaVersion=${schemaVersion()}`,
          { token: node },
        );
        const sent = page.body.changes.find((c: any) => c.rowId === old.id);
        assert.equal(sent.values.givenName, "Legacy");
        assert.equal(sent.values.mrn, old.mrn);
        assert.match(sent.hlc, /legacy$/);
      },
    );

    await t.step("twenty nodes pulling at once are all served, each in full", async () => {
      const tokens: string[] = [];
      for (let i = 0; i < 20; i++) {
        const res = await app.call("POST", "/api/v1/sync/nodes", {
          token: org.admin,
          body: { name: `Clinic ${i}`, siteCode: `N${i}` },
        });
        tokens.push(res.body.token);
      }
      const pullAll = async (token: string) => {
        const rows = new Set<string>();
        let after = 0;
        while (true) {
          const res = await app.call(
            "GET",
            `/api/v1/sync/pull?after=${after}&limit=50&schemaVersion=${schemaVersion()}`,
            { token },
          );
          assert.equal(res.status, 200, JSON.stringify(res.body));
          for (const c of res.body.changes) rows.add(`${c.table}/${c.rowId}`);
          after = res.body.next;
          if (!res.body.more) return rows;
        }
      };
      const results = await Promise.all(tokens.map(pullAll));
      const listed = await app.call("GET", "/api/v1/sync/nodes?limit=100", { token: org.admin });
      const seen = listed.body.data.filter((n: any) => /^N\d+$/.test(n.siteCode));
      assert.equal(seen.length, 20);
      for (const n of seen) assert.ok(n.lastPullAt, `${n.siteCode} shows when it last pulled`);
      const pusher = listed.body.data.find((n: any) => n.siteCode === "PU");
      assert.ok(pusher.lastPushAt, "the pushing node shows when it last pushed");
      for (const rows of results) {
        assert.deepEqual([...rows].sort(), [...results[0]].sort());
        assert.ok(rows.has(`patients/${patient.id}`));
        assert.ok(!rows.has(`patients/${theirs.id}`), "another organisation's row");
      }
    });
  } finally {
    await app.close();
  }
});
