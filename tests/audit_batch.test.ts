/**
 * Read entries are appended a batch at a time from one JSON text (src/modules/audit/entries.ts,
 * APPEND_BATCH): each stored row must be what the entry-by-entry path (`rowOf`) stores, with a
 * UUIDv7 id carrying the entry's time and the ISO time JavaScript would write.
 */
import assert from "node:assert/strict";
import { inArray } from "drizzle-orm";
import { auditEvents } from "../db/schema/mod.ts";
import { appendBatch, type QueuedEntry, rowOf } from "../src/modules/audit/entries.ts";
import { createTestApp } from "./helpers/app.ts";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

Deno.test("a batch of read entries appended from one JSON text", async (t) => {
  const app = await createTestApp();
  try {
    const times = [
      Date.UTC(2026, 11, 1, 3, 4, 5, 6),
      Date.UTC(1999, 11, 31, 23, 59, 59, 999),
      Date.UTC(2038, 0, 19, 3, 14, 8, 0),
      Date.UTC(2026, 1, 28, 0, 0, 0, 500),
    ];
    const entries: QueuedEntry[] = times.map((at, i) => [
      at,
      i === 3 ? null : "org-1",
      `actor-${i}`,
      i === 1 ? "DOCTOR (temporary)" : "ADMIN",
      i === 2 ? "facility-1" : null,
      i === 0 ? "patient.list" : "patient.read",
      "patient",
      i === 0 ? null : `patient-${i}`,
      i === 0 ? null : `patient-${i}`,
      "success",
      i === 3 ? null : "203.0.113.7",
      'Mozilla/5.0 "quoted" — ünïcode',
      `request-${i}`,
      i === 2 ? ["givenName", "phone"] : null,
      i === 0 ? ["patient-a", "patient-b", "patient-c"] : null,
    ]);
    await appendBatch(app.deps.db, JSON.stringify(entries));
    const rows = await app.deps.db.db.select().from(auditEvents)
      .where(inArray(auditEvents.requestId, entries.map((e) => e[12])))
      .orderBy(auditEvents.seq);

    await t.step("every field stored as the row-by-row path stores it", () => {
      assert.equal(rows.length, entries.length);
      rows.forEach((row, i) => {
        const { id: _id, ...expected } = rowOf(entries[i]);
        const { id: _rowId, seq: _seq, site, ...stored } = row;
        assert.deepEqual(stored, expected);
        assert.equal(site, null);
      });
    });

    await t.step("ids are UUIDv7 carrying the entry's time, and distinct", () => {
      rows.forEach((row, i) => {
        assert.match(row.id, UUID_V7);
        const ms = parseInt(row.id.slice(0, 8) + row.id.slice(9, 13), 16);
        assert.equal(ms, times[i]);
      });
      assert.equal(new Set(rows.map((r) => r.id)).size, rows.length);
    });

    await t.step("an empty batch writes nothing", async () => {
      const before = (await app.deps.db.readRow("SELECT count(*) FROM audit_events", []))![0];
      await appendBatch(app.deps.db, "[]");
      const after = (await app.deps.db.readRow("SELECT count(*) FROM audit_events", []))![0];
      assert.equal(after, before);
    });
  } finally {
    await app.close();
  }
});
