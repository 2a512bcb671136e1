/**
 * In-house preparation: work centres, formulas with their rules, preparation orders through
 * their states, reservations that two racing orders cannot both take, steps done in order by
 * users, completion that consumes ingredients first-expiry-first-out through the ledger and
 * receives a batch of the product at a unit cost checked by hand, and the reports.
 */
import assert from "node:assert/strict";
import { divideHalfUp, unitCostOf } from "../src/modules/pharmacy/preparation/costs.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createStaff, login } from "./helpers/factories.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
// 09:00 in Nairobi: the clinic's date is the UTC date all day of the test.
const START = Date.parse("2026-03-10T06:00:00.000Z");
const date = (t: number) => new Date(t).toISOString().slice(0, 10);

Deno.test("in-house preparation", async (t) => {
  let now = START;
  const clock = { now: () => new Date(now) };
  const app = await createTestApp({ ACCESS_TOKEN_TTL_SECONDS: "3600" }, { clock });
  try {
    const org = await createOrg(app);
    const first = await createStaff(app, org.admin, "PHARMACY", "Mary Mixer");
    const second = await createStaff(app, org.admin, "PHARMACY", "Frank Filler");
    const finance = await createStaff(app, org.admin, "FINANCE");
    const tokens = { rx: "", rx2: "", admin: org.admin, finance: "" };
    // Tokens follow the test's clock: after moving it by days, everyone signs in again.
    const signIn = async () => {
      tokens.rx = (await login(app, first.email)).accessToken;
      tokens.rx2 = (await login(app, second.email)).accessToken;
      tokens.admin = (await login(app, org.adminEmail)).accessToken;
      tokens.finance = (await login(app, finance.email)).accessToken;
    };
    await signIn();
    const advance = async (ms: number) => {
      now += ms;
      await signIn();
    };
    const call = (method: string, path: string, body?: unknown, token = tokens.rx) =>
      app.call(method, `/api/v1${path}`, { token, body });
    const ok = async (method: string, path: string, body?: unknown, status = 200) => {
      const res = await call(method, path, body);
      assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const medication = (name: string, unit: string) =>
      ok("POST", "/medications", {
        name,
        genericName: name.toLowerCase(),
        form: "syrup",
        unit,
        reorderLevel: 0,
        unitPrice: 30,
        prescriptionRequired: false,
      }, 201);
    const syrup = await medication("Paracetamol syrup 120 mg/5 mL", "mL");
    const powder = await medication("Paracetamol powder", "g");
    const base = await medication("Syrup base", "mL");
    const receive = (
      medicationId: string,
      batchNumber: string,
      days: number,
      q: number,
      c: number,
    ) =>
      ok("POST", "/stock/receipts", {
        items: [{
          medicationId,
          batchNumber,
          expiryDate: date(now + days * DAY),
          quantity: q,
          unitCost: c,
        }],
      }, 201);
    await receive(powder.id, "PWD-EXP", 1, 10, 100);
    await receive(powder.id, "PWD-SOON", 60, 30, 50);
    await receive(powder.id, "PWD-LATE", 300, 100, 40);
    await receive(base.id, "BASE-1", 200, 2000, 2);
    const batchOf = async (medicationId: string, batchNumber: string) =>
      (await ok("GET", `/stock?medicationId=${medicationId}`)).data
        .find((b: any) => b.batchNumber === batchNumber);

    let mixing: any, filling: any, formula: any;
    await t.step("work centres have a cost per hour and change with If-Match", async () => {
      mixing = await ok(
        "POST",
        "/pharmacy/work-centres",
        { name: "Mixing", costPerHour: 5000 },
        201,
      );
      filling = await ok(
        "POST",
        "/pharmacy/work-centres",
        { name: "Filling", costPerHour: 3000 },
        201,
      );
      assert.equal(mixing.currency, "KES");
      const stale = await app.call("PATCH", `/api/v1/pharmacy/work-centres/${mixing.id}`, {
        token: tokens.admin,
        headers: { "if-match": '"7"' },
        body: { costPerHour: 6000 },
      });
      assert.equal(stale.status, 412);
      const patched = await app.call("PATCH", `/api/v1/pharmacy/work-centres/${mixing.id}`, {
        token: tokens.admin,
        headers: { "if-match": '"1"' },
        body: { costPerHour: 6000 },
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.equal(patched.body.version, 2);
      assert.equal(patched.headers.get("etag"), '"2"');
      mixing = patched.body;
      const list = await ok("GET", "/pharmacy/work-centres");
      assert.deepEqual(list.data.map((w: any) => [w.name, w.costPerHour]), [
        ["Filling", 3000],
        ["Mixing", 6000],
      ]);
      const doctor = await org.tokenFor("DOCTOR");
      assert.equal((await call("GET", "/pharmacy/work-centres", undefined, doctor)).status, 403);
    });

    const formulaBody = () => ({
      name: "Paediatric paracetamol syrup",
      productId: syrup.id,
      batchSize: 500,
      shelfLifeDays: 90,
      ingredients: [
        { medicationId: powder.id, quantity: 24 },
        { medicationId: base.id, quantity: 480 },
      ],
      steps: [
        { name: "Mixing", workCentreId: mixing.id, plannedMinutes: 30 },
        { name: "Filling", workCentreId: filling.id, plannedMinutes: 20 },
        { name: "Labelling", workCentreId: filling.id, plannedMinutes: 10 },
      ],
    });

    await t.step("a formula refuses broken rules with 422 naming the field", async () => {
      const refused = async (change: (b: any) => void, path: string) => {
        const body = formulaBody();
        change(body);
        const res = await call("POST", "/pharmacy/formulas", body);
        assert.equal(res.status, 422, JSON.stringify(res.body));
        assert.ok(
          res.body.errors.some((e: any) => e.path === path),
          `${path} in ${JSON.stringify(res.body.errors)}`,
        );
      };
      await refused((b) => b.ingredients[1].medicationId = syrup.id, "ingredients.1.medicationId");
      await refused((b) => b.ingredients[0].quantity = 0, "ingredients.0.quantity");
      await refused((b) => b.ingredients[1].quantity = -5, "ingredients.1.quantity");
      await refused((b) => b.batchSize = 0, "batchSize");
      await refused((b) => b.productId = crypto.randomUUID(), "productId");
      await refused(
        (b) => b.ingredients[0].medicationId = crypto.randomUUID(),
        "ingredients.0.medicationId",
      );
      await refused((b) => b.ingredients[1].medicationId = powder.id, "ingredients.1.medicationId");
      await refused((b) => b.steps[2].workCentreId = crypto.randomUUID(), "steps.2.workCentreId");
      assert.equal((await ok("GET", "/pharmacy/formulas")).data.length, 0, "nothing written");
    });

    await t.step("a formula keeps its ingredients and its steps in order", async () => {
      formula = await ok("POST", "/pharmacy/formulas", formulaBody(), 201);
      assert.deepEqual(formula.steps.map((s: any) => [s.position, s.name, s.plannedMinutes]), [
        [1, "Mixing", 30],
        [2, "Filling", 20],
        [3, "Labelling", 10],
      ]);
      const read = await ok("GET", `/pharmacy/formulas/${formula.id}`);
      assert.deepEqual(read, formula);
      const admin = await call("GET", "/pharmacy/formulas", undefined, tokens.admin);
      assert.equal(admin.body.data[0].ingredients.length, 2);
    });

    const order = (batches: number, extra: Record<string, unknown> = {}) =>
      ok("POST", "/pharmacy/preparation-orders", { formulaId: formula.id, batches, ...extra }, 201);

    await t.step("orders are numbered, copy the steps and check their assignees", async () => {
      const o = await order(1, { assignees: { "1": second.id, "2": second.id } });
      assert.match(o.number, /^PREP-2026-0001$/);
      assert.equal(o.status, "draft");
      assert.equal(o.plannedQuantity, 500);
      assert.deepEqual(o.steps.map((s: any) => [s.position, s.assigneeId, s.status]), [
        [1, second.id, "pending"],
        [2, second.id, "pending"],
        [3, null, "pending"],
      ]);
      const badStep = await call("POST", "/pharmacy/preparation-orders", {
        formulaId: formula.id,
        batches: 1,
        assignees: { "9": second.id },
      });
      assert.equal(badStep.status, 422);
      assert.equal(badStep.body.errors[0].path, "assignees.9");
      const stranger = await call("POST", "/pharmacy/preparation-orders", {
        formulaId: formula.id,
        batches: 1,
        assignees: { "1": crypto.randomUUID() },
      });
      assert.equal(stranger.status, 422);
      assert.equal(stranger.body.errors[0].path, "assignees.1");
      const unknown = await call("POST", "/pharmacy/preparation-orders", {
        formulaId: crypto.randomUUID(),
        batches: 1,
      });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.body.errors[0].path, "formulaId");
      const admin = await call("POST", "/pharmacy/preparation-orders", {
        formulaId: formula.id,
        batches: 1,
      }, tokens.admin);
      assert.equal(admin.status, 403, "an admin reads preparation but does not prepare");
      // Illegal moves of a draft.
      assert.equal(
        (await call("POST", `/pharmacy/preparation-orders/${o.id}/steps/1/start`)).status,
        409,
      );
      assert.equal(
        (await call("POST", `/pharmacy/preparation-orders/${o.id}/complete`, {})).status,
        409,
      );
      const cancelled = await ok("POST", `/pharmacy/preparation-orders/${o.id}/cancel`, {
        reason: "Entered twice",
      });
      assert.equal(cancelled.status, "cancelled");
      assert.equal(cancelled.cancelReason, "Entered twice");
      const again = await call("POST", `/pharmacy/preparation-orders/${o.id}/confirm`);
      assert.equal(again.status, 409);
    });

    let main: any;
    await t.step("confirming reserves ingredients against other orders", async () => {
      // Unexpired powder on hand: 10 + 30 + 100 = 140.
      const x = await order(2);
      const confirmed = await ok("POST", `/pharmacy/preparation-orders/${x.id}/confirm`);
      assert.equal(confirmed.status, "confirmed");
      assert.equal(confirmed.version, x.version + 1);
      assert.deepEqual(confirmed.reserved, [
        { medicationId: powder.id, quantity: 48 },
        { medicationId: base.id, quantity: 960 },
      ]);
      assert.equal(
        (await call("POST", `/pharmacy/preparation-orders/${x.id}/confirm`)).status,
        409,
        "confirmed once",
      );
      // 4 batches need 96 g; 140 - 48 reserved = 92.
      const y = await order(4);
      const short = await call("POST", `/pharmacy/preparation-orders/${y.id}/confirm`);
      assert.equal(short.status, 409);
      assert.equal(short.body.medicationId, powder.id);
      assert.equal(short.body.needed, 96);
      assert.equal(short.body.available, 92);
      assert.match(short.body.detail, /Paracetamol powder/);
      // Cancelling releases the reservation.
      const released = await ok("POST", `/pharmacy/preparation-orders/${x.id}/cancel`, {
        reason: "Syrup base recalled",
      });
      assert.equal(released.reserved, null);
      assert.equal(
        (await ok("POST", `/pharmacy/preparation-orders/${y.id}/confirm`)).status,
        "confirmed",
      );
      await ok("POST", `/pharmacy/preparation-orders/${y.id}/cancel`, { reason: "Not needed" });
      main = await order(2, { assignees: { "1": second.id, "2": second.id } });
      main = await ok("POST", `/pharmacy/preparation-orders/${main.id}/confirm`);
    });

    await t.step("steps are started and finished in order by users", async () => {
      const path = `/pharmacy/preparation-orders/${main.id}/steps`;
      assert.equal((await call("POST", `${path}/2/start`)).status, 409, "step 1 comes first");
      assert.equal((await call("POST", `${path}/1/finish`, {})).status, 409, "not started");
      assert.equal((await call("POST", `${path}/7/start`)).status, 404);
      const mine = await call(
        "GET",
        "/pharmacy/preparation-steps?mine=true",
        undefined,
        tokens.rx2,
      );
      assert.equal(mine.status, 200);
      assert.deepEqual(
        mine.body.data.filter((s: any) => s.orderId === main.id).map((s: any) => s.position),
        [1, 2],
      );
      assert.ok(mine.body.data.every((s: any) => s.assigneeId === second.id));
      assert.ok(!mine.body.data.some((s: any) => s.orderStatus === "cancelled"));
      const none = await ok("GET", "/pharmacy/preparation-steps?mine=true");
      assert.equal(none.data.length, 0, "Mary has no steps of her own");

      const started = await call("POST", `${path}/1/start`, undefined, tokens.rx2);
      assert.equal(started.status, 200, JSON.stringify(started.body));
      assert.equal(started.body.status, "in_progress", "the first start moves the order");
      assert.equal(started.body.steps[0].startedBy, second.id);
      assert.equal((await call("POST", `${path}/1/start`)).status, 409, "started once");
      await advance(35 * MINUTE);
      const finished = await call("POST", `${path}/1/finish`, {}, tokens.rx2);
      assert.equal(finished.body.steps[0].actualMinutes, 35);
      assert.equal(finished.body.steps[0].status, "done");
      const two = await call("POST", `${path}/2/start`, undefined, tokens.rx2);
      assert.equal(two.status, 200, JSON.stringify(two.body));
      await advance(40 * MINUTE);
      const explicit = await call("POST", `${path}/2/finish`, { minutes: 25 }, tokens.rx2);
      assert.equal(explicit.body.steps[1].actualMinutes, 25, "minutes given are taken");
      const early = await call("POST", `/pharmacy/preparation-orders/${main.id}/complete`, {});
      assert.equal(early.status, 409);
      assert.deepEqual(early.body.steps, [3]);
      await ok("POST", `${path}/3/start`);
      await advance(9 * MINUTE + 36_000); // 9.6 minutes
      const last = await ok("POST", `${path}/3/finish`, {});
      assert.equal(last.steps[2].actualMinutes, 10, "rounded to the nearest minute");
      assert.equal(last.steps[2].finishedBy, first.id);
      assert.equal((await call("POST", `${path}/3/finish`, {})).status, 409, "finished once");
    });

    let product: any;
    await t.step("completing consumes FEFO, never expired, and receives the product", async () => {
      await advance(2 * DAY); // PWD-EXP has now expired
      const today = date(now);
      const done = await ok("POST", `/pharmacy/preparation-orders/${main.id}/complete`, {});
      assert.equal(done.status, "done");
      assert.equal(done.outputQuantity, 1000);
      // Ingredients: powder 30 × 50 (PWD-SOON) + 18 × 40 (PWD-LATE) + base 960 × 2 = 4140.
      // Work: 35 min × 6000/h + 25 × 3000/h + 10 × 3000/h = 3500 + 1250 + 500 = 5250.
      // (4140 + 5250) / 1000 = 9.39 → 9.
      assert.equal(done.unitCost, 9);
      assert.equal(unitCostOf(4140, 315_000, 1000), 9);
      const moves = async (medicationId: string) =>
        (await ok("GET", `/stock/movements?medicationId=${medicationId}&limit=100`)).data
          .filter((m: any) => m.documentId === main.id);
      const used = await moves(powder.id);
      const soon = await batchOf(powder.id, "PWD-SOON");
      assert.equal(soon, undefined, "PWD-SOON used up");
      assert.deepEqual(
        used.map((m: any) => [m.type, m.quantity, m.quantityBefore, m.quantityAfter]),
        [["preparation_use", -30, 30, 0], ["preparation_use", -18, 100, 82]],
      );
      assert.ok(used.every((m: any) => m.documentType === "preparation-order"));
      assert.equal((await batchOf(powder.id, "PWD-EXP")).quantity, 10, "expired never used");
      const baseUsed = await moves(base.id);
      assert.deepEqual(
        baseUsed.map((m: any) => [m.quantity, m.quantityBefore, m.quantityAfter]),
        [[-960, 2000, 1040]],
      );
      const out = await moves(syrup.id);
      assert.deepEqual(
        out.map((m: any) => [m.type, m.quantity, m.quantityBefore, m.quantityAfter, m.actorId]),
        [["preparation_output", 1000, 0, 1000, first.id]],
      );
      product = await batchOf(syrup.id, main.number);
      assert.equal(product.batchId, done.outputBatchId);
      assert.equal(product.quantity, 1000);
      assert.equal(product.unitCost, 9);
      assert.equal(product.expiryDate, date(Date.parse(`${today}T00:00:00Z`) + 90 * DAY));
      for (const step of ["cancel", "confirm", "complete"]) {
        const res = await call(
          "POST",
          `/pharmacy/preparation-orders/${main.id}/${step}`,
          step === "cancel" ? { reason: "Too late" } : step === "complete" ? {} : undefined,
        );
        assert.equal(res.status, 409, `${step} after done`);
      }
    });

    await t.step("the prepared batch is dispensed like any other", async () => {
      const sold = await call("POST", "/dispensations", {
        items: [{ medicationId: syrup.id, quantity: 100 }],
      });
      assert.equal(sold.status, 201, JSON.stringify(sold.body));
      assert.equal((await batchOf(syrup.id, main.number)).quantity, 900);
    });

    let second2: any;
    await t.step("stock short at completion answers 409 and writes nothing", async () => {
      second2 = await order(1);
      await ok("POST", `/pharmacy/preparation-orders/${second2.id}/confirm`);
      // Reservations do not block dispensing: 82 g on hand, 24 reserved, 70 sold.
      const sold = await call("POST", "/dispensations", {
        items: [{ medicationId: powder.id, quantity: 70 }],
      });
      assert.equal(sold.status, 201, JSON.stringify(sold.body));
      const path = `/pharmacy/preparation-orders/${second2.id}/steps`;
      for (const [position, minutes] of [[1, 30], [2, 20], [3, 10]]) {
        await ok("POST", `${path}/${position}/start`);
        await ok("POST", `${path}/${position}/finish`, { minutes });
      }
      const before = await ok("GET", `/stock/movements?limit=100`);
      const short = await call("POST", `/pharmacy/preparation-orders/${second2.id}/complete`, {});
      assert.equal(short.status, 409);
      assert.equal(short.body.medicationId, powder.id);
      assert.equal(short.body.available, 12);
      const after = await ok("GET", `/stock/movements?limit=100`);
      assert.equal(after.data.length, before.data.length, "no movement written");
      assert.equal((await batchOf(base.id, "BASE-1")).quantity, 1040);
      const still = await ok("GET", `/pharmacy/preparation-orders/${second2.id}`);
      assert.equal(still.status, "in_progress");
    });

    await t.step("completion takes a given batch number, expiry and yield", async () => {
      await receive(powder.id, "PWD-NEW", 200, 50, 60);
      const url = `/pharmacy/preparation-orders/${second2.id}/complete`;
      const past = await call("POST", url, { expiryDate: date(now - DAY) });
      assert.equal(past.status, 422);
      assert.equal(past.body.errors[0].path, "expiryDate");
      const clash = await call("POST", url, { batchNumber: main.number });
      assert.equal(clash.status, 409, "the product's batch numbers are unique in the store");
      const expiry = date(now + 60 * DAY);
      const done = await ok("POST", url, {
        batchNumber: "SYR-2",
        expiryDate: expiry,
        outputQuantity: 490,
      });
      // Powder 24 from PWD-NEW (expires before PWD-LATE) × 60 + base 480 × 2 = 2400.
      // Work 30 × 6000/h + 20 × 3000/h + 10 × 3000/h = 4500 (270000 minute-units).
      // (2400 × 60 + 270000) / (60 × 490) = 414000 / 29400 = 14.08 → 14.
      assert.equal(done.unitCost, 14);
      assert.equal(done.outputQuantity, 490);
      const made = await batchOf(syrup.id, "SYR-2");
      assert.deepEqual([made.quantity, made.expiryDate, made.unitCost], [490, expiry, 14]);
      assert.equal((await batchOf(powder.id, "PWD-NEW")).quantity, 26);
      assert.equal((await batchOf(powder.id, "PWD-LATE")).quantity, 12);
    });

    await t.step("the order report: minutes, yield and cost", async () => {
      const report = await call(
        "GET",
        `/pharmacy/preparation-orders/${main.id}/report`,
        undefined,
        tokens.finance,
      );
      assert.equal(report.status, 200, JSON.stringify(report.body));
      assert.deepEqual(
        report.body.steps.map((s: any) => [s.name, s.plannedMinutes, s.actualMinutes]),
        [["Mixing", 30, 35], ["Filling", 20, 25], ["Labelling", 10, 10]],
      );
      assert.deepEqual(
        report.body.workCentres.map((w: any) => [w.name, w.plannedMinutes, w.actualMinutes]),
        [["Filling", 30, 35], ["Mixing", 30, 35]],
      );
      assert.deepEqual(report.body.yield, { planned: 1000, actual: 1000, percent: 100 });
      assert.deepEqual(report.body.cost, {
        ingredients: 4140,
        work: 5250,
        total: 9390,
        perUnit: 9,
        currency: "KES",
      });
    });

    await t.step("the period report sums the orders done in it", async () => {
      const today = date(now);
      const report = await ok("GET", `/pharmacy/reports/preparation?from=${today}&to=${today}`);
      assert.deepEqual(report.orders.map((o: any) => [o.number, o.yieldPercent]), [
        [main.number, 100],
        [second2.number, 98],
      ]);
      assert.deepEqual(report.totals, {
        plannedQuantity: 1500,
        outputQuantity: 1490,
        yieldPercent: 99.3,
        plannedMinutes: 120,
        actualMinutes: 130,
        ingredients: 6540,
        work: 9750,
      });
      assert.deepEqual(
        report.workCentres.map((w: any) => [w.name, w.plannedMinutes, w.actualMinutes]),
        [["Filling", 60, 65], ["Mixing", 60, 65]],
      );
      const before = await ok(
        "GET",
        `/pharmacy/reports/preparation?from=2026-01-01&to=${date(START - DAY)}`,
      );
      assert.equal(before.orders.length, 0);
    });

    await t.step("every write is audited", async () => {
      await app.deps.audit.flush();
      const rows = await app.deps.db.readRows(
        "SELECT DISTINCT action FROM audit_events WHERE entity_type IN " +
          "('work-centre', 'formula', 'preparation-order', 'preparation-step')",
        [],
      );
      const actions = new Set((rows as [string][]).map((r) => r[0]));
      for (
        const a of [
          "work-centre.create",
          "work-centre.update",
          "formula.create",
          "preparation-order.create",
          "preparation-order.confirm",
          "preparation-order.start",
          "preparation-order.cancel",
          "preparation-order.complete",
          "preparation-step.start",
          "preparation-step.finish",
        ]
      ) assert.ok(actions.has(a), `${a} in ${[...actions]}`);
    });

    await t.step(
      "of two orders racing for stock that covers one, exactly one confirms",
      async () => {
        for (let round = 0; round < 3; round++) {
          const scarce = await medication(`Scarce herb ${round}`, "g");
          await receive(scarce.id, `HERB-${round}`, 100, 50, 10);
          const f = await ok("POST", "/pharmacy/formulas", {
            ...formulaBody(),
            name: `Herbal ointment ${round}`,
            ingredients: [{ medicationId: scarce.id, quantity: 30 }],
          }, 201);
          const a = await ok("POST", "/pharmacy/preparation-orders", {
            formulaId: f.id,
            batches: 1,
          }, 201);
          const b = await ok("POST", "/pharmacy/preparation-orders", {
            formulaId: f.id,
            batches: 1,
          }, 201);
          const results = await Promise.all(
            [a, b].map((o) => call("POST", `/pharmacy/preparation-orders/${o.id}/confirm`)),
          );
          assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
          const loser = results.find((r) => r.status === 409)!;
          assert.equal(loser.body.medicationId, scarce.id);
          assert.equal(loser.body.available, 20);
        }
      },
    );
  } finally {
    await app.close();
  }
});

Deno.test("costs are integer minor units rounded half up", () => {
  assert.equal(divideHalfUp(5, 2), 3);
  assert.equal(divideHalfUp(7, 3), 2);
  assert.equal(divideHalfUp(8, 3), 3);
  // 10 minutes at 100 per hour is 16.67 → 17; over 3 units with nothing else: 5.56 → 6.
  assert.equal(unitCostOf(0, 10 * 100, 3), 6);
  assert.equal(unitCostOf(10, 0, 4), 3, "2.5 rounds up");
});
