/**
 * The pharmacy counter: the catalogue and its codes, receipts into batches, scanning, dispensing
 * first-expiry-first-out (never an expired batch), against a prescription (partial, not more
 * than prescribed without an override) or over the counter, and stock that never goes negative
 * when 50 dispenses race for the last 10 units. The balances are checked against the ledger.
 */
import assert from "node:assert/strict";
import { unzipSync } from "fflate";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient, createStaff, login } from "./helpers/factories.ts";

const DAY = 86_400_000;
const dayAfter = (t: number, days: number) => new Date(t + days * DAY).toISOString().slice(0, 10);

Deno.test("the pharmacy counter", async (t) => {
  let now = Date.now();
  const clock = { now: () => new Date(now) };
  const app = await createTestApp({ ACCESS_TOKEN_TTL_SECONDS: "3600" }, { clock });
  try {
    const org = await createOrg(app);
    const pharmacist = await createStaff(app, org.admin, "PHARMACY");
    const doctorUser = await createStaff(app, org.admin, "DOCTOR");
    let pharmacy = (await login(app, pharmacist.email)).accessToken;
    const doctor = (await login(app, doctorUser.email)).accessToken;
    const reception = await org.tokenFor("RECEPTION");
    const call = (method: string, path: string, body?: unknown, token = pharmacy) =>
      app.call(method, `/api/v1${path}`, { token, body });

    const medication = async (body: Record<string, unknown>) => {
      const res = await call("POST", "/medications", {
        form: "tablet",
        unit: "tablet",
        reorderLevel: 50,
        unitPrice: 20,
        prescriptionRequired: false,
        ...body,
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    };
    const paracetamol = await medication({
      name: "Panadol 500 mg",
      genericName: "Paracetamol",
      codes: ["5000158062078"],
    });
    const amoxicillin = await medication({
      name: "Amoxil 500 mg capsules",
      genericName: "amoxicillin",
      form: "capsule",
      unit: "capsule",
      unitPrice: 35,
      prescriptionRequired: true,
      codes: ["8901234567894"],
    });
    const receive = (items: unknown[]) => call("POST", "/stock/receipts", { items });

    await t.step("codes are unique in the organisation; prices are minor units", async () => {
      assert.equal(paracetamol.currency, "KES");
      assert.equal(paracetamol.genericName, "paracetamol");
      const clash = await call("POST", "/medications", {
        name: "Other",
        genericName: "x",
        form: "tablet",
        reorderLevel: 1,
        unitPrice: 1,
        prescriptionRequired: false,
        codes: ["5000158062078"],
      });
      assert.equal(clash.status, 409);
      const float = await call("POST", "/medications", {
        name: "Other",
        genericName: "x",
        form: "tablet",
        reorderLevel: 1,
        unitPrice: 1.5,
        prescriptionRequired: false,
      });
      assert.equal(float.status, 400, "money is never a float");
    });

    await t.step("receipts make batches; stock lists them first to expire first", async () => {
      const res = await receive([
        {
          medicationId: paracetamol.id,
          batchNumber: "PCM-LATE",
          expiryDate: dayAfter(now, 400),
          quantity: 100,
          unitCost: 8,
        },
        {
          medicationId: paracetamol.id,
          batchNumber: "PCM-SOON",
          expiryDate: dayAfter(now, 1),
          quantity: 5,
          unitCost: 8,
        },
        {
          medicationId: amoxicillin.id,
          batchNumber: "AMX-1",
          expiryDate: dayAfter(now, 200),
          quantity: 60,
          unitCost: 15,
        },
      ]);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const stock = await call("GET", `/stock?medicationId=${paracetamol.id}`);
      assert.deepEqual(stock.body.data.map((b: any) => [b.batchNumber, b.quantity]), [
        ["PCM-SOON", 5],
        ["PCM-LATE", 100],
      ]);
      const wrongExpiry = await receive([
        {
          medicationId: paracetamol.id,
          batchNumber: "PCM-LATE",
          expiryDate: dayAfter(now, 30),
          quantity: 1,
          unitCost: 8,
        },
      ]);
      assert.equal(wrongExpiry.status, 422);
    });

    await t.step("a scanned barcode answers the medication and its batches", async () => {
      const res = await call("POST", "/pharmacy/scan", { code: "5000158062078" });
      assert.equal(res.status, 200);
      assert.equal(res.body.medication.id, paracetamol.id);
      assert.equal(res.body.batches.length, 2);
      assert.equal((await call("POST", "/pharmacy/scan", { code: "0000000000000" })).status, 404);
    });

    await t.step(
      "over the counter: first to expire first, with the ledger's before and after",
      async () => {
        const res = await call("POST", "/dispensations", {
          items: [{ code: "5000158062078", quantity: 8 }],
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.deepEqual(res.body.items.map((i: any) => [i.batchNumber, i.quantity]), [
          ["PCM-SOON", 5],
          ["PCM-LATE", 3],
        ]);
        assert.equal(res.body.total, 160);
        const moves = await call("GET", `/stock/movements?medicationId=${paracetamol.id}`);
        const dispensed = moves.body.data.filter((m: any) => m.type === "dispense");
        assert.deepEqual(
          dispensed.map((m: any) => [m.quantity, m.quantityBefore, m.quantityAfter]),
          [
            [-5, 5, 0],
            [-3, 100, 97],
          ],
        );
        assert.equal(dispensed[0].scannedCode, "5000158062078");
        assert.equal(dispensed[0].actorId, pharmacist.id);
      },
    );

    await t.step(
      "a prescription-only medicine needs a prescription, or an admin's override",
      async () => {
        const otc = await call("POST", "/dispensations", {
          items: [{ medicationId: amoxicillin.id, quantity: 10 }],
        });
        assert.equal(otc.status, 409);
        const pharmacistOverride = await call("POST", "/dispensations", {
          items: [{ medicationId: amoxicillin.id, quantity: 1 }],
          override: { reason: "Emergency" },
        });
        assert.equal(pharmacistOverride.status, 403);
        const admin = await call("POST", "/dispensations", {
          items: [{ medicationId: amoxicillin.id, quantity: 1 }],
          override: { reason: "Doctor's phone order, prescription to follow" },
        }, org.admin);
        assert.equal(admin.status, 201, JSON.stringify(admin.body));
        assert.match(admin.body.overrideReason, /phone order/);
      },
    );

    await t.step(
      "against a prescription: partial, then the rest; never more without override",
      async () => {
        const patient = await createPatient(app, reception);
        const visit = await app.call("POST", "/api/v1/encounters", {
          token: reception,
          body: { patientId: patient.id, facilityId: org.facilityId },
        });
        const rx = await app.call("POST", "/api/v1/prescriptions", {
          token: doctor,
          body: {
            encounterId: visit.body.id,
            items: [{
              medication: "Amoxicillin 500 mg",
              genericName: "amoxicillin",
              dose: 1,
              unit: "capsule",
              route: "oral",
              frequency: { timesPerDay: 3 },
              durationDays: 5,
            }],
          },
        });
        assert.equal(rx.status, 201, JSON.stringify(rx.body));
        const scanned = await call("POST", "/pharmacy/scan", { code: rx.body.number });
        assert.equal(scanned.body.prescription.id, rx.body.id, "the printed QR finds it");
        const first = await call("POST", "/dispensations", {
          prescriptionId: rx.body.id,
          items: [{ code: "8901234567894", quantity: 10 }],
        });
        assert.equal(first.status, 201, JSON.stringify(first.body));
        assert.equal(first.body.prescriptionStatus, "partially_dispensed");
        assert.equal(first.body.patientId, patient.id);
        const tooMuch = await call("POST", "/dispensations", {
          prescriptionId: rx.body.id,
          items: [{ medicationId: amoxicillin.id, quantity: 6 }],
        });
        assert.equal(tooMuch.status, 409);
        assert.equal(tooMuch.body.remaining, 5);
        const notOnIt = await call("POST", "/dispensations", {
          prescriptionId: rx.body.id,
          items: [{ medicationId: paracetamol.id, quantity: 1 }],
        });
        assert.equal(notOnIt.status, 409, "paracetamol is not on the prescription");
        const rest = await call("POST", "/dispensations", {
          prescriptionId: rx.body.id,
          items: [{ medicationId: amoxicillin.id, quantity: 5 }],
        });
        assert.equal(rest.status, 201);
        assert.equal(rest.body.prescriptionStatus, "dispensed");
        const read = await app.call("GET", `/api/v1/prescriptions/${rx.body.id}`, {
          token: doctor,
        });
        assert.equal(read.body.status, "dispensed");
        const again = await call("POST", "/dispensations", {
          prescriptionId: rx.body.id,
          items: [{ medicationId: amoxicillin.id, quantity: 1 }],
        });
        assert.equal(again.status, 409, "a dispensed prescription is done");
      },
    );

    await t.step("an expired batch is never dispensed", async () => {
      now += 2 * DAY; // PCM-SOON (empty now anyway) and a new short-dated batch expire
      pharmacy = (await login(app, pharmacist.email)).accessToken;
      await receive([
        {
          medicationId: paracetamol.id,
          batchNumber: "PCM-OLD",
          expiryDate: dayAfter(now, -1),
          quantity: 50,
          unitCost: 8,
        },
      ]);
      const res = await call("POST", "/dispensations", {
        items: [{ medicationId: paracetamol.id, quantity: 10 }],
      });
      assert.equal(res.status, 201);
      assert.deepEqual(res.body.items.map((i: any) => i.batchNumber), ["PCM-LATE"]);
    });

    await t.step("write-offs and adjustments need a reason and never go below zero", async () => {
      const stock = await call("GET", `/stock?medicationId=${paracetamol.id}`);
      const late = stock.body.data.find((b: any) => b.batchNumber === "PCM-LATE");
      const damaged = await call("POST", "/stock/adjustments", {
        batchId: late.batchId,
        type: "damage",
        quantity: 3,
        reason: "Blister packs crushed in delivery",
      });
      assert.equal(damaged.status, 201, JSON.stringify(damaged.body));
      assert.deepEqual([damaged.body.quantity, damaged.body.quantityAfter], [
        -3,
        late.quantity - 3,
      ]);
      const tooMuch = await call("POST", "/stock/adjustments", {
        batchId: late.batchId,
        type: "expire",
        quantity: 100_000,
        reason: "Too many",
      });
      assert.equal(tooMuch.status, 409);
      const found = await call("POST", "/stock/adjustments", {
        batchId: late.batchId,
        type: "adjust",
        quantity: 2,
        reason: "Found behind the shelf",
      });
      assert.equal(found.body.quantityAfter, late.quantity - 1);
      const noReason = await call("POST", "/stock/adjustments", {
        batchId: late.batchId,
        type: "adjust",
        quantity: 1,
      });
      assert.equal(noReason.status, 400);
    });

    await t.step(
      "returns go back to their batch, within the window, never more than given",
      async () => {
        const sale = await call("POST", "/dispensations", {
          items: [{ medicationId: paracetamol.id, quantity: 4 }],
        });
        assert.equal(sale.status, 201);
        const batchId = sale.body.items[0].batchId;
        const back = await call("POST", `/dispensations/${sale.body.id}/returns`, {
          items: [{ batchId, quantity: 2 }],
          reason: "Bought twice by mistake",
        });
        assert.equal(back.status, 201, JSON.stringify(back.body));
        assert.deepEqual(back.body.data.map((m: any) => [m.type, m.quantity]), [["return", 2]]);
        const again = await call("POST", `/dispensations/${sale.body.id}/returns`, {
          items: [{ batchId, quantity: 3 }],
          reason: "More",
        });
        assert.equal(again.status, 409);
        assert.equal(again.body.returnable, 2);
        now += 15 * DAY;
        pharmacy = (await login(app, pharmacist.email)).accessToken;
        const late = await call("POST", `/dispensations/${sale.body.id}/returns`, {
          items: [{ batchId, quantity: 1 }],
          reason: "Late",
        });
        assert.equal(late.status, 409, "outside the 14-day window");
        const read = await call("GET", `/dispensations/${sale.body.id}`);
        assert.equal(read.status, 200);
        assert.equal(read.body.total, 80);
      },
    );

    await t.step(
      "reports: valuation at batch cost, consumption, as JSON, CSV and XLSX",
      async () => {
        const stock = await call("GET", `/stock?medicationId=${paracetamol.id}`);
        const expected = stock.body.data.reduce(
          (s: number, b: any) => s + b.quantity * b.unitCost,
          0,
        );
        const value = await call("GET", "/stock/reports/valuation");
        assert.equal(value.status, 200, JSON.stringify(value.body));
        const row = value.body.data.find((r: any) => r.medicationId === paracetamol.id);
        assert.equal(row.value, expected);
        assert.equal(row.currency, "KES");
        const used = await call("GET", "/stock/reports/consumption");
        const pcm = used.body.data.find((r: any) => r.medicationId === paracetamol.id);
        assert.equal(pcm.consumed, pcm.dispensed - pcm.returned);
        assert.equal(pcm.returned, 2);
        const csv = await app.app.request("/api/v1/stock/reports/valuation?format=csv", {
          headers: { authorization: `Bearer ${pharmacy}` },
        });
        assert.match(csv.headers.get("content-type") ?? "", /text\/csv/);
        const text = await csv.text();
        assert.match(text.split("\n")[0], /^medicationId,medication,genericName/);
        assert.ok(text.includes("Panadol 500 mg"));
        const xlsx = await app.app.request("/api/v1/stock/reports/consumption?format=xlsx", {
          headers: { authorization: `Bearer ${pharmacy}` },
        });
        const files = unzipSync(new Uint8Array(await xlsx.arrayBuffer()));
        const strings = new TextDecoder().decode(
          files["xl/sharedStrings.xml"] ?? files["xl/worksheets/sheet1.xml"],
        );
        assert.ok(strings.includes("Panadol 500 mg"), strings.slice(0, 300));
      },
    );

    await t.step(
      "purchase orders: sent, received in parts, above the order only with a reason",
      async () => {
        const supplier = await call("POST", "/suppliers", {
          name: "MEDS Nairobi",
          phone: "+254 20 000",
        });
        assert.equal(supplier.status, 201, JSON.stringify(supplier.body));
        const order = await call("POST", "/purchase-orders", {
          supplierId: supplier.body.id,
          lines: [
            { medicationId: paracetamol.id, quantity: 100, unitCost: 7 },
            { medicationId: amoxicillin.id, quantity: 50, unitCost: 14 },
          ],
        });
        assert.equal(order.status, 201, JSON.stringify(order.body));
        assert.match(order.body.number, /^PO-\d{4}-0001$/);
        const po = order.body.id;
        const line = (medicationId: string, quantity: number, batchNumber: string) => ({
          medicationId,
          batchNumber,
          expiryDate: dayAfter(now, 500),
          quantity,
          unitCost: 7,
        });
        const early = await call("POST", "/stock/receipts", {
          purchaseOrderId: po,
          items: [line(paracetamol.id, 10, "PO-PCM")],
        });
        assert.equal(early.status, 409, "a draft is not received against");
        assert.equal((await call("POST", `/purchase-orders/${po}/send`)).body.status, "sent");
        const part = await call("POST", "/stock/receipts", {
          purchaseOrderId: po,
          items: [line(paracetamol.id, 100, "PO-PCM"), line(amoxicillin.id, 30, "PO-AMX")],
        });
        assert.equal(part.status, 201, JSON.stringify(part.body));
        let read = await call("GET", `/purchase-orders/${po}`);
        assert.equal(read.body.status, "partially_received");
        assert.deepEqual(read.body.lines.map((l: any) => l.received), [100, 30]);
        const over = await call("POST", "/stock/receipts", {
          purchaseOrderId: po,
          items: [line(amoxicillin.id, 25, "PO-AMX")],
        });
        assert.equal(over.status, 422, "above the order needs a reason");
        assert.equal(over.body.errors[0].path, "reason");
        const notOnIt = await call("POST", "/stock/receipts", {
          purchaseOrderId: po,
          items: [line((await medication({ name: "Other", genericName: "zinc" })).id, 1, "Z")],
        });
        assert.equal(notOnIt.status, 422);
        const withReason = await call("POST", "/stock/receipts", {
          purchaseOrderId: po,
          reason: "Supplier added 5 free of charge",
          items: [line(amoxicillin.id, 25, "PO-AMX")],
        });
        assert.equal(withReason.status, 201, JSON.stringify(withReason.body));
        read = await call("GET", `/purchase-orders/${po}`);
        assert.equal(read.body.status, "received");
        assert.equal((await call("POST", `/purchase-orders/${po}/close`)).body.status, "closed");
        const racing = await Promise.all(
          Array.from({ length: 8 }, () =>
            call("POST", "/purchase-orders", {
              supplierId: supplier.body.id,
              lines: [{ medicationId: paracetamol.id, quantity: 10, unitCost: 7 }],
            })),
        );
        assert.deepEqual(racing.map((r) => r.status), Array(8).fill(201));
        assert.equal(
          new Set(racing.map((r) => r.body.number)).size,
          8,
          "racing orders get distinct numbers",
        );
        assert.equal((await call("POST", `/purchase-orders/${po}/cancel`)).status, 409);
      },
    );

    await t.step("50 dispenses racing for the last 10 units: exactly 10 succeed", async () => {
      const last = await medication({
        name: "ORS sachet",
        genericName: "oral rehydration salts",
        unit: "sachet",
      });
      await receive([{
        medicationId: last.id,
        batchNumber: "ORS-1",
        expiryDate: dayAfter(now, 300),
        quantity: 10,
        unitCost: 5,
      }]);
      const results = await Promise.all(
        Array.from(
          { length: 50 },
          () => call("POST", "/dispensations", { items: [{ medicationId: last.id, quantity: 1 }] }),
        ),
      );
      const statuses = results.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 201).length, 10, statuses.join(","));
      assert.equal(statuses.filter((s) => s === 409).length, 40);
      const stock = await call("GET", `/stock?medicationId=${last.id}`);
      assert.deepEqual(stock.body.data, [], "none left, and none below zero");
    });

    await t.step("every balance equals its ledger's sum, and none is negative", async () => {
      const rows = await app.deps.db.readRows(
        `SELECT b.batch_id, b.quantity, coalesce(sum(m.quantity), 0)
           FROM stock_balances b LEFT JOIN stock_movements m ON m.batch_id = b.batch_id
          GROUP BY b.batch_id`,
        [],
      ) as [string, number, number][];
      assert.ok(rows.length >= 5);
      for (const [batch, balance, ledger] of rows) {
        assert.equal(balance, ledger, `batch ${batch}`);
        assert.ok(balance >= 0, `batch ${batch} at ${balance}`);
      }
    });

    await t.step(
      "who: reception neither reads stock nor dispenses; doctors read stock levels",
      async () => {
        // The clock moved past the earlier tokens' lifetime: fresh ones.
        const admin = (await login(app, org.adminEmail)).accessToken;
        const desk = await createStaff(app, admin, "RECEPTION");
        const reception = (await login(app, desk.email)).accessToken;
        const doctor = (await login(app, doctorUser.email)).accessToken;
        assert.equal((await call("GET", "/stock", undefined, reception)).status, 403);
        assert.equal((await call("GET", "/stock", undefined, doctor)).status, 200);
        assert.equal(
          (await call("POST", "/dispensations", {
            items: [{ medicationId: paracetamol.id, quantity: 1 }],
          }, doctor)).status,
          403,
        );
      },
    );
  } finally {
    await app.close();
  }
});
