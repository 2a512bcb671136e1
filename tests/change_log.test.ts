/**
 * The change log sync reads: every write through the generic writers appends one entry, in its
 * transaction, with the fields it set or changed and a clock that orders it after every change
 * this process made or saw.
 */
import assert from "node:assert/strict";
import { and, asc, eq } from "drizzle-orm";
import { nextHlc, observeHlc } from "../db/hlc.ts";
import { changeLog, facilities } from "../db/schema/mod.ts";
import { insertTracked, stamp, updateInTenant } from "../db/tenant.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg } from "./helpers/factories.ts";

Deno.test("hybrid logical clock", async (t) => {
  await t.step("values only grow, within one millisecond too, and sort as strings", () => {
    const values = [nextHlc(1000), nextHlc(1000), nextHlc(999), nextHlc(2000)];
    assert.deepEqual([...values].sort(), values);
    assert.equal(new Set(values).size, 4);
  });

  await t.step("a clock seen from another node moves this one past it", () => {
    const ahead = `${(Date.now() + 3_600_000).toString(36).padStart(9, "0")}-0005-remote00`;
    observeHlc(ahead);
    const next = nextHlc();
    assert.ok(next > ahead, `${next} should sort after ${ahead}`);
  });
});

Deno.test("every write appends its change with fields and clock", async () => {
  const app = await createTestApp();
  try {
    const org = await createOrg(app);
    const at = () => new Date().toISOString();
    const id = await app.deps.db.transaction(async (tx) => {
      const row = await insertTracked(tx, facilities, {
        ...stamp(org.id, null, at()),
        name: "Annex",
        code: "ANNEX",
      });
      await updateInTenant(tx, facilities, {
        orgId: org.id,
        id: row.id,
        set: { phone: "+254 700 000 000" },
        actorId: "tester",
        at: at(),
      });
      await updateInTenant(tx, facilities, {
        orgId: org.id,
        id: row.id,
        set: { deletedAt: at() },
        operation: "delete",
        actorId: "tester",
        at: at(),
      });
      return row.id;
    });
    const entries = await app.deps.db.db.select().from(changeLog)
      .where(and(eq(changeLog.tableName, "facilities"), eq(changeLog.rowId, id)))
      .orderBy(asc(changeLog.seq));
    assert.deepEqual(entries.map((e) => [e.operation, e.version, e.fields]), [
      ["insert", 1, ["name", "code", "active"]],
      ["update", 2, ["phone"]],
      ["delete", 3, ["deletedAt"]],
    ]);
    const clocks = entries.map((e) => e.hlc);
    assert.ok(clocks.every((c) => /^[0-9a-z]{9}-[0-9a-z]{4}-[0-9a-f]{8}$/.test(c)), String(clocks));
    assert.deepEqual([...clocks].sort(), clocks);
  } finally {
    await app.close();
  }
});
