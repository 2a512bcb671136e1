import assert from "node:assert/strict";
import type { Answer, ClinicSteps } from "./types.ts";

const status = (res: Answer, expected: number, what: string) => {
  assert.equal(res.status, expected, `${what}: ${JSON.stringify(res.body)}`);
  return res.body;
};

/**
 * Writes the billing tables of this part at a clinic replica (see types.ts): a price, a manual
 * invoice with a line for the clinic's walk-in patient, issued, and a credit note on it. The
 * walk-in itself was charged when it started (an encounter invoice with its line).
 */
export async function billingAtClinic(c: ClinicSteps): Promise<void> {
  const price = status(
    await c.asAdmin("POST", "/prices", {
      code: "DRS-K3",
      name: "Dressing at the clinic",
      kind: "procedure",
      amount: 40000,
      currency: "KES",
    }),
    201,
    "price",
  );
  const inv = status(
    await c.asAdmin("POST", "/invoices", {
      patientId: c.patientId,
      lines: [{ description: "Dressing", quantity: 1, priceItemId: price.id }],
    }),
    201,
    "invoice",
  );
  assert.match(inv.number, /^INV-K3-\d{4}-\d{5}$/, "numbered with the site code");
  assert.equal(inv.total, 40000);
  status(await c.asAdmin("POST", `/invoices/${inv.id}/issue`), 200, "issue");
  const note = status(
    await c.asAdmin("POST", `/invoices/${inv.id}/credit-notes`, {
      amount: 10000,
      reason: "Smaller dressing than charged",
    }),
    201,
    "credit note",
  );
  assert.match(note.number, /^CN-K3-\d{4}-\d{5}$/);
  const visit = status(
    await c.asAdmin("GET", `/invoices?encounterId=${c.encounterId}`),
    200,
    "the walk-in's invoice",
  );
  assert.equal(visit.data.length, 1, "the started walk-in was charged at the clinic");
}
