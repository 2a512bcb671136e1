import assert from "node:assert/strict";
import * as OTPAuth from "otpauth";
import type { ClinicSteps } from "./types.ts";

/** Writes the account tables at a clinic replica (see types.ts). */
export async function accountsAtClinic(c: ClinicSteps): Promise<void> {
  await apiKeysAtClinic(c);
  await mfaAtClinic(c);
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

// --- Two-factor authentication (user_mfa) ----------------------------------------------------

/**
 * The clinic's pharmacist turns two-factor authentication on at the clinic, so the confirmed
 * factor (user_mfa) is written at a replica. The pharmacist, not the admin: nobody logs in as
 * the pharmacist again in the sync test, so its password-only logins are not broken.
 */
async function mfaAtClinic(c: ClinicSteps) {
  const enrolled = await c.asPharmacist("POST", "/auth/2fa/enroll");
  assert.equal(enrolled.status, 200, JSON.stringify(enrolled.body));
  const totp = OTPAuth.URI.parse(enrolled.body.otpauthUri);
  const confirmed = await c.asPharmacist("POST", "/auth/2fa/confirm", {
    code: totp.generate(),
  });
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  assert.equal(confirmed.body.recoveryCodes.length, 10);
  const status = await c.asPharmacist("GET", "/auth/2fa");
  assert.equal(status.body.enabled, true);
}
