/**
 * An import the process did not finish is undone: by the next start when the process was killed
 * between two of the import's transactions, by the start of another process sharing the database
 * when the import's claim lapsed, and never while another process may still be running it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { and, count, eq, inArray, like } from "drizzle-orm";
import { openDatabase } from "../db/client.ts";
import {
  auditEvents,
  changeLog,
  patientImportRows,
  patientImports,
  patients,
} from "../db/schema/mod.ts";
import { importPatients } from "../src/modules/patient-transfer/service.ts";
import { ImportTakenOver } from "../src/modules/patient-transfer/import-record.ts";
import { recoverImports } from "../src/modules/patient-transfer/import-recovery.ts";
import { createTestApp, type TestApp } from "./helpers/app.ts";
import { adminActor, createOrg, type TestOrg } from "./helpers/factories.ts";
import { http, loginAt, SECRET, serve } from "./helpers/cluster.ts";
import { importFiles } from "./helpers/import-files.ts";

const { name, csvOf } = importFiles(14_071);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>) {
  const end = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(50);
  }
}

type Reader = ReturnType<typeof openDatabase>["db"];

/** The organisation's patients whose national id starts with `prefix`, live or deleted. */
async function byPrefix(db: Reader, orgId: string, prefix: string) {
  return await db.select({ id: patients.id, deletedAt: patients.deletedAt }).from(patients)
    .where(and(eq(patients.orgId, orgId), like(patients.nationalId, `${prefix}-%`)));
}

async function undoEntries(db: Reader, orgId: string) {
  return await db.select({ patientId: auditEvents.patientId, requestId: auditEvents.requestId })
    .from(auditEvents).where(
      and(eq(auditEvents.orgId, orgId), eq(auditEvents.action, "patient.import-undo")),
    );
}

async function statusOf(db: Reader, id: string) {
  const [row] = await db.select({ status: patientImports.status }).from(patientImports)
    .where(eq(patientImports.id, id));
  return row?.status;
}

const actorOf = (org: TestOrg) => adminActor(org, "import-recovery-test");

/** Registers a patient through the app (in-process); answers its id. */
async function registerAt(app: TestApp, token: string, nationalId: string) {
  const res = await app.call("POST", "/api/v1/patients", {
    token,
    body: { givenName: name(), familyName: name(), nationalId, allowDuplicate: true },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id as string;
}

/** An unfinished import's record as a process leaves it, naming `patientIds`. */
async function leaveImport(
  app: TestApp,
  org: TestOrg,
  patientIds: string[],
  claimedUntil: Date,
) {
  const id = crypto.randomUUID();
  const at = new Date().toISOString();
  await app.deps.db.transaction(async (tx) => {
    await tx.insert(patientImports).values({
      id,
      orgId: org.id,
      startedAt: at,
      startedBy: await org.userIdFor("ADMIN"),
      mode: "all-or-nothing",
      status: "publishing",
      rows: patientIds.length * 2,
      claimedUntil: claimedUntil.toISOString(),
    });
    await tx.insert(patientImportRows).values(
      patientIds.map((patientId) => ({ importId: id, patientId })),
    );
  });
  return id;
}

Deno.test("interrupted patient imports are undone at start", async (t) => {
  await t.step("start-up undoes an abandoned import and waits for a claimed one", async () => {
    let app = await createTestApp();
    const org = await createOrg(app);
    const abandoned = [
      await registerAt(app, org.admin, "LEFT-1"),
      await registerAt(app, org.admin, "LEFT-2"),
    ];
    const claimed = [await registerAt(app, org.admin, "LIVE-1")];
    const other = await registerAt(app, org.admin, "DESK-1");
    const left = await leaveImport(app, org, abandoned, new Date(Date.now() - 1000));
    const CLAIM_MS = 8000;
    const live = await leaveImport(app, org, claimed, new Date(Date.now() + CLAIM_MS));
    const dir = app.dir;
    await app.close({ keep: true });

    app = await createTestApp({ DATA_DIR: dir });
    const db = app.deps.db.db;
    const t0 = Date.now();
    await until(
      "abandoned import undone",
      20_000,
      async () => await statusOf(db, left) === "undone" ? true : undefined,
    );
    const leftRows = await byPrefix(db, org.id, "LEFT");
    assert.equal(leftRows.length, 2);
    assert.ok(leftRows.every((p) => p.deletedAt !== null));
    const entries = await undoEntries(db, org.id);
    assert.deepEqual(entries.map((e) => e.patientId).sort(), [...abandoned].sort());
    assert.ok(entries.every((e) => e.requestId?.startsWith("patient-import-recovery")));
    const deletes = await db.select({ n: count() }).from(changeLog)
      .where(and(inArray(changeLog.rowId, abandoned), eq(changeLog.operation, "delete")));
    assert.equal(deletes[0].n, 2, "each deletion is in the change log for replicas");
    assert.equal(
      (await app.call("GET", `/api/v1/patients/${other}`, { token: org.admin })).status,
      200,
    );

    // Another process may still be writing it until its claim lapses.
    if (Date.now() - t0 < CLAIM_MS - 1000) {
      assert.equal(await statusOf(db, live), "publishing");
      assert.equal((await byPrefix(db, org.id, "LIVE"))[0].deletedAt, null);
    }
    await until(
      "claimed import undone once its claim lapsed",
      30_000,
      async () => await statusOf(db, live) === "undone" ? true : undefined,
    );
    assert.notEqual((await byPrefix(db, org.id, "LIVE"))[0].deletedAt, null);
    await app.close();
  });

  await t.step("an import whose claim lapsed stops when another start takes it over", async () => {
    const app = await createTestApp();
    const org = await createOrg(app);
    const db = app.deps.db.db;
    let chunks = 0;
    let importId: string | undefined;
    const err = await importPatients(
      app.deps,
      await actorOf(org),
      new File([csvOf(30, "TAKE").csv], "taken.csv"),
      { mode: "all-or-nothing", dryRun: false, allowDuplicates: false },
      {
        chunkMs: 0,
        afterChunk: async () => {
          if (++chunks !== 10) return;
          // The process stalls past its claim; another process starts meanwhile.
          const [rec] = await db.select().from(patientImports)
            .where(eq(patientImports.orgId, org.id));
          importId = rec.id;
          await app.deps.db.transaction((tx) =>
            tx.update(patientImports).set({ claimedUntil: "2000-01-01T00:00:00.000Z" })
              .where(eq(patientImports.id, rec.id))
          );
          const stop = await recoverImports(app.deps);
          assert.ok(stop, "the recovery found the import");
          await until(
            "taken over and undone",
            20_000,
            async () => await statusOf(db, rec.id) === "undone" ? true : undefined,
          );
          await stop();
        },
      },
    ).then(() => null, (e) => e);
    assert.ok(err instanceof ImportTakenOver, String(err));
    const rows = await byPrefix(db, org.id, "TAKE");
    assert.equal(rows.length, 10, "the import wrote nothing after it was taken over");
    assert.ok(rows.every((p) => p.deletedAt !== null));
    const entries = await undoEntries(db, org.id);
    assert.equal(entries.length, 10, "each row undone once");
    assert.equal(await statusOf(db, importId!), "undone");
    await app.close();
  });

  await t.step("a server killed mid-import undoes it at its next start", async () => {
    const ROWS = 3000;
    const dir = await Deno.makeTempDir({ prefix: "clinic-import-kill-" });
    const setup = await createTestApp({ DATA_DIR: dir, JWT_SECRET: SECRET });
    const org = await createOrg(setup);
    await setup.close({ keep: true });
    // A short busy timeout makes the claim short (10 s + 2 x 1 s), so the test waits less.
    const env = { DATABASE_BUSY_TIMEOUT_MS: "1000", AUDIT_FLUSH_MS: "20" };
    let server = serve(dir, env);
    const file = openDatabase({ url: `file:${join(dir, "clinic.db")}` });
    try {
      await server.waitFor("listening", 90_000);
      let token = await loginAt(server, org.adminEmail);
      const register = async (nationalId: string) => {
        const res = await http(server, "POST", "/api/v1/patients", {
          token,
          body: { givenName: name(), familyName: name(), nationalId, allowDuplicate: true },
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        return res.body.id as string;
      };
      const desk = [await register("DESK-1"), await register("DESK-2")];

      const { csv } = csvOf(ROWS, "KILL");
      const upload = async () => {
        const form = new FormData();
        form.append("file", new File([csv], "patients.csv"));
        const res = await fetch(`${server.url}/api/v1/patients/import`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}` },
          body: form,
        });
        return { status: res.status, body: await res.json() };
      };
      let answered = false;
      const killed = upload().then(() => (answered = true), () => {});
      const live = async () =>
        (await byPrefix(file.db, org.id, "KILL")).filter((p) => p.deletedAt === null).length;
      await until(
        "the import's first transactions",
        60_000,
        async () => await live() >= 100 ? true : undefined,
      );
      desk.push(await register("DESK-3")); // between two of the import's transactions
      await server.kill();
      await killed;
      assert.equal(answered, false, "the import had not answered");
      const published = await live();
      assert.ok(published > 0 && published < ROWS, `${published} rows published at the kill`);
      const [rec] = await file.db.select().from(patientImports)
        .where(eq(patientImports.orgId, org.id));
      assert.equal(rec.status, "publishing");

      server = serve(dir, env, server.port);
      await server.waitFor("listening", 90_000);
      await server.waitFor("patient import interrupted; undone at start", 60_000);
      token = await loginAt(server, org.adminEmail);
      assert.equal(await live(), 0, "no patient of the import remains");
      assert.equal(await statusOf(file.db, rec.id), "undone");
      const sample = (await byPrefix(file.db, org.id, "KILL")).slice(0, 5);
      for (const p of sample) {
        const res = await http(server, "GET", `/api/v1/patients/${p.id}`, { token });
        assert.equal(res.status, 404);
      }
      const listed = await http(server, "GET", "/api/v1/patients?q=KILL-1&limit=100", { token });
      assert.equal(listed.body.data.length, 0);
      const entries = await undoEntries(file.db, org.id);
      assert.equal(entries.length, published, "each undone row audited once");
      const trail = await http(
        server,
        "GET",
        `/api/v1/audit-events?action=patient.import-undo&patientId=${sample[0].id}`,
        { token },
      );
      assert.equal(trail.body.data.length, 1);
      for (const id of desk) {
        const res = await http(server, "GET", `/api/v1/patients/${id}`, { token });
        assert.equal(res.status, 200, "registrations made meanwhile are untouched");
      }

      const again = await upload();
      assert.equal(again.status, 200, JSON.stringify(again.body).slice(0, 500));
      assert.equal(again.body.imported, ROWS);
      assert.equal(await live(), ROWS);
      const [{ n }] = await file.db.select({ n: count() }).from(patientImports).where(and(
        eq(patientImports.orgId, org.id),
        eq(patientImports.status, "done"),
      ));
      assert.equal(n, 1);
    } finally {
      file.close();
      await server.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  });
});
