/**
 * The daily close: expected by method with expenses, variance and sign-off, one close per
 * cashier and day, the day locked after it (payments racing the close are in it or refused),
 * reversals dated today, and the clinic-local day in the organisation's timezone.
 */
import assert from "node:assert/strict";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";
import { issuedInvoice } from "./helpers/billing-cash.ts";

Deno.test("daily close", async (t) => {
  // 22:30 UTC is already tomorrow in Nairobi (UTC+3): the factory's organisations are there.
  let now = Date.parse("2026-03-10T22:30:00Z");
  // Tokens outlive the days the test moves through.
  const app = await createTestApp({}, {
    clock: { now: () => new Date(now) },
    config: (c) => ({
      ...c,
      jwt: { ...c.jwt, accessTtlSeconds: 7 * 86400 },
      sessions: { idleTimeoutMinutes: 7 * 24 * 60, maxHours: 7 * 24 },
    }),
  });
  const org = await createOrg(app);
  const reception = await org.tokenFor("RECEPTION");
  const receptionId = await org.userIdFor("RECEPTION");
  const finance = await org.tokenFor("FINANCE");
  const patient = await createPatient(app, org.admin);
  const pay = (body: Record<string, unknown>, token = reception) =>
    app.call("POST", "/api/v1/payments", { token, body });
  const close = (body: Record<string, unknown>, token = finance) =>
    app.call("POST", "/api/v1/cash-ups", { token, body: { cashierId: receptionId, ...body } });
  const invoiceOf = (amount: number) =>
    issuedInvoice(app, org, {
      patientId: patient.id,
      lines: [{ description: "Consultation", unitAmount: amount }],
    });

  await t.step("a payment at 22:30 UTC counts in Nairobi's next day", async () => {
    const inv = await invoiceOf(50000);
    const p = await pay({ invoiceId: inv.id, method: "cash", amount: 20000 });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    assert.equal(p.body.localDate, "2026-03-11");
    const yesterday = await close({ date: "2026-03-10", counted: { cash: 0 } });
    assert.equal(yesterday.status, 201, JSON.stringify(yesterday.body));
    assert.equal(yesterday.body.expected.cash, 0, "the UTC day is not the clinic's");
  });

  await t.step("expected by method, less expenses; variance; a second close is 409", async () => {
    const inv = await invoiceOf(100000);
    await pay({ invoiceId: inv.id, method: "cash", amount: 10000 });
    await pay({
      invoiceId: inv.id,
      method: "mobile_money",
      amount: 30000,
      provider: "M-Pesa",
      reference: "CLOSE-1",
    });
    await pay({ invoiceId: inv.id, method: "card", amount: 5000 });
    const exp = await app.call("POST", "/api/v1/expenses", {
      token: reception,
      body: { category: "cleaning", amount: 2000, description: "Detergent" },
    });
    assert.equal(exp.status, 201, JSON.stringify(exp.body));
    const future = await close({ date: "2026-03-12", counted: { cash: 0 } });
    assert.equal(future.status, 422);
    // 20000 + 10000 cash in, 2000 out: 28000 expected; 27500 counted is within the threshold.
    const res = await close({ date: "2026-03-11", counted: { cash: 27500 } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(res.body.expected, {
      cash: 28000,
      card: 5000,
      mobile_money: 30000,
      bank: 0,
      insurance: 0,
    });
    assert.deepEqual([res.body.expenses, res.body.variance, res.body.status], [
      2000,
      -500,
      "closed",
    ]);
    const again = await close({ date: "2026-03-11", counted: { cash: 27500 } });
    assert.equal(again.status, 409);
  });

  await t.step("after the close the day is locked; a correction is dated today", async () => {
    const inv = await invoiceOf(9000);
    const late = await pay({ invoiceId: inv.id, method: "cash", amount: 100 });
    assert.equal(late.status, 409);
    assert.match(late.body.detail, /day is closed/);
    const spent = await app.call("POST", "/api/v1/expenses", {
      token: reception,
      body: { category: "transport", amount: 100, description: "Taxi" },
    });
    assert.equal(spent.status, 409);
    const [first] =
      (await app.call("GET", "/api/v1/payments?date=2026-03-11", { token: reception }))
        .body.data.filter((p: any) => p.method === "card");
    now = Date.parse("2026-03-12T08:00:00Z");
    const rev = await app.call("POST", `/api/v1/payments/${first.id}/reverse`, {
      token: finance,
      body: { reason: "Card was declined after all" },
    });
    assert.equal(rev.status, 201, JSON.stringify(rev.body));
    assert.equal(rev.body.localDate, "2026-03-12");
    const closed = await app.call("GET", "/api/v1/cash-ups?date=2026-03-11", { token: finance });
    assert.equal(closed.body.data[0].expected.card, 5000, "the closed day stays as counted");
  });

  await t.step("a variance above the threshold waits for an admin's sign-off", async () => {
    const inv = await invoiceOf(9000);
    await pay({ invoiceId: inv.id, method: "cash", amount: 9000 });
    const res = await close({ date: "2026-03-12", counted: { cash: 5000 } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual([res.body.variance, res.body.status], [-4000, "awaiting_signoff"]);
    const byFinance = await app.call("POST", `/api/v1/cash-ups/${res.body.id}/sign-off`, {
      token: finance,
      body: { note: "ok" },
    });
    assert.equal(byFinance.status, 403);
    const ok = await app.call("POST", `/api/v1/cash-ups/${res.body.id}/sign-off`, {
      token: org.admin,
      body: { note: "Counted again; 4000 paid to the cleaner without a slip" },
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.status, "signed_off");
    const twice = await app.call("POST", `/api/v1/cash-ups/${res.body.id}/sign-off`, {
      token: org.admin,
      body: { note: "again" },
    });
    assert.equal(twice.status, 409);
  });

  await t.step("payments racing the close are either in it or refused", async () => {
    now = Date.parse("2026-03-13T09:00:00Z");
    const inv = await invoiceOf(1_000_000);
    const racing = Array.from(
      { length: 12 },
      () => pay({ invoiceId: inv.id, method: "cash", amount: 1000 }),
    );
    const closing = close({ date: "2026-03-13", counted: { cash: 0 } });
    const [answers, closed] = [await Promise.all(racing), await closing];
    assert.equal(closed.status, 201, JSON.stringify(closed.body));
    const taken = answers.filter((a) => a.status === 201).length;
    assert.ok(answers.every((a) => a.status === 201 || a.status === 409));
    assert.equal(closed.body.expected.cash, taken * 1000);
    const read = await app.call("GET", `/api/v1/invoices/${inv.id}`, { token: reception });
    assert.equal(read.body.paid, taken * 1000);
  });

  await app.close();
});

Deno.test("daily close west of UTC: 22:30 UTC is still the same day in New York", async () => {
  const app = await createTestApp({}, {
    clock: { now: () => new Date("2026-03-11T02:30:00Z") },
  });
  const sa = (await app.call("POST", "/api/v1/auth/login", {
    body: { email: "root@platform.test", password: "test-password-123" },
  })).body.accessToken;
  const made = await app.call("POST", "/api/v1/organizations", {
    token: sa,
    body: {
      name: "Brooklyn Clinic",
      type: "CLINIC",
      timezone: "America/New_York",
      currency: "USD",
      admin: { email: "admin@brooklyn.test", password: "test-password-123", fullName: "Admin" },
    },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const admin = (await app.call("POST", "/api/v1/auth/login", {
    body: { email: "admin@brooklyn.test", password: "test-password-123" },
  })).body.accessToken;
  const patient = await createPatient(app, admin);
  const inv = await issuedInvoice(app, {
    admin,
  } as never, { patientId: patient.id, lines: [{ description: "Visit", unitAmount: 7500 }] });
  const p = await app.call("POST", "/api/v1/payments", {
    token: admin,
    body: { invoiceId: inv.id, method: "cash", amount: 7500 },
  });
  assert.equal(p.body.localDate, "2026-03-10");
  const res = await app.call("POST", "/api/v1/cash-ups", {
    token: admin,
    body: { date: "2026-03-10", counted: { cash: 7500 } },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.deepEqual([res.body.expected.cash, res.body.variance, res.body.currency], [
    7500,
    0,
    "USD",
  ]);
  await app.close();
});
