/**
 * Payments at the cash desk: partial payments, the balance guard and credit, mobile-money
 * references, the two-cashier race, refunds with approval, reversals, paying with credit and
 * the receipt PDF.
 */
import assert from "node:assert/strict";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";
import { issuedInvoice } from "./helpers/billing-cash.ts";

async function pdfText(bytes: Uint8Array) {
  const task = getDocument({ data: bytes.slice() });
  const pdf = await task.promise;
  try {
    const page = await pdf.getPage(1);
    // deno-lint-ignore no-explicit-any
    return (await page.getTextContent()).items.map((i: any) => i.str).join("\n");
  } finally {
    await task.destroy();
  }
}

Deno.test("payments", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);
  const reception = await org.tokenFor("RECEPTION");
  const finance = await org.tokenFor("FINANCE");
  const patient = await createPatient(app, org.admin, { givenName: "Zoë" });
  const pay = (body: Record<string, unknown>, token = reception) =>
    app.call("POST", "/api/v1/payments", { token, body });
  const invoiceOf = (amount: number) =>
    issuedInvoice(app, org, {
      patientId: patient.id,
      lines: [{ description: "Consultation", unitAmount: amount }],
    });

  await t.step("part in cash, the rest by mobile money: partially paid, then paid", async () => {
    const inv = await invoiceOf(100000);
    const cash = await pay({ invoiceId: inv.id, method: "cash", amount: 40000 });
    assert.equal(cash.status, 201, JSON.stringify(cash.body));
    assert.match(cash.body.receiptNumber, /^RCT-\d{4}-\d{5}$/);
    assert.deepEqual(
      [cash.body.invoice.status, cash.body.invoice.paid, cash.body.invoice.balance],
      ["partially_paid", 40000, 60000],
    );
    assert.equal(cash.body.currency, "KES");
    const mm = await pay({
      invoiceId: inv.id,
      method: "mobile_money",
      amount: 60000,
      provider: "M-Pesa",
      reference: "QK7H2LM9XZ",
    });
    assert.equal(mm.status, 201, JSON.stringify(mm.body));
    assert.deepEqual([mm.body.invoice.status, mm.body.invoice.balance], ["paid", 0]);
    assert.notEqual(mm.body.receiptNumber, cash.body.receiptNumber);
    const read = await app.call("GET", `/api/v1/invoices/${inv.id}`, { token: reception });
    assert.deepEqual([read.body.status, read.body.paid], ["paid", 100000]);
    const paidAgain = await pay({ invoiceId: inv.id, method: "cash", amount: 1 });
    assert.equal(paidAgain.status, 409);
    const list = await app.call("GET", `/api/v1/payments?invoiceId=${inv.id}`, {
      token: reception,
    });
    assert.equal(list.body.data.length, 2);
  });

  await t.step("a mobile-money reference is unique per provider; both are required", async () => {
    const inv = await invoiceOf(50000);
    const missing = await pay({ invoiceId: inv.id, method: "mobile_money", amount: 100 });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.errors.map((e: any) => e.path).sort(), ["provider", "reference"]);
    const again = await pay({
      invoiceId: inv.id,
      method: "mobile_money",
      amount: 100,
      provider: "M-Pesa",
      reference: "QK7H2LM9XZ",
    });
    assert.equal(again.status, 409);
    const otherProvider = await pay({
      invoiceId: inv.id,
      method: "mobile_money",
      amount: 100,
      provider: "Airtel Money",
      reference: "QK7H2LM9XZ",
    });
    assert.equal(otherProvider.status, 201);
  });

  await t.step("draft and void invoices cannot be paid", async () => {
    const draft = await app.call("POST", "/api/v1/invoices", {
      token: org.admin,
      body: { patientId: patient.id, lines: [{ description: "X", quantity: 1, unitAmount: 500 }] },
    });
    assert.equal(draft.status, 201);
    assert.equal(
      (await pay({ invoiceId: draft.body.id, method: "cash", amount: 100 })).status,
      409,
    );
    const voided = await invoiceOf(700);
    const v = await app.call("POST", `/api/v1/invoices/${voided.id}/void`, {
      token: org.admin,
      body: { reason: "Entered twice" },
    });
    assert.equal(v.status, 200, JSON.stringify(v.body));
    assert.equal((await pay({ invoiceId: voided.id, method: "cash", amount: 100 })).status, 409);
    const unknown = await pay({ invoiceId: crypto.randomUUID(), method: "cash", amount: 100 });
    assert.equal(unknown.status, 422);
  });

  await t.step("more than the balance: 409, or the excess kept as credit and spent", async () => {
    const inv = await invoiceOf(30000);
    const over = await pay({ invoiceId: inv.id, method: "cash", amount: 35000 });
    assert.equal(over.status, 409);
    const kept = await pay({ invoiceId: inv.id, method: "cash", amount: 35000, allowCredit: true });
    assert.equal(kept.status, 201, JSON.stringify(kept.body));
    assert.equal(kept.body.toCredit, 5000);
    assert.deepEqual([kept.body.invoice.status, kept.body.invoice.paid], ["paid", 30000]);
    const credit = await app.call("GET", `/api/v1/patient-credits?patientId=${patient.id}`, {
      token: reception,
    });
    assert.equal(credit.body.balance, 5000);
    const next = await invoiceOf(8000);
    const tooMuch = await pay({ invoiceId: next.id, method: "credit", amount: 6000 });
    assert.equal(tooMuch.status, 409);
    const spent = await pay({ invoiceId: next.id, method: "credit", amount: 5000 });
    assert.equal(spent.status, 201);
    assert.equal(spent.body.invoice.balance, 3000);
    const after = await app.call("GET", `/api/v1/patient-credits?patientId=${patient.id}`, {
      token: reception,
    });
    assert.equal(after.body.balance, 0);
  });

  await t.step("ten cashiers paying one invoice at once never take more than it", async () => {
    const inv = await invoiceOf(100000);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => pay({ invoiceId: inv.id, method: "cash", amount: 30000 })),
    );
    const ok = answers.filter((a) => a.status === 201).length;
    assert.equal(ok, 3);
    assert.ok(answers.every((a) => a.status === 201 || a.status === 409));
    const read = await app.call("GET", `/api/v1/invoices/${inv.id}`, { token: reception });
    assert.equal(read.body.paid, 90000);
    const receipts = new Set(
      answers.filter((a) => a.status === 201).map((a) => a.body.receiptNumber),
    );
    assert.equal(receipts.size, 3);
  });

  await t.step("a refund is asked for, approved by an admin, and paid back", async () => {
    const inv = await invoiceOf(20000);
    const p = await pay({ invoiceId: inv.id, method: "cash", amount: 20000 });
    const denied = await app.call("POST", `/api/v1/payments/${p.body.id}/refunds`, {
      token: reception,
      body: { amount: 5000, reason: "Lab test not done" },
    });
    assert.equal(denied.status, 403);
    const tooMuch = await app.call("POST", `/api/v1/payments/${p.body.id}/refunds`, {
      token: finance,
      body: { amount: 20001, reason: "x" },
    });
    assert.equal(tooMuch.status, 409);
    const asked = await app.call("POST", `/api/v1/payments/${p.body.id}/refunds`, {
      token: finance,
      body: { amount: 5000, reason: "Lab test not done" },
    });
    assert.equal(asked.status, 201, JSON.stringify(asked.body));
    assert.equal(asked.body.status, "requested");
    const second = await app.call("POST", `/api/v1/payments/${p.body.id}/refunds`, {
      token: finance,
      body: { amount: 16000, reason: "x" },
    });
    assert.equal(second.status, 409, "a waiting request counts against the payment");
    const financeApproves = await app.call("POST", `/api/v1/refunds/${asked.body.id}/approve`, {
      token: finance,
      body: {},
    });
    assert.equal(financeApproves.status, 403);
    const ok = await app.call("POST", `/api/v1/refunds/${asked.body.id}/approve`, {
      token: org.admin,
      body: { note: "Checked" },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.status, "approved");
    const back = await app.call("GET", `/api/v1/payments/${ok.body.refundPaymentId}`, {
      token: reception,
    });
    assert.deepEqual([back.body.amount, back.body.method, back.body.refundId], [
      -5000,
      "cash",
      asked.body.id,
    ]);
    const read = await app.call("GET", `/api/v1/invoices/${inv.id}`, { token: reception });
    assert.deepEqual([read.body.status, read.body.paid], ["partially_paid", 15000]);
    const twice = await app.call("POST", `/api/v1/refunds/${asked.body.id}/approve`, {
      token: org.admin,
      body: {},
    });
    assert.equal(twice.status, 409);
    const rejected = await app.call("POST", `/api/v1/payments/${p.body.id}/refunds`, {
      token: finance,
      body: { amount: 1000, reason: "Asked twice" },
    });
    const no = await app.call("POST", `/api/v1/refunds/${rejected.body.id}/reject`, {
      token: org.admin,
      body: { note: "Not due" },
    });
    assert.equal(no.body.status, "rejected");
    const voidWithPayments = await app.call("POST", `/api/v1/invoices/${inv.id}/void`, {
      token: org.admin,
      body: { reason: "Entered twice" },
    });
    assert.equal(voidWithPayments.status, 409);
  });

  await t.step("a reversal is a negative payment dated today, once", async () => {
    const inv = await invoiceOf(10000);
    const p = await pay({ invoiceId: inv.id, method: "card", amount: 10000, provider: "Visa" });
    const rev = await app.call("POST", `/api/v1/payments/${p.body.id}/reverse`, {
      token: finance,
      body: { reason: "Was paid in cash" },
    });
    assert.equal(rev.status, 201, JSON.stringify(rev.body));
    assert.deepEqual([rev.body.amount, rev.body.reversesPaymentId, rev.body.invoice.status], [
      -10000,
      p.body.id,
      "issued",
    ]);
    const again = await app.call("POST", `/api/v1/payments/${p.body.id}/reverse`, {
      token: finance,
      body: { reason: "again" },
    });
    assert.equal(again.status, 409);
  });

  await t.step(
    "the receipt PDF names the receipt, the patient, the amount and method",
    async () => {
      const inv = await invoiceOf(150050);
      const p = await pay({
        invoiceId: inv.id,
        method: "mobile_money",
        amount: 150050,
        provider: "M-Pesa",
        reference: "RCPT12345",
      });
      const res = await app.app.request(`/api/v1/payments/${p.body.id}/receipt.pdf`, {
        headers: { authorization: `Bearer ${reception}` },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/pdf");
      const text = await pdfText(new Uint8Array(await res.arrayBuffer()));
      // The time is the clinic's (the test organisation's zone), not UTC.
      const { timezone } = (await app.call("GET", "/api/v1/organizations/current", {
        token: org.admin,
      })).body;
      const local = new Intl.DateTimeFormat("en-CA", {
        timeZone: timezone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).format(new Date(p.body.at)).replace(",", "");
      for (
        const s of [
          p.body.receiptNumber,
          "Zoë",
          "KES 1,500.50",
          "Mobile money",
          "RCPT12345",
          `${local} (${timezone})`,
        ]
      ) {
        assert.ok(text.includes(s), `${s} not in ${text}`);
      }
    },
  );

  await t.step("a doctor takes no payments", async () => {
    const inv = await invoiceOf(100);
    const res = await pay(
      { invoiceId: inv.id, method: "cash", amount: 100 },
      await org.tokenFor("DOCTOR"),
    );
    assert.equal(res.status, 403);
  });

  await app.close();
});
