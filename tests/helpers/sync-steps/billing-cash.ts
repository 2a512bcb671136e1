import assert from "node:assert/strict";
import type { ClinicSteps } from "./types.ts";

/**
 * Writes the cash desk's tables at a clinic replica: an issued invoice paid part in cash with
 * an overpayment kept as credit, then by mobile money on another; a refund asked and approved;
 * an expense; the day's close; and an insurance claim with its lines.
 */
export async function billingCashAtClinic(c: ClinicSteps): Promise<void> {
  const ok = (res: { status: number; body: unknown }, status: number, what: string) =>
    assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
  const member = await c.asAdmin("POST", "/patients", {
    givenName: "Neema",
    familyName: "Insured",
    birthDate: "1985-05-05",
    sex: "female",
    allowDuplicate: true,
    insurance: [{
      provider: "NHIF",
      memberNumber: "NH-SYNC-1",
      coveragePercent: 50,
      scheme: "public",
      primary: true,
    }],
  });
  ok(member, 201, "insured patient");
  const invoice = async (amount: number, patientId = c.patientId) => {
    const made = await c.asAdmin("POST", "/invoices", {
      patientId,
      lines: [{ description: "Dressing", quantity: 1, unitAmount: amount }],
    });
    ok(made, 201, "invoice");
    const issued = await c.asAdmin("POST", `/invoices/${made.body.id}/issue`);
    ok(issued, 200, "issue");
    return issued.body;
  };
  const first = await invoice(20000);
  const cash = await c.asAdmin("POST", "/payments", {
    invoiceId: first.id,
    method: "cash",
    amount: first.total + 500,
    allowCredit: true,
  });
  ok(cash, 201, "cash payment with credit");
  const second = await invoice(10000);
  const mm = await c.asAdmin("POST", "/payments", {
    invoiceId: second.id,
    method: "mobile_money",
    amount: 3000,
    provider: "M-Pesa",
    reference: `SYNC${crypto.randomUUID().slice(0, 8)}`,
  });
  ok(mm, 201, "mobile money payment");
  const refund = await c.asAdmin("POST", `/payments/${mm.body.id}/refunds`, {
    amount: 1000,
    reason: "Overcharged",
  });
  ok(refund, 201, "refund request");
  ok(
    await c.asAdmin("POST", `/refunds/${refund.body.id}/approve`, { note: "Yes" }),
    200,
    "refund approval",
  );
  ok(
    await c.asAdmin("POST", "/expenses", {
      category: "transport",
      amount: 500,
      description: "Courier",
    }),
    201,
    "expense",
  );
  {
    await invoice(8000, member.body.id);
    const claim = await c.asAdmin("POST", "/claims", {
      provider: "NHIF",
      periodFrom: "2000-01-01",
      periodTo: "2100-12-31",
    });
    ok(claim, 201, "claim");
    ok(await c.asAdmin("POST", `/claims/${claim.body.id}/submit`), 200, "claim submit");
  }
  const today = cash.body.localDate;
  ok(
    await c.asAdmin("POST", "/cash-ups", { date: today, counted: { cash: 0 } }),
    201,
    "cash-up",
  );
}
