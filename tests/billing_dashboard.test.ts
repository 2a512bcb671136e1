/**
 * The dashboard: today's figures in the clinic's timezone, amounts only for roles that handle
 * money, the revenue series by method net of refunds, appointments and the activity feed.
 */
import assert from "node:assert/strict";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";
import { issuedInvoice } from "./helpers/billing-cash.ts";

Deno.test("dashboard", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);
  const reception = await org.tokenFor("RECEPTION");
  const doctor = await org.tokenFor("DOCTOR");
  const patient = await createPatient(app, reception, { givenName: "Wanjiru" });
  const walkIn = await app.call("POST", "/api/v1/encounters", {
    token: reception,
    body: { patientId: patient.id, facilityId: org.facilityId },
  });
  assert.equal(walkIn.status, 201, JSON.stringify(walkIn.body));
  const inv = await issuedInvoice(app, org, {
    patientId: patient.id,
    lines: [{ description: "Dressing", unitAmount: 100000 }],
  });
  const cash = await app.call("POST", "/api/v1/payments", {
    token: reception,
    body: { invoiceId: inv.id, method: "cash", amount: 30000 },
  });
  await app.call("POST", "/api/v1/payments", {
    token: reception,
    body: {
      invoiceId: inv.id,
      method: "mobile_money",
      amount: 20000,
      provider: "M-Pesa",
      reference: "DASH1",
    },
  });
  const refund = await app.call("POST", `/api/v1/payments/${cash.body.id}/refunds`, {
    token: org.admin,
    body: { amount: 5000, reason: "Overcharged" },
  });
  await app.call("POST", `/api/v1/refunds/${refund.body.id}/approve`, {
    token: org.admin,
    body: {},
  });
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Africa/Nairobi" }).format(new Date());

  await t.step(
    "stats: today's visit, registration, revenue net of refunds, outstanding",
    async () => {
      const res = await app.call("GET", "/api/v1/dashboard/stats", { token: reception });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const unrelated = (await app.call("GET", "/api/v1/invoices?status=issued", {
        token: reception,
      })).body.data.filter((i: any) => i.id !== inv.id);
      assert.equal(unrelated.length, 0);
      assert.deepEqual(
        {
          date: res.body.date,
          patientsToday: res.body.patientsToday,
          newRegistrations: res.body.newRegistrations,
          walkIn: res.body.appointments.walkIn,
          revenueToday: res.body.revenueToday,
          outstanding: res.body.outstanding,
          currency: res.body.currency,
        },
        {
          date: today,
          patientsToday: 1,
          newRegistrations: 1,
          walkIn: 1,
          revenueToday: 45000,
          outstanding: 55000,
          currency: "KES",
        },
      );
      assert.ok(res.body.revenueMonth >= 45000);
    },
  );

  await t.step("a doctor sees the counts but no amounts, and no revenue series", async () => {
    const res = await app.call("GET", "/api/v1/dashboard/stats", { token: doctor });
    assert.equal(res.status, 200);
    assert.equal(res.body.patientsToday, 1);
    assert.deepEqual([res.body.revenueToday, res.body.revenueMonth, res.body.outstanding], [
      null,
      null,
      null,
    ]);
    const series = await app.call("GET", "/api/v1/dashboard/revenue", { token: doctor });
    assert.equal(series.status, 403);
  });

  await t.step("the revenue series has every day, by method, net of refunds", async () => {
    const res = await app.call("GET", "/api/v1/dashboard/revenue?days=7", { token: reception });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.length, 7);
    const last = res.body.data[6];
    assert.deepEqual([last.date, last.cash, last.mobile_money, last.total], [
      today,
      25000,
      20000,
      45000,
    ]);
    assert.equal(res.body.data[0].total, 0);
  });

  await t.step("appointments by status and type, and walk-ins", async () => {
    const res = await app.call("GET", "/api/v1/dashboard/appointments", { token: doctor });
    assert.equal(res.status, 200);
    assert.deepEqual([res.body.from, res.body.walkIns, res.body.total], [today, 1, 0]);
  });

  await t.step("the activity feed shows changes, newest first, not reads", async () => {
    const res = await app.call("GET", "/api/v1/dashboard/activity?limit=50", { token: org.admin });
    assert.equal(res.status, 200);
    const actions = res.body.data.map((e: any) => e.action);
    assert.ok(actions.includes("refund.approve"), actions.join());
    assert.ok(actions.indexOf("refund.approve") < actions.indexOf("payment.create"));
    assert.ok(!actions.some((a: string) => a.endsWith(".read")));
    const pay = res.body.data.find((e: any) => e.action === "payment.create");
    assert.equal(pay.patient.name.startsWith("Wanjiru"), true);
  });

  await t.step("reports: revenue by day, payer and service; ageing; as CSV too", async () => {
    const get = (q: string) =>
      app.call("GET", `/api/v1/billing/reports/${q}`, { token: org.admin });
    const byDay = await get("revenue?by=day");
    assert.equal(byDay.status, 200, JSON.stringify(byDay.body));
    assert.deepEqual(byDay.body.data, [{ day: today, amount: 45000, currency: "KES" }]);
    const byPayer = await get("revenue?by=payer");
    assert.deepEqual(
      byPayer.body.data.map((r: any) => [r.payer, r.amount]),
      [["cash", 25000], ["mobile_money", 20000]],
    );
    const byService = await get("revenue?by=service");
    assert.equal(byService.body.data.reduce((s: number, r: any) => s + r.amount, 0), 45000);
    const ageing = await get("ageing");
    assert.deepEqual(ageing.body.data[0], {
      bucket: "0-30",
      invoices: 1,
      outstanding: 55000,
      currency: "KES",
    });
    const csv = await get("revenue?by=payer&format=csv");
    assert.match(String(csv.body), /^payer,amount,currency\ncash,25000,KES/);
    const denied = await app.call("GET", "/api/v1/billing/reports/ageing", { token: reception });
    assert.equal(denied.status, 403);
  });

  await app.close();
});
