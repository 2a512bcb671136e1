import assert from "node:assert/strict";
import { auditEvents } from "../db/schema/mod.ts";
import { createAuditLog, listAuditEvents } from "../src/modules/audit/service.ts";
import { eq } from "drizzle-orm";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";

Deno.test("audit trail", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);
  const doctor = await org.tokenFor("DOCTOR");
  const doctorId = await org.userIdFor("DOCTOR");
  const patient = await createPatient(app, org.admin);

  await t.step(
    "a read of a patient is recorded with actor, role, patient and request id",
    async () => {
      const res = await app.call("GET", `/api/v1/patients/${patient.id}`, {
        token: doctor,
        headers: { "x-request-id": "audit-read-1", "user-agent": "DeskApp/1.0" },
        ip: "192.0.2.7",
      });
      assert.equal(res.status, 200);
      await app.deps.audit.flush();
      const page = await app.call(
        "GET",
        `/api/v1/audit-events?patientId=${patient.id}&action=patient.read`,
        {
          token: org.admin,
        },
      );
      assert.equal(page.status, 200);
      const [entry] = page.body.data;
      assert.equal(entry.actorId, doctorId);
      assert.equal(entry.actorRole, "DOCTOR");
      assert.equal(entry.requestId, "audit-read-1");
      assert.equal(entry.outcome, "success");
      assert.equal(entry.ip, "192.0.2.7");
      assert.equal(entry.userAgent, "DeskApp/1.0");
    },
  );

  await t.step("an update records the names of the changed fields, not their values", async () => {
    await app.call("PATCH", `/api/v1/patients/${patient.id}`, {
      token: org.admin,
      body: { phone: "+254 700 000 001", givenName: patient.givenName },
    });
    const page = await app.call(
      "GET",
      `/api/v1/audit-events?action=patient.update&patientId=${patient.id}`,
      {
        token: org.admin,
      },
    );
    assert.deepEqual(page.body.data[0].changedFields, ["phone"]);
    assert.ok(!JSON.stringify(page.body).includes("700 000 001"));
  });

  await t.step(
    "a list page is one entry naming every patient shown, found under each",
    async () => {
      for (const familyName of ["Listone", "Listtwo", "Listthree"]) {
        await createPatient(app, org.admin, { familyName });
      }
      const shown = await app.call("GET", "/api/v1/patients?limit=5", { token: doctor });
      const ids: string[] = shown.body.data.map((p: any) => p.id);
      assert.ok(ids.length >= 2, "the organisation has patients to list");
      await app.deps.audit.flush();
      const page = await app.call(
        "GET",
        `/api/v1/audit-events?action=patient.list&actorId=${doctorId}`,
        { token: org.admin },
      );
      assert.equal(page.body.data.length, 1, "one entry for one page");
      assert.deepEqual(page.body.data[0].patientIds, ids);
      assert.equal(page.body.data[0].patientId, null);
      const listedEntryOf = async (id: string) => {
        const res = await app.call(
          "GET",
          `/api/v1/audit-events?patientId=${id}&actorId=${doctorId}&action=patient.list`,
          { token: org.admin },
        );
        assert.equal(res.status, 200);
        return res.body.data.map((e: any) => e.id);
      };
      // Before the index by patient has caught up (the tail is scanned) and after it has.
      for (const id of ids) assert.deepEqual(await listedEntryOf(id), [page.body.data[0].id]);
      await app.deps.audit.index();
      for (const id of ids) assert.deepEqual(await listedEntryOf(id), [page.body.data[0].id]);
    },
  );

  await t.step(
    "a patient's entries page newest first across the indexed trail and its tail",
    async () => {
      const patient = await createPatient(app, org.admin, { familyName: "Trailpage" });
      for (let i = 0; i < 3; i++) {
        await app.call("GET", `/api/v1/patients/${patient.id}`, {
          token: doctor,
        });
      }
      await app.deps.audit.index();
      await app.call("GET", `/api/v1/patients?q=Trailpage`, { token: doctor });
      for (let i = 0; i < 2; i++) {
        await app.call("GET", `/api/v1/patients/${patient.id}`, {
          token: doctor,
        });
      }
      await app.deps.audit.flush();
      const all = await app.call("GET", `/api/v1/audit-events?patientId=${patient.id}&limit=100`, {
        token: org.admin,
      });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await app.call(
          "GET",
          `/api/v1/audit-events?patientId=${patient.id}&limit=2${
            cursor ? `&cursor=${cursor}` : ""
          }`,
          { token: org.admin },
        );
        seen.push(...res.body.data.map((e: any) => e.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, all.body.data.map((e: any) => e.id), "pages add up to the whole list");
      assert.equal(new Set(seen).size, seen.length, "no entry twice");
      const actions = all.body.data.map((e: any) => e.action);
      // Newest first: two reads, the search page, three reads, the registration.
      assert.deepEqual(actions.slice(0, 6), [
        "patient.read",
        "patient.read",
        "patient.list",
        "patient.read",
        "patient.read",
        "patient.read",
      ]);
      assert.equal(actions.at(-1), "patient.create");
    },
  );

  await t.step("a denied request is recorded as denied", async () => {
    assert.equal((await app.call("GET", "/api/v1/audit-events", { token: doctor })).status, 403);
    await app.deps.audit.flush();
    const page = await app.call("GET", `/api/v1/audit-events?outcome=denied&actorId=${doctorId}`, {
      token: org.admin,
    });
    assert.equal(page.body.data[0].action, "access.denied");
  });

  await t.step("filters by time range and pages newest first", async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const first = await app.call("GET", `/api/v1/audit-events?limit=2&from=${from}&to=${to}`, {
      token: org.admin,
    });
    assert.equal(first.body.data.length, 2);
    assert.ok(first.body.data[0].at >= first.body.data[1].at);
    const second = await app.call(
      "GET",
      `/api/v1/audit-events?limit=2&cursor=${first.body.nextCursor}`,
      {
        token: org.admin,
      },
    );
    assert.ok(second.body.data[0].at <= first.body.data[1].at);
    assert.notEqual(second.body.data[0].id, first.body.data[1].id);
    const future = await app.call("GET", `/api/v1/audit-events?from=${to}`, { token: org.admin });
    assert.equal(future.body.data.length, 0);
    const bad = await app.call("GET", "/api/v1/audit-events?from=yesterday", { token: org.admin });
    assert.equal(bad.status, 400);
  });

  await t.step(
    "a past time window finds exactly its entries, also ones appended late",
    async () => {
      const orgX = crypto.randomUUID();
      const hour = 3_600_000;
      const base = Date.parse("2026-01-10T12:00:00.000Z");
      const row = (ms: number, action: string) => ({
        id: crypto.randomUUID(),
        orgId: orgX,
        action,
        outcome: "success",
        requestId: action,
        at: new Date(ms).toISOString(),
      });
      await app.deps.db.appendRows(auditEvents, [
        row(base - 3 * hour, "three-hours-before"),
        row(base - 2 * hour, "two-hours-before"),
        row(base - hour, "one-hour-before"),
      ]);
      // A batch that reached the table after newer entries (reads are flushed later than writes).
      await app.deps.db.appendRows(auditEvents, [row(base - 2 * hour + 60_000, "appended-late")]);
      const page = await listAuditEvents(app.deps.db.db, orgX, {
        limit: 10,
        from: new Date(base - 2.5 * hour).toISOString(),
        to: new Date(base - 1.5 * hour).toISOString(),
      });
      assert.deepEqual(page.data.map((e) => e.action), ["appended-late", "two-hours-before"]);
    },
  );

  await t.step("another organisation's admin sees none of these entries", async () => {
    const other = await createOrg(app);
    const page = await app.call("GET", `/api/v1/audit-events?patientId=${patient.id}`, {
      token: other.admin,
    });
    assert.equal(page.status, 200);
    assert.equal(page.body.data.length, 0);
  });

  await t.step("no operation in the API can change or delete an audit entry", async () => {
    const spec = (await app.call("GET", "/api/v1/openapi.json")).body;
    for (const [path, item] of Object.entries<any>(spec.paths)) {
      if (!path.startsWith("/api/v1/audit")) continue;
      assert.deepEqual(Object.keys(item), ["get"], path);
    }
  });

  await t.step("if the writer worker dies, queued reads still reach the table", async () => {
    const quiet = { ...app.deps.logger, error: () => {} };
    // A database the worker cannot open: its folder would have to be inside a file.
    const log = createAuditLog(app.deps.db, app.deps.clock, quiet, {
      flushMs: 10,
      workerDatabase: { url: `file:${app.dir}/clinic.db/cannot/open.db` },
    });
    const requestId = `worker-died-${crypto.randomUUID()}`;
    log.recordRead({ requestId }, { action: "patient.read", patientId: patient.id });
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await log.flush();
      const rows = await app.deps.db.db.select().from(auditEvents)
        .where(eq(auditEvents.requestId, requestId));
      if (rows.length === 1) break;
    }
    await log.close();
    const rows = await app.deps.db.db.select().from(auditEvents)
      .where(eq(auditEvents.requestId, requestId));
    assert.equal(rows.length, 1);
  });

  await t.step("queued reads are written on shutdown, not lost", async () => {
    const second = await createTestApp();
    const o = await createOrg(second);
    const p = await createPatient(second, o.admin);
    await second.call("GET", `/api/v1/patients/${p.id}`, { token: o.admin });
    // Close without an explicit flush: closing must flush.
    const dir = second.dir;
    await second.deps.audit.close();
    const { openDatabase } = await import("../db/client.ts");
    const { auditEvents } = await import("../db/schema/mod.ts");
    const { eq } = await import("drizzle-orm");
    const db = openDatabase({ url: `file:${dir}/clinic.db` });
    const rows = await db.db.select().from(auditEvents).where(eq(auditEvents.patientId, p.id));
    assert.ok(rows.some((r) => r.action === "patient.read"));
    db.close();
    await second.close();
  });

  await app.close();
});
