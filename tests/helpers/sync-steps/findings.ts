import assert from "node:assert/strict";
import type { ClinicSteps } from "./types.ts";

/**
 * Writes this part's synced tables at a clinic replica (see types.ts): the admin lowers the
 * write-off threshold (finding_rule_settings), a pharmacist writes off damaged units, which the
 * rules raise at once (stock_findings), and the admin takes the finding under review.
 */
export async function findingsAtClinic(c: ClinicSteps): Promise<void> {
  const rules = await c.asAdmin("PUT", "/pharmacy/finding-rules", {
    rules: { large_write_off: { thresholds: { units: 1 } } },
  });
  assert.equal(rules.status, 200, JSON.stringify(rules.body));
  const received = await c.asPharmacist("POST", "/stock/receipts", {
    items: [{
      medicationId: c.medicationId,
      batchNumber: "FND-1",
      expiryDate: "2031-01-31",
      quantity: 10,
      unitCost: 8,
    }],
  });
  assert.equal(received.status, 201, JSON.stringify(received.body));
  const damage = await c.asPharmacist("POST", "/stock/adjustments", {
    batchId: received.body.movements[0].batchId,
    type: "damage",
    quantity: 2,
    reason: "Dropped",
  });
  assert.equal(damage.status, 201, JSON.stringify(damage.body));
  const list = await c.asAdmin("GET", "/pharmacy/findings?rule=large_write_off");
  assert.equal(list.status, 200, JSON.stringify(list.body));
  const finding = list.body.data.find((f: { evidence: { movementId: string }[] }) =>
    f.evidence.some((e) => e.movementId === damage.body.id)
  );
  assert.ok(finding, "the write-off is a finding at the clinic");
  const review = await c.asAdmin("POST", `/pharmacy/findings/${finding.id}/review`, {
    status: "under_review",
    note: "Asked for the damage report",
  });
  assert.equal(review.status, 200, JSON.stringify(review.body));
}
