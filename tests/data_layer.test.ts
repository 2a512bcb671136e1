import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import { join } from "node:path";
import { type Db, openDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { auditEvents, facilities } from "../db/schema/mod.ts";
import { nextSequence } from "../db/changes.ts";

/** drizzle wraps the driver's error; the SQLite message is on its cause. */
const failsWith = (pattern: RegExp) => (err: unknown) => {
  const text = `${(err as Error).message} ${String((err as { cause?: unknown }).cause)}`;
  assert.match(text, pattern);
  return true;
};

const pragmas = async (db: Db) => {
  const one = async (name: string) =>
    ((await db.values(sql.raw(`PRAGMA ${name}`)))[0] as unknown[])[0];
  return {
    journal: await one("journal_mode"),
    synchronous: await one("synchronous"),
    foreignKeys: await one("foreign_keys"),
    busyTimeout: await one("busy_timeout"),
  };
};

Deno.test("data layer", async (t) => {
  const dir = await Deno.makeTempDir();
  const url = `file:${join(dir, "nested", "clinic.db")}`;
  const handle = openDatabase({ url, synchronous: "FULL" });

  await t.step("migrations apply once and are recorded", async () => {
    assert.ok(await migrate(handle) >= 2);
    assert.equal(await migrate(handle), 0);
  });

  await t.step(
    "both connections run WAL, synchronous=FULL, foreign keys and a busy timeout",
    async () => {
      // synchronous: 2 = FULL. The writer is the one a transaction gets.
      const expected = { journal: "wal", synchronous: 2, foreignKeys: 1, busyTimeout: 5000 };
      assert.deepEqual(await pragmas(handle.db), expected);
      assert.deepEqual(await handle.transaction((tx) => pragmas(tx)), expected);
    },
  );

  await t.step(
    "processes starting together on one fresh database all succeed, each migration applied once",
    async () => {
      const fresh = `file:${join(dir, "fresh.db")}`;
      const run = () =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", "scripts/migrate.ts"],
          env: { DATABASE_URL: fresh, DATA_DIR: dir, APP_ENV: "test", JWT_SECRET: "x".repeat(40) },
          stdout: "piped",
          stderr: "piped",
        }).output();
      const results = await Promise.all([run(), run()]);
      for (const r of results) assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
      const check = openDatabase({ url: fresh });
      const count = 'SELECT count(*) FROM "__drizzle_migrations"';
      assert.deepEqual(
        await check.db.values(sql.raw(count)),
        await handle.db.values(sql.raw(count)),
      );
      check.close();
    },
  );

  await t.step("DATABASE_SYNCHRONOUS=NORMAL is honoured on every connection", async () => {
    const normal = openDatabase({ url, synchronous: "NORMAL" });
    assert.equal((await pragmas(normal.db)).synchronous, 1);
    assert.equal((await normal.transaction((tx) => pragmas(tx))).synchronous, 1);
    normal.close();
  });

  await t.step(
    "each connection's page cache and memory map: 8 MiB and none unless configured",
    async () => {
      const memory = async (db: Db) => ({
        cache: ((await db.values(sql.raw("PRAGMA cache_size")))[0] as unknown[])[0],
        mmap: ((await db.values(sql.raw("PRAGMA mmap_size")))[0] as unknown[])[0],
      });
      const defaults = { cache: -8192, mmap: 0 };
      assert.deepEqual(await memory(handle.db), defaults);
      assert.deepEqual(await handle.transaction((tx) => memory(tx)), defaults);
      const set = { cache: -1024, mmap: 2 ** 20 };
      const small = openDatabase({ url, cacheSizeKiB: 1024, mmapSizeBytes: 2 ** 20 });
      assert.deepEqual(await memory(small.db), set);
      assert.deepEqual(await small.transaction((tx) => memory(tx)), set);
      small.close();
    },
  );

  await t.step("a transaction that throws leaves nothing behind", async () => {
    await assert.rejects(handle.transaction(async (tx) => {
      await nextSequence(tx, "org-x", "rollback-test");
      throw new Error("boom");
    }));
    const n = await handle.transaction((tx) => nextSequence(tx, "org-x", "rollback-test"));
    assert.equal(n, 1);
  });

  await t.step("reads outside a transaction never see its uncommitted writes", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => release = r);
    const writing = handle.transaction(async (tx) => {
      await nextSequence(tx, "org-y", "isolation");
      await gate;
    });
    await new Promise((r) => setTimeout(r, 10));
    const during = await handle.db.values(
      sql`SELECT count(*) FROM sequences WHERE org_id = 'org-y'`,
    );
    assert.equal((during[0] as number[])[0], 0);
    release();
    await writing;
    const after = await handle.db.values(
      sql`SELECT count(*) FROM sequences WHERE org_id = 'org-y'`,
    );
    assert.equal((after[0] as number[])[0], 1);
  });

  await t.step("concurrent counter increments never repeat a number", async () => {
    const numbers = await Promise.all(
      Array.from(
        { length: 50 },
        () => handle.transaction((tx) => nextSequence(tx, "org-z", "mrn")),
      ),
    );
    assert.deepEqual(numbers.sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1));
  });

  await t.step("foreign keys are enforced", async () => {
    await assert.rejects(
      handle.transaction((tx) =>
        tx.run(
          sql`INSERT INTO memberships (id, org_id, created_at, updated_at, user_id, role, employee_id)
          VALUES ('m1', 'o1', 'now', 'now', 'no-such-user', 'ADMIN', 'ADM001')`,
        )
      ),
      failsWith(/FOREIGN KEY/),
    );
  });

  await t.step("the audit trail refuses UPDATE and DELETE at the database itself", async () => {
    await handle.appendRows(auditEvents, [{
      id: "a1",
      action: "patient.read",
      outcome: "success",
      at: new Date().toISOString(),
      requestId: "r",
    }]);
    await assert.rejects(
      handle.transaction((tx) => tx.run(sql`UPDATE audit_events SET action = 'x' WHERE id = 'a1'`)),
      failsWith(/append-only/),
    );
    await assert.rejects(
      handle.transaction((tx) => tx.run(sql`DELETE FROM audit_events WHERE id = 'a1'`)),
      failsWith(/append-only/),
    );
  });

  await t.step("appendRows maps booleans and JSON like drizzle does", async () => {
    const now = new Date().toISOString();
    await handle.appendRows(facilities, [{
      id: "f1",
      orgId: "o1",
      createdAt: now,
      updatedAt: now,
      name: "Main",
      code: "MAIN",
      active: false,
    }]);
    const [row] = await handle.db.select().from(facilities);
    assert.equal(row.active, false);
    assert.equal(row.version, 1);
  });

  handle.close();
  await Deno.remove(dir, { recursive: true });
});
