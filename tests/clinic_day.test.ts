/**
 * The clinic's "today" (src/lib/time.ts todayIn) changes exactly at local midnight, though each
 * timezone's answer is kept for the minute it was asked in.
 */
import assert from "node:assert/strict";
import { todayIn } from "../src/lib/time.ts";

Deno.test("today in a timezone turns at local midnight", async (t) => {
  await t.step("a quarter-hour offset (Kathmandu, +05:45: midnight at 18:15 UTC)", () => {
    const at = (iso: string) => todayIn("Asia/Kathmandu", new Date(iso));
    assert.equal(at("2026-03-01T18:14:00Z"), "2026-03-01");
    assert.equal(at("2026-03-01T18:14:59.999Z"), "2026-03-01");
    assert.equal(at("2026-03-01T18:15:00Z"), "2026-03-02");
    // Asked again for an earlier minute: not the kept answer of a later one.
    assert.equal(at("2026-03-01T18:14:30Z"), "2026-03-01");
  });

  await t.step("two timezones asked in the same minute keep their own days", () => {
    const now = new Date("2026-06-30T22:30:00Z");
    assert.equal(todayIn("Africa/Nairobi", now), "2026-07-01");
    assert.equal(todayIn("America/New_York", now), "2026-06-30");
    assert.equal(todayIn("Africa/Nairobi", now), "2026-07-01");
  });

  await t.step("across a daylight-saving change (New York, 8 March 2026)", () => {
    const at = (iso: string) => todayIn("America/New_York", new Date(iso));
    assert.equal(at("2026-03-08T04:59:00Z"), "2026-03-07"); // 23:59 EST
    assert.equal(at("2026-03-08T05:00:00Z"), "2026-03-08"); // midnight EST
    assert.equal(at("2026-03-09T03:59:00Z"), "2026-03-08"); // 23:59 EDT
    assert.equal(at("2026-03-09T04:00:00Z"), "2026-03-09"); // midnight EDT
  });
});
