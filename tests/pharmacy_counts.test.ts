/**
 * Stock counts and the loss reports: a count freezes each batch, takes counted quantities typed or
 * scanned while the pharmacy keeps working, is submitted, approved by an admin above the
 * threshold, and posted to the ledger once however many posts race; the movements and
 * expiry-loss reports by clinic-local period as JSON, CSV and XLSX.
 */
import assert from "node:assert/strict";
import { unzipSync } from "fflate";
import { findingRuleSettings } from "../db/schema/mod.ts";
import { insertTracked, stamp } from "../db/tenant.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createStaff, login } from "./helpers/factories.ts";

const DAY = 86_400_000;
/**
 * The clinic-local day (the test organisation is in Nairobi) `days` after instant `t`: reports
 * take clinic-local days, and from 21:00 UTC Nairobi's date is already tomorrow's.
 */
const dayAfter = (t: number, days: number) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: "Africa/Nairobi" }).format(new Date(t + days * DAY));

Deno.test("stock counts and loss reports", async (t) => {
  let now = Date.now();
  const clock = { now: () => new Date(now) };
  const app = await createTestApp({ ACCESS_TOKEN_TTL_SECONDS: "3600" }, { clock });
  try {
    const org = await createOrg(app);
    const pharmacist = await createStaff(app, org.admin, "PHARMACY");
    const pharmacy = (await login(app, pharmacist.email)).accessToken;
    const admin = org.admin;
    const call = (method: string, path: string, body?: unknown, token = pharmacy) =>
      app.call(method, `/api/v1${path}`, { token, body });
    const ok = (res: { status: number; body: any }, status = 200) => {
      assert.equal(res.status, status, JSON.stringify(res.body));
      return res.body;
    };

    const med = ok(
      await call("POST", "/medications", {
        name: "Panadol 500 mg",
        genericName: "paracetamol",
        form: "tablet",
        codes: ["5000158062078"],
        reorderLevel: 10,
        unitPrice: 20,
        prescriptionRequired: false,
      }),
      201,
    );
    const receive = async (batchNumber: string, quantity: number, unitCost: number, days: number) =>
      ok(
        await call("POST", "/stock/receipts", {
          items: [{
            medicationId: med.id,
            batchNumber,
            expiryDate: dayAfter(now, days),
            quantity,
            unitCost,
          }],
        }),
        201,
      ).movements[0].batchId as string;
    // A expires first, so dispensing takes from it.
    const batchA = await receive("PCM-A", 100, 8, 200);
    const batchB = await receive("PCM-B", 20, 50, 400);
    const sell = async (quantity: number) =>
      ok(
        await call("POST", "/dispensations", { items: [{ medicationId: med.id, quantity }] }),
        201,
      );
    const lineOf = (count: any, batchId: string) =>
      count.lines.find((l: any) => l.batchId === batchId);

    let count: any;
    await t.step("opening a count freezes each batch of the store; one per store", async () => {
      count = ok(await call("POST", "/stock/counts", { notes: "Month end" }), 201);
      assert.match(count.number, /^CNT-\d{4}-0001$/);
      assert.equal(count.status, "open");
      assert.equal(count.version, 1);
      assert.deepEqual(
        count.lines.map((l: any) => [l.batchNumber, l.frozenQuantity, l.countedQuantity]),
        [["PCM-A", 100, null], ["PCM-B", 20, null]],
      );
      const again = await call("POST", "/stock/counts", {});
      assert.equal(again.status, 409);
      assert.equal(again.body.countId, count.id);
      const doctor = await org.tokenFor("DOCTOR");
      assert.equal((await call("POST", "/stock/counts", {}, doctor)).status, 403);
      assert.equal((await call("GET", `/stock/counts/${count.id}`, undefined, doctor)).status, 200);
    });

    await t.step(
      "the pharmacy keeps working: a dispense after the freeze is no variance",
      async () => {
        await sell(3);
        let read = ok(await call("GET", `/stock/counts/${count.id}`));
        assert.deepEqual(
          [lineOf(read, batchA).movementsSinceFreeze, lineOf(read, batchA).expectedNow],
          [-3, 97],
        );
        // Scanned: the medication's code and the batch number on the box.
        read = ok(
          await call("POST", `/stock/counts/${count.id}/lines`, {
            items: [{ code: "5000158062078", batchNumber: "PCM-A", quantity: 97 }],
          }),
        );
        const a = lineOf(read, batchA);
        assert.deepEqual([a.countedQuantity, a.variance, a.scannedCode], [97, 0, "5000158062078"]);
        // Counted again, two short; a sale after that leaves the counted variance as it was.
        ok(
          await call("POST", `/stock/counts/${count.id}/lines`, {
            items: [{ batchId: batchA, quantity: 95 }],
          }),
        );
        await sell(1);
        read = ok(await call("GET", `/stock/counts/${count.id}`));
        assert.deepEqual(
          [lineOf(read, batchA).variance, lineOf(read, batchA).expectedNow],
          [-2, 96],
        );
        assert.equal(lineOf(read, batchA).version, 3, "each count of the line is a version");
      },
    );

    await t.step("a batch received during the count is added when it is counted", async () => {
      const batchC = await receive("PCM-C", 30, 9, 600);
      const read = ok(
        await call("POST", `/stock/counts/${count.id}/lines`, {
          items: [{ medicationId: med.id, batchNumber: "PCM-C", quantity: 30 }],
        }),
      );
      const c = lineOf(read, batchC);
      assert.deepEqual([c.frozenQuantity, c.movementsSinceFreeze, c.variance], [0, 30, 0]);
      const unknown = await call("POST", `/stock/counts/${count.id}/lines`, {
        items: [{ code: "5000158062078", batchNumber: "NOPE", quantity: 1 }],
      });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.body.errors[0].path, "items.0.batchNumber");
      const unnamed = await call("POST", `/stock/counts/${count.id}/lines`, {
        items: [{ batchNumber: "PCM-A", quantity: 1 }],
      });
      assert.equal(unnamed.status, 422);
    });

    await t.step("submit refuses uncounted batches unless they are taken as empty", async () => {
      const refused = await call("POST", `/stock/counts/${count.id}/submit`, {});
      assert.equal(refused.status, 422);
      assert.deepEqual(refused.body.uncounted.map((u: any) => u.batchNumber), ["PCM-B"]);
      assert.equal(refused.body.errors[0].path, "uncountedAsZero");
      ok(
        await call("POST", `/stock/counts/${count.id}/lines`, {
          items: [{ batchId: batchB, quantity: 5 }],
        }),
      );
      const submitted = ok(await call("POST", `/stock/counts/${count.id}/submit`, {}));
      assert.equal(submitted.status, "submitted");
      assert.equal(lineOf(submitted, batchB).variance, -15);
      assert.equal(lineOf(submitted, batchB).varianceValue, -750);
      assert.equal(submitted.needsApproval, true, "15 units is above the default 10");
      assert.equal(submitted.threshold.units, 10);
      const late = await call("POST", `/stock/counts/${count.id}/lines`, {
        items: [{ batchId: batchB, quantity: 20 }],
      });
      assert.equal(late.status, 409, "a submitted count is not counted any more");
      assert.equal((await call("POST", `/stock/counts/${count.id}/submit`, {})).status, 409);
    });

    await t.step("above the threshold an admin approves before posting", async () => {
      const early = await call("POST", `/stock/counts/${count.id}/post`);
      assert.equal(early.status, 409);
      assert.deepEqual(early.body.lines, [{ batchId: batchB, variance: -15 }]);
      const byPharmacy = await call("POST", `/stock/counts/${count.id}/approve`, {
        note: "Mine",
      });
      assert.equal(byPharmacy.status, 403);
      const approved = ok(
        await call("POST", `/stock/counts/${count.id}/approve`, { note: "Breakage seen" }, admin),
      );
      assert.ok(approved.approvedAt);
      assert.equal(approved.approvedBy, await org.userIdFor("ADMIN"));
      assert.match(approved.notes, /Month end\nVariance approved: Breakage seen/);
      const twice = await call("POST", `/stock/counts/${count.id}/approve`, { note: "x" }, admin);
      assert.equal(twice.status, 409);
    });

    await t.step("two posts racing write the variances once", async () => {
      const before = ok(await call("GET", `/stock/counts/${count.id}`)).version;
      const posts = await Promise.all(
        [1, 2, 3].map(() => call("POST", `/stock/counts/${count.id}/post`)),
      );
      assert.deepEqual(posts.map((p) => p.status).sort(), [200, 409, 409]);
      const posted = posts.find((p) => p.status === 200)!.body;
      assert.equal(posted.status, "posted");
      assert.equal(posted.version, before + 1);
      // Its own variances are not movements since the freeze.
      assert.deepEqual(
        [lineOf(posted, batchA).expectedNow, lineOf(posted, batchA).movementsSinceFreeze],
        [96, -4],
      );
      const ledger = ok(await call("GET", `/stock/movements?batchId=${batchB}`));
      const variances = ledger.data.filter((m: any) => m.type === "count_variance");
      assert.equal(variances.length, 1);
      assert.deepEqual(
        [variances[0].quantity, variances[0].documentType, variances[0].documentId],
        [-15, "stock_count", count.id],
      );
      assert.equal(variances[0].reason, `count ${count.number}`);
      const all = await app.deps.db.readRows(
        `SELECT batch_id, quantity FROM stock_movements WHERE document_id = ? ORDER BY quantity`,
        [count.id],
      );
      assert.deepEqual(all, [[batchB, -15], [batchA, -2]]);
      const stock = ok(await call("GET", `/stock?medicationId=${med.id}`));
      assert.deepEqual(
        stock.data.map((b: any) => [b.batchNumber, b.quantity]),
        [["PCM-A", 94], ["PCM-B", 5], ["PCM-C", 30]],
      );
      const list = ok(await call("GET", "/stock/counts?status=posted"));
      assert.deepEqual(list.data.map((c: any) => [c.id, c.lineCount]), [[count.id, 3]]);
      const audit = await app.deps.db.readRows(
        `SELECT action FROM audit_events WHERE entity_id = ? ORDER BY at`,
        [count.id],
      );
      assert.deepEqual(audit.map((r) => r[0]), [
        "stock-count.open",
        "stock-count.submit",
        "stock-count.approve",
        "stock-count.post",
      ]);
      // The post raises the loss finding itself: -15 is above the rule's 10 units, -2 is not.
      const findings = ok(
        await call("GET", "/pharmacy/findings?rule=count_variance", undefined, admin),
      );
      assert.equal(findings.data.length, 1, JSON.stringify(findings.data));
      assert.equal(findings.data[0].evidence[0].quantity, -15);
      assert.match(findings.data[0].explanation, /count|variance/i);
    });

    await t.step("a threshold by value, and no variance that takes stock below zero", async () => {
      await app.deps.db.transaction((tx) =>
        insertTracked(tx, findingRuleSettings, {
          ...stamp(org.id, null, new Date(now).toISOString()),
          rule: "count_variance",
          thresholds: { units: 1000, value: 100 },
        })
      );
      const racing = await Promise.all([1, 2, 3, 4].map(() => call("POST", "/stock/counts", {})));
      assert.deepEqual(racing.map((r) => r.status).sort(), [201, 409, 409, 409]);
      const second = racing.find((r) => r.status === 201)!.body;
      assert.match(second.number, /^CNT-\d{4}-0002$/);
      ok(
        await call("POST", `/stock/counts/${second.id}/lines`, {
          items: [{ batchId: batchB, quantity: 2 }],
        }),
      );
      const submitted = ok(
        await call("POST", `/stock/counts/${second.id}/submit`, { uncountedAsZero: true }),
      );
      assert.equal(lineOf(submitted, batchA).variance, -94, "uncounted taken as found empty");
      assert.deepEqual(submitted.threshold, { units: 1000, value: 100 });
      assert.equal(submitted.needsApproval, true, "3 units at 50 is above 100");
      ok(await call("POST", `/stock/counts/${second.id}/approve`, { note: "Seen" }, admin));
      // Units leave B after it was counted: 5 → 1, so −3 would take it to −2.
      ok(
        await call("POST", "/stock/adjustments", {
          batchId: batchB,
          type: "damage",
          quantity: 4,
          reason: "Crushed box",
        }),
        201,
      );
      const below = await call("POST", `/stock/counts/${second.id}/post`);
      assert.equal(below.status, 409);
      assert.match(below.body.detail, /below zero/);
      assert.deepEqual(below.body.lines, [{ batchId: batchB, onHand: 1, variance: -3 }]);
      const none = await app.deps.db.readRows(
        `SELECT count(*) FROM stock_movements WHERE document_id = ?`,
        [second.id],
      );
      assert.deepEqual(none, [[0]], "nothing of the refused post was written");
      assert.equal(ok(await call("POST", `/stock/counts/${second.id}/cancel`)).status, "cancelled");
      assert.equal((await call("POST", `/stock/counts/${second.id}/cancel`)).status, 409);
      assert.equal((await call("POST", `/stock/counts/${count.id}/cancel`)).status, 409);
    });

    await t.step("every balance equals its ledger's sum after posting", async () => {
      const rows = await app.deps.db.readRows(
        `SELECT b.batch_id, b.quantity, coalesce(sum(m.quantity), 0)
           FROM stock_balances b LEFT JOIN stock_movements m ON m.batch_id = b.batch_id
          WHERE b.org_id = ? GROUP BY b.batch_id`,
        [org.id],
      ) as [string, number, number][];
      assert.equal(rows.length, 3);
      for (const [batch, balance, ledger] of rows) assert.equal(balance, ledger, batch);
    });

    await t.step("reports: movements by medication and type, as JSON, CSV and XLSX", async () => {
      const today = dayAfter(now, 0);
      const report = ok(await call("GET", `/stock/reports/movements?from=${today}&to=${today}`));
      assert.equal(report.kind, "movements");
      const row = (type: string) => report.data.find((r: any) => r.type === type);
      assert.deepEqual(
        [row("receive").quantity, row("receive").value, row("receive").movements],
        [150, 100 * 8 + 20 * 50 + 30 * 9, 3],
      );
      assert.deepEqual([row("dispense").unitsOut, row("dispense").value], [4, -32]);
      assert.deepEqual([row("count_variance").quantity, row("count_variance").value], [
        -17,
        -2 * 8 - 15 * 50,
      ]);
      assert.equal(row("count_variance").currency, "KES");
      const only = ok(await call("GET", `/stock/reports/movements?type=damage`));
      assert.deepEqual(only.data.map((r: any) => [r.type, r.quantity]), [["damage", -4]]);
      const yesterday = dayAfter(now, -1);
      const empty = ok(
        await call("GET", `/stock/reports/movements?from=${yesterday}&to=${yesterday}`),
      );
      assert.deepEqual(empty.data, []);
      const csv = await app.app.request("/api/v1/stock/reports/movements?format=csv", {
        headers: { authorization: `Bearer ${pharmacy}` },
      });
      assert.match(csv.headers.get("content-type") ?? "", /text\/csv/);
      const lines = (await csv.text()).trim().split("\n");
      assert.equal(
        lines[0],
        "medicationId,medication,genericName,unit,type,movements,unitsIn,unitsOut,quantity,value," +
          "currency",
      );
      assert.ok(lines.some((l) => l.includes(",count_variance,2,0,17,-17,-766,KES")), lines[1]);
      const xlsx = await app.app.request("/api/v1/stock/reports/movements?format=xlsx", {
        headers: { authorization: `Bearer ${pharmacy}` },
      });
      assert.equal(xlsx.status, 200);
      const files = unzipSync(new Uint8Array(await xlsx.arrayBuffer()));
      const text = new TextDecoder().decode(
        files["xl/sharedStrings.xml"] ?? files["xl/worksheets/sheet1.xml"],
      );
      assert.ok(text.includes("count_variance") && text.includes("Panadol 500 mg"));
    });

    await t.step("reports: expiry losses, written off and expired on the shelf", async () => {
      const soon = await receive("PCM-SOON", 12, 10, 2);
      ok(
        await call("POST", "/stock/adjustments", {
          batchId: soon,
          type: "expire",
          quantity: 2,
          reason: "Short-dated, returned by ward",
        }),
        201,
      );
      const from = dayAfter(now, 0);
      now += 5 * DAY;
      const to = dayAfter(now, 0);
      const fresh = (await login(app, pharmacist.email)).accessToken;
      const report = ok(
        await call("GET", `/stock/reports/expiry-losses?from=${from}&to=${to}`, undefined, fresh),
      );
      assert.equal(report.kind, "expiry_losses");
      const [row] = report.data;
      assert.deepEqual(
        [row.expired, row.expiredValue, row.damaged, row.damagedValue],
        [2, 20, 4, 200],
      );
      assert.deepEqual(
        [row.expiredOnHand, row.expiredOnHandValue, row.expiredOnHandBatches],
        [10, 100, "PCM-SOON"],
      );
      assert.equal(row.totalValue, 320);
      const csv = await app.app.request(
        `/api/v1/stock/reports/expiry-losses?format=csv&from=${from}&to=${to}`,
        { headers: { authorization: `Bearer ${fresh}` } },
      );
      const [header, first] = (await csv.text()).trim().split("\n");
      assert.match(header, /^medicationId,medication,.*,expiredOnHand,.*totalValue,currency$/);
      assert.match(first, /,Panadol 500 mg,.*,10,100,PCM-SOON,320,KES$/);
      const xlsx = await app.app.request(
        `/api/v1/stock/reports/expiry-losses?format=xlsx&from=${from}&to=${to}`,
        { headers: { authorization: `Bearer ${fresh}` } },
      );
      const files = unzipSync(new Uint8Array(await xlsx.arrayBuffer()));
      const text = new TextDecoder().decode(
        files["xl/sharedStrings.xml"] ?? files["xl/worksheets/sheet1.xml"],
      );
      assert.ok(text.includes("PCM-SOON") && text.includes("expiredOnHandValue"));
      const freshAdmin = (await login(app, org.adminEmail)).accessToken;
      const reception = await createStaff(app, freshAdmin, "RECEPTION");
      const desk = (await login(app, reception.email)).accessToken;
      assert.equal(
        (await call("GET", "/stock/reports/expiry-losses", undefined, desk)).status,
        403,
      );
    });
  } finally {
    await app.close();
  }
});
