import assert from "node:assert/strict";
import type { ClinicSteps } from "./types.ts";

/** Writes the account tables at a clinic replica (see types.ts). */
export async function accountsAtClinic(c: ClinicSteps): Promise<void> {
  await apiKeysAtClinic(c);
}

// --- API keys (api_keys) ---------------------------------------------------------------------

/**
 * A key made at the clinic, and another made and revoked there. ClinicSteps calls only with
 * staff tokens, so the key's own use is tested in accounts_api_keys.test.ts.
 */
async function apiKeysAtClinic(c: ClinicSteps) {
  const made = await c.asAdmin("POST", "/api-keys", {
    name: "Clinic lab bridge",
    permissions: ["patients:read"],
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.match(made.body.key, /^ck_/);
  const dropped = await c.asAdmin("POST", "/api-keys", {
    name: "Old export",
    permissions: ["patients:read"],
  });
  assert.equal(dropped.status, 201, JSON.stringify(dropped.body));
  const revoked = await c.asAdmin("DELETE", `/api-keys/${dropped.body.id}`);
  assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
  const list = await c.asAdmin("GET", "/api-keys");
  assert.equal(list.status, 200);
  const ids = list.body.data.map((k: { id: string }) => k.id);
  assert.ok(ids.includes(made.body.id) && ids.includes(dropped.body.id));
}
