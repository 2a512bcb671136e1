/**
 * A write that finds the database locked by another process's write for longer than the busy
 * timeout answers 503 with Retry-After, not 500: nothing was written, and a retry succeeds.
 */
import assert from "node:assert/strict";
import Database from "libsql";
import { createTestApp } from "./helpers/app.ts";
import { createOrg } from "./helpers/factories.ts";

Deno.test("a write blocked past the busy timeout answers 503 with Retry-After", async () => {
  const app = await createTestApp({ DATABASE_BUSY_TIMEOUT_MS: "150" });
  const other = new Database(`${app.dir}/clinic.db`);
  try {
    const org = await createOrg(app);
    // Another process's write transaction holds the lock.
    other.exec("BEGIN IMMEDIATE");
    const body = { name: "Annex", code: "ANNEX" };
    const blocked = await app.call("POST", "/api/v1/facilities", { token: org.admin, body });
    assert.equal(blocked.status, 503, JSON.stringify(blocked.body));
    assert.equal(blocked.headers.get("retry-after"), "1");
    assert.equal(blocked.headers.get("content-type"), "application/problem+json");
    other.exec("ROLLBACK");
    const retried = await app.call("POST", "/api/v1/facilities", { token: org.admin, body });
    assert.equal(retried.status, 201, "nothing was written the first time");
  } finally {
    other.close();
    await app.close();
  }
});
