import assert from "node:assert/strict";
import type { Answer, ClinicSteps } from "./types.ts";

const expect = (res: Answer, status: number, what: string) =>
  assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);

/**
 * A batch of syrup prepared at the clinic: a work centre, a product and an ingredient received
 * into stock, a formula, and an order confirmed, worked step by step and completed, so that
 * every preparation table (and the ledger's preparation movements) is written there.
 */
export async function preparationAtClinic(c: ClinicSteps): Promise<void> {
  const centre = await c.asPharmacist("POST", "/pharmacy/work-centres", {
    name: "Mixing bench",
    costPerHour: 6000,
  });
  expect(centre, 201, "work centre");
  const medication = async (name: string) => {
    const res = await c.asPharmacist("POST", "/medications", {
      name,
      genericName: name.toLowerCase(),
      form: "syrup",
      unit: "mL",
      reorderLevel: 0,
      unitPrice: 40,
      prescriptionRequired: false,
    });
    expect(res, 201, name);
    return res.body.id as string;
  };
  const productId = await medication("Clinic cough syrup");
  const ingredientId = await medication("Glycerin base");
  const received = await c.asPharmacist("POST", "/stock/receipts", {
    items: [{
      medicationId: ingredientId,
      batchNumber: "GLY-1",
      expiryDate: "2031-01-31",
      quantity: 1000,
      unitCost: 3,
    }],
  });
  expect(received, 201, "receipt");
  const formula = await c.asPharmacist("POST", "/pharmacy/formulas", {
    name: "Cough syrup",
    productId,
    batchSize: 200,
    shelfLifeDays: 60,
    ingredients: [{ medicationId: ingredientId, quantity: 180 }],
    steps: [{ name: "Mixing", workCentreId: centre.body.id, plannedMinutes: 15 }],
  });
  expect(formula, 201, "formula");
  const order = await c.asPharmacist("POST", "/pharmacy/preparation-orders", {
    formulaId: formula.body.id,
    batches: 1,
  });
  expect(order, 201, "preparation order");
  const path = `/pharmacy/preparation-orders/${order.body.id}`;
  expect(await c.asPharmacist("POST", `${path}/confirm`), 200, "confirm");
  expect(await c.asPharmacist("POST", `${path}/steps/1/start`), 200, "start");
  expect(await c.asPharmacist("POST", `${path}/steps/1/finish`, { minutes: 15 }), 200, "finish");
  const done = await c.asPharmacist("POST", `${path}/complete`, {});
  expect(done, 200, "complete");
  assert.equal(done.body.status, "done");
}
