/**
 * Insurance claims: gathered from the insurer's share of issued invoices, each line claimed
 * once; submitted, decided (a shortfall becomes the patient's), paid onto the invoices, and
 * exported for the insurer.
 */
import assert from "node:assert/strict";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";
import { issuedInvoice } from "./helpers/billing-cash.ts";
import { unzipSync } from "fflate";

Deno.test("insurance claims", async (t) => {
  const app = await createTestApp();
  const org = await createOrg(app);
  const finance = await org.tokenFor("FINANCE");
  const insured = () =>
    createPatient(app, org.admin, {
      insurance: [{
        provider: "NHIF",
        memberNumber: `NH-${crypto.randomUUID().slice(0, 6)}`,
        coveragePercent: 80,
        scheme: "public",
        primary: true,
      }],
    });
  const call = (method: string, path: string, body?: unknown) =>
    app.call(method, `/api/v1${path}`, { token: finance, body });
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Africa/Nairobi" }).format(new Date());
  const a = await insured(), b = await insured();
  const invA = await issuedInvoice(app, org, {
    patientId: a.id,
    lines: [{ description: "Consultation", unitAmount: 10000 }, {
      description: "X-ray",
      unitAmount: 5001,
    }],
  });
  const invB = await issuedInvoice(app, org, {
    patientId: b.id,
    lines: [{ description: "Consultation", unitAmount: 10000 }],
  });
  let claim: any;

  await t.step("a claim gathers the insurer's share, each line once", async () => {
    assert.equal(invA.covered, 8000 + 4000);
    const res = await call("POST", "/claims", {
      provider: "NHIF",
      periodFrom: today,
      periodTo: today,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    claim = res.body;
    assert.match(claim.number, /^CLM-\d{4}-\d{5}$/);
    assert.deepEqual([claim.status, claim.claimed, claim.lines.length], ["draft", 20000, 3]);
    const again = await call("POST", "/claims", {
      provider: "NHIF",
      periodFrom: today,
      periodTo: today,
    });
    assert.equal(again.status, 422, "nothing left to claim");
    const other = await call("POST", "/claims", {
      provider: "AAR",
      encounterId: crypto.randomUUID(),
    });
    assert.equal(other.status, 422);
  });

  await t.step("decided only once submitted; a shortfall becomes the patient's", async () => {
    const early = await call("POST", `/claims/${claim.id}/decide`, { status: "approved" });
    assert.equal(early.status, 409);
    assert.equal((await call("POST", `/claims/${claim.id}/submit`)).status, 200);
    const bLine = claim.lines.find((l: any) => l.invoiceId === invB.id);
    const decided = await call("POST", `/claims/${claim.id}/decide`, {
      status: "partially_approved",
      lines: claim.lines.map((l: any) => ({
        lineId: l.id,
        approved: l.id === bLine.id ? 6000 : l.claimed,
      })),
    });
    assert.equal(decided.status, 200, JSON.stringify(decided.body));
    assert.deepEqual([decided.body.status, decided.body.approved], ["partially_approved", 18000]);
    const readB = await call("GET", `/invoices/${invB.id}`);
    assert.equal(readB.body.covered, 6000);
    assert.equal(readB.body.patientDue, 4000);
  });

  await t.step("the insurer's payment goes onto the invoices", async () => {
    const tooMuch = await call("POST", `/claims/${claim.id}/pay`, { amount: 18001 });
    assert.equal(tooMuch.status, 422);
    const paid = await call("POST", `/claims/${claim.id}/pay`, { amount: 18000 });
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    assert.equal(paid.body.status, "paid");
    const readA = await call("GET", `/invoices/${invA.id}`);
    assert.deepEqual([readA.body.paid, readA.body.status], [12000, "partially_paid"]);
    const pays = await call("GET", `/payments?invoiceId=${invB.id}`);
    assert.deepEqual(
      pays.body.data.map((p: any) => [p.method, p.amount, p.provider, p.reference]),
      [["insurance", 6000, "NHIF", claim.number]],
    );
    const again = await call("POST", `/claims/${claim.id}/pay`, { amount: 1 });
    assert.equal(again.status, 409);
  });

  await t.step("the claim exports as CSV and XLSX", async () => {
    const csv = await call("GET", `/claims/${claim.id}/export?format=csv`);
    assert.equal(csv.status, 200);
    const lines = String(csv.body).trim().split("\n");
    assert.equal(lines.length, 4);
    assert.match(lines[0], /claim,provider,invoice/);
    assert.ok(lines.some((l) => l.includes(invB.number) && l.includes(",10000,8000,6000,")));
    const res = await app.app.request(`/api/v1/claims/${claim.id}/export?format=xlsx`, {
      headers: { authorization: `Bearer ${finance}` },
    });
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const strings = new TextDecoder().decode(
      files["xl/sharedStrings.xml"] ?? files["xl/worksheets/sheet1.xml"],
    );
    assert.ok(strings.includes(invB.number), strings.slice(0, 300));
  });

  await t.step("reception neither reads nor writes claims", async () => {
    const res = await app.call("GET", `/api/v1/claims/${claim.id}`, {
      token: await org.tokenFor("RECEPTION"),
    });
    assert.equal(res.status, 403);
  });

  await app.close();
});
