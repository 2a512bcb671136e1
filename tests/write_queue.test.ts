/**
 * Group commit (db/write-queue.ts) on a real database file: transactions queued together share
 * one commit, one that throws is rolled back alone, a failed commit refuses the whole group, and
 * nothing is answered before its commit.
 */
import assert from "node:assert/strict";
import Database from "libsql";
import { setImmediate } from "node:timers";
import { type DatabaseHandle, executorOf, openDatabase } from "../db/client.ts";
import { createWriteQueue } from "../db/write-queue.ts";

async function tempFile() {
  const dir = await Deno.makeTempDir({ prefix: "clinic-write-queue-" });
  return { path: `${dir}/queue.db`, cleanup: () => Deno.remove(dir, { recursive: true }) };
}

function open(path: string) {
  const conn = new Database(path);
  conn.exec("PRAGMA journal_mode = WAL");
  conn.exec("PRAGMA busy_timeout = 0");
  return conn;
}

Deno.test("group commit", async (t) => {
  const file = await tempFile();
  const conn = open(file.path);
  conn.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)");
  const other = open(file.path);
  const count = (v?: string) =>
    Number(
      (other.prepare(`SELECT count(*) AS n FROM t${v ? " WHERE v = ?" : ""}`).get(
        ...(v ? [v] : []),
      ) as { n: number }).n,
    );
  const insert = (v: string) => () => {
    conn.prepare("INSERT INTO t (v) VALUES (?)").run(v);
    return Promise.resolve(v);
  };

  try {
    await t.step("transactions queued together commit once, each answered after it", async () => {
      const queue = createWriteQueue(conn);
      const seen: number[] = [];
      const jobs = Array.from({ length: 10 }, (_, i) =>
        queue.run(async () => {
          await insert(`a${i}`)();
          // What another connection sees while the group is still open: nothing of it yet.
          seen.push(count());
          return i;
        }));
      assert.deepEqual(await Promise.all(jobs), [...Array(10).keys()]);
      assert.deepEqual(seen, Array(10).fill(0), "no write of the group is visible before commit");
      assert.equal(count(), 10);
      assert.deepEqual(queue.stats, { groups: 1, transactions: 10 });
    });

    await t.step("one that throws is rolled back alone; the others commit", async () => {
      const queue = createWriteQueue(conn);
      const results = await Promise.allSettled([
        queue.run(insert("b1")),
        queue.run(async () => {
          await insert("b2")();
          throw new Error("refused");
        }),
        queue.run(insert("b1")), // UNIQUE: fails in SQLite, inside the group
        queue.run(insert("b3")),
      ]);
      assert.deepEqual(results.map((r) => r.status), [
        "fulfilled",
        "rejected",
        "rejected",
        "fulfilled",
      ]);
      assert.equal(count("b1"), 1);
      assert.equal(count("b2"), 0, "the refused transaction's write was rolled back");
      assert.equal(count("b3"), 1);
      assert.deepEqual(queue.stats, { groups: 1, transactions: 2 });
    });

    await t.step("a failed commit refuses every transaction of the group", async () => {
      const queue = createWriteQueue(conn);
      // A deferred foreign key is checked at COMMIT: the group's commit fails.
      conn.exec(
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES t(id) " +
          "DEFERRABLE INITIALLY DEFERRED)",
      );
      conn.exec("PRAGMA foreign_keys = ON");
      const results = await Promise.allSettled([
        queue.run(insert("c1")),
        queue.run(() => {
          conn.prepare("INSERT INTO child (parent) VALUES (999999)").run();
          return Promise.resolve();
        }),
        queue.run(insert("c2")),
      ]);
      assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected", "rejected"]);
      assert.equal(count("c1") + count("c2"), 0, "nothing of the failed group is kept");
      assert.equal(conn.inTransaction, false);
      // The queue goes on.
      assert.equal(await queue.run(insert("c3")), "c3");
      assert.equal(count("c3"), 1);
    });

    await t.step("a busy lock fails the one transaction that could not begin", async () => {
      const queue = createWriteQueue(conn);
      other.exec("BEGIN IMMEDIATE");
      await assert.rejects(queue.run(insert("d1")), /locked|busy/i);
      other.exec("ROLLBACK");
      assert.equal(await queue.run(insert("d2")), "d2");
      assert.equal(count("d1"), 0);
    });

    await t.step("a transaction run alone (migrations, bulk work) is never grouped", async () => {
      const queue = createWriteQueue(conn);
      await Promise.all([
        queue.run(insert("e1")),
        queue.run(insert("e2")),
        queue.run(insert("e3"), { alone: true }),
        queue.run(insert("e4")),
      ]);
      assert.deepEqual(queue.stats, { groups: 3, transactions: 4 });
    });

    await t.step("one queued while a group lingers before its commit joins it", async () => {
      const queue = createWriteQueue(conn);
      const first = queue.run(insert("h1"));
      // Scheduled before the group's linger: runs while the group is still open, as a request
      // that arrives during a transaction does.
      const second = new Promise((resolve) => setImmediate(() => resolve(queue.run(insert("h2")))));
      assert.deepEqual(await Promise.all([first, second]), ["h1", "h2"]);
      assert.deepEqual(queue.stats, { groups: 1, transactions: 2 });
    });

    await t.step("closing waits for the group being committed, then refuses new work", async () => {
      const queue = createWriteQueue(conn);
      const events: string[] = [];
      const running = queue.run(insert("g1")).then(() => events.push("g1 committed"));
      const queued = queue.run(insert("g2")).then(() => events.push("g2 committed"));
      // Called while g1's group waits for company before its COMMIT.
      queue.close(() => events.push("closed"));
      await assert.rejects(queue.run(insert("g3")), /closed/);
      await Promise.all([running, queued]);
      assert.deepEqual(events, ["g1 committed", "g2 committed", "closed"]);
      assert.equal(count("g1") + count("g2") + count("g3"), 2);
    });

    await t.step("a group stops growing at maxGroup", async () => {
      const queue = createWriteQueue(conn, { maxGroup: 4 });
      await Promise.all(Array.from({ length: 10 }, (_, i) => queue.run(insert(`f${i}`))));
      assert.deepEqual(queue.stats, { groups: 3, transactions: 10 });
    });
  } finally {
    other.close();
    conn.close();
    await file.cleanup();
  }
});

/** A database handle on a new file with one table `n`: what `test` needs, closed and removed. */
async function onHandle(
  column: string,
  test: (handle: DatabaseHandle, path: string) => Promise<void>,
) {
  const file = await tempFile();
  const handle = openDatabase({ url: `file:${file.path}` });
  try {
    await handle.executeScript([`CREATE TABLE n (id INTEGER PRIMARY KEY, v ${column} NOT NULL)`]);
    await test(handle, file.path);
  } finally {
    handle.close();
    await file.cleanup();
  }
}

Deno.test("the database handle commits concurrent transactions together, durably", () =>
  onHandle("INTEGER", async (handle, path) => {
    const writes = Array.from({ length: 50 }, (_, i) =>
      handle.transaction(async (tx) => {
        await executorOf(tx)("INSERT INTO n (v) VALUES (?)", [i], "run");
        if (i % 10 === 3) throw new Error(`refused ${i}`);
        return i;
      }));
    const results = await Promise.allSettled(writes);
    assert.equal(results.filter((r) => r.status === "rejected").length, 5);
    // A fresh connection on the file: what was answered is there, what was refused is not.
    const check = new Database(path);
    const rows = check.prepare("SELECT v FROM n ORDER BY v").all() as { v: number }[];
    check.close();
    assert.deepEqual(
      rows.map((r) => r.v),
      [...Array(50).keys()].filter((i) => i % 10 !== 3),
    );
  }));

Deno.test("bulk work commits alone: a short transaction queued before it is not held by it", () =>
  onHandle("TEXT", async (handle) => {
    const events: string[] = [];
    const short = handle.transaction(async (tx) => {
      await executorOf(tx)("INSERT INTO n (v) VALUES ('short')", [], "run");
    }).then(() => events.push("short answered"));
    // Queued while the short one's group waits for company, as an import's next chunk is.
    const bulk = new Promise((resolve) =>
      setImmediate(() =>
        resolve(handle.transaction(async (tx) => {
          events.push("bulk started");
          await executorOf(tx)("INSERT INTO n (v) VALUES ('bulk')", [], "run");
        }, { alone: true }))
      )
    );
    await Promise.all([short, bulk]);
    assert.deepEqual(events, ["short answered", "bulk started"]);
    const rows = await handle.readRows("SELECT v FROM n ORDER BY id", []);
    assert.deepEqual(rows, [["short"], ["bulk"]]);
  }));

Deno.test("a closed database refuses reads and writes instead of aborting the process", async () => {
  const file = await tempFile();
  const handle = openDatabase({ url: `file:${file.path}` });
  try {
    assert.deepEqual(await handle.readRow("SELECT 1", []), [1]);
    handle.close();
    await assert.rejects(handle.readRow("SELECT 1", []), /closed/);
    await assert.rejects(handle.transaction(() => Promise.resolve()), /closed/);
  } finally {
    await file.cleanup();
  }
});
