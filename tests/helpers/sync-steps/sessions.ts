import assert from "node:assert/strict";
import type { ClinicSteps } from "./types.ts";

/** A dispensing session at the clinic: opened on the prescription, scanned, completed. */
export async function sessionsAtClinic(c: ClinicSteps): Promise<void> {
  const session = await c.asPharmacist("POST", "/dispensing-sessions", {
    prescriptionId: c.prescriptionId,
  });
  assert.equal(session.status, 201, JSON.stringify(session.body));
  const scanned = await c.asPharmacist("POST", `/dispensing-sessions/${session.body.id}/scans`, {
    code: "5000158062078",
    quantity: 6,
  });
  assert.equal(scanned.status, 200, JSON.stringify(scanned.body));
  assert.equal(scanned.body.scan.accepted, true, JSON.stringify(scanned.body));
  const done = await c.asPharmacist("POST", `/dispensing-sessions/${session.body.id}/complete`, {});
  assert.equal(done.status, 201, JSON.stringify(done.body));
}
