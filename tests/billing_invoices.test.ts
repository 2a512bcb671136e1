/**
 * Invoices by hand: numbered INV-YYYY-NNNNN (distinct and consecutive however many are made at
 * once), lines from the price list or typed, discounts and waivers with who and why on a draft
 * only, issue, void (never with payments), credit notes as the only change once issued, the
 * PDF, and who may see what.
 */
import assert from "node:assert/strict";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";

async function pdfText(bytes: Uint8Array) {
  const task = getDocument({ data: bytes.slice() });
  const pdf = await task.promise;
  try {
    const words: string[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const content = await (await pdf.getPage(n)).getTextContent();
      words.push(...content.items.map((i: any) => i.str));
    }
    return words.join(" ");
  } finally {
    await task.destroy();
  }
}

Deno.test("invoices", async (t) => {
  const app = await createTestApp({ ACCESS_TOKEN_TTL_SECONDS: "3600" });
  try {
    const org = await createOrg(app);
    const [reception, doctor, finance] = await Promise.all(
      (["RECEPTION", "DOCTOR", "FINANCE"] as const).map((r) => org.tokenFor(r)),
    );
    type Res = { status: number; body: any; headers: Headers };
    const call = (token: string, method: string, path: string, body?: unknown) =>
      app.call(method, `/api/v1${path}`, { token, body });
    const ok = async (pending: Promise<Res>, status = 200) => {
      const res = await pending;
      assert.equal(res.status, status, JSON.stringify(res.body));
      return res.body;
    };
    const patient = await createPatient(app, reception, {
      givenName: "Zoë",
      insurance: [{
        provider: "NHIF",
        memberNumber: "N-123",
        coveragePercent: 50,
        scheme: "public",
        primary: true,
      }],
    });
    const dressing = await ok(
      call(finance, "POST", "/prices", {
        code: "DRS",
        name: "Wound dressing",
        kind: "procedure",
        amount: 50001,
        currency: "KES",
      }),
      201,
    );

    await t.step("prices are in the organisation's currency", async () => {
      const usd = await call(finance, "POST", "/prices", {
        code: "X",
        name: "Dollars",
        kind: "other",
        amount: 100,
        currency: "USD",
      });
      assert.equal(usd.status, 422);
      assert.equal(usd.body.errors[0].path, "currency");
      const float = await call(finance, "POST", "/prices", {
        code: "X",
        name: "Float",
        kind: "other",
        amount: 1.5,
        currency: "KES",
      });
      assert.equal(float.status, 400, "money is never a float");
      assert.equal((await call(doctor, "POST", "/prices", {})).status, 403);
      const list = await ok(call(doctor, "GET", "/prices?q=dressing"));
      assert.deepEqual(list.data.map((p: any) => p.id), [dressing.id]);
    });

    let inv: any;
    await t.step("a manual invoice: lines from the price list or typed", async () => {
      inv = await ok(
        call(reception, "POST", "/invoices", {
          patientId: patient.id,
          lines: [
            { description: "Dressing", quantity: 2, priceItemId: dressing.id },
            { description: "Syringe", quantity: 3, unitAmount: 333 },
          ],
        }),
        201,
      );
      assert.match(inv.number, /^INV-\d{4}-\d{5}$/);
      assert.equal(inv.status, "draft");
      assert.equal(inv.kind, "manual");
      assert.deepEqual(inv.lines.map((l: any) => [l.amount, l.coveredAmount]), [
        [100002, 50001],
        [999, 499],
      ]);
      assert.equal(inv.subtotal, 101001);
      assert.equal(inv.total, 101001);
      assert.equal(inv.covered, 50500);
      assert.equal(inv.balance, 101001);
      const noAmount = await call(reception, "POST", "/invoices", {
        lines: [{ description: "?", quantity: 1 }],
      });
      assert.equal(noAmount.status, 422);
      assert.equal(noAmount.body.errors[0].path, "lines.0.unitAmount");
      const doctorRead = await call(doctor, "GET", `/invoices/${inv.id}`);
      assert.equal(doctorRead.status, 403, "a doctor sees no amounts owed");
    });

    await t.step("discounts: a permission, a reason, never below zero", async () => {
      const line = inv.lines[1];
      const byReception = await call(reception, "POST", `/invoices/${inv.id}/discount`, {
        amount: 10,
        reason: "Friend",
      });
      assert.equal(byReception.status, 403);
      const tooMuch = await call(finance, "POST", `/invoices/${inv.id}/discount`, {
        amount: 1000,
        lineId: line.id,
        reason: "Too much",
      });
      assert.equal(tooMuch.status, 422);
      // 12.5% of 999 = 124.875 → 125 (half up).
      const lined = await ok(call(finance, "POST", `/invoices/${inv.id}/discount`, {
        percent: 12.5,
        lineId: line.id,
        reason: "Bulk",
      }));
      assert.equal(lined.lines[1].discount, 125);
      assert.equal(lined.lines[1].amount, 874);
      assert.equal(lined.lines[1].coveredAmount, 437);
      const whole = await ok(call(finance, "POST", `/invoices/${inv.id}/discount`, {
        amount: 876,
        reason: "Round figure",
      }));
      assert.equal(whole.subtotal, 100876);
      assert.equal(whole.discount, 876);
      assert.equal(whole.total, 100000);
      assert.equal(whole.discountReason, "Round figure");
    });

    await t.step("a waiver is recorded with who and why, the line at zero", async () => {
      const extra = await ok(call(reception, "POST", `/invoices/${inv.id}/lines`, {
        lines: [{ description: "File fee", quantity: 1, unitAmount: 20000 }],
      }));
      const fee = extra.lines[2];
      const waived = await ok(call(finance, "POST", `/invoices/${inv.id}/lines/${fee.id}/waive`, {
        reason: "NHIF members pay no file fee",
      }));
      const line = waived.lines[2];
      assert.equal(line.amount, 0);
      assert.equal(line.coveredAmount, 0);
      assert.deepEqual(line.waived, {
        reason: "NHIF members pay no file fee",
        by: await org.userIdFor("FINANCE"),
      });
      assert.equal(waived.total, 100000);
    });

    await t.step("issue, then only credit notes change it", async () => {
      const issued = await ok(call(reception, "POST", `/invoices/${inv.id}/issue`));
      assert.equal(issued.status, "issued");
      const again = await call(reception, "POST", `/invoices/${inv.id}/issue`);
      assert.equal(again.status, 409);
      const more = await call(reception, "POST", `/invoices/${inv.id}/lines`, {
        lines: [{ description: "Late", quantity: 1, unitAmount: 1 }],
      });
      assert.equal(more.status, 409);
      const discount = await call(finance, "POST", `/invoices/${inv.id}/discount`, {
        amount: 1,
        reason: "Late",
      });
      assert.equal(discount.status, 409);
      const tooBig = await call(finance, "POST", `/invoices/${inv.id}/credit-notes`, {
        amount: 100001,
        reason: "Everything and more",
      });
      assert.equal(tooBig.status, 422);
      const note = await ok(
        call(finance, "POST", `/invoices/${inv.id}/credit-notes`, {
          reason: "One dressing was not done",
          lines: [{ lineId: inv.lines[0].id, description: "Dressing", amount: 50001 }],
        }),
        201,
      );
      assert.match(note.number, /^CN-\d{4}-00001$/);
      assert.equal(note.amount, 50001);
      const after = await ok(call(finance, "GET", `/invoices/${inv.id}`));
      assert.equal(after.credited, 50001);
      assert.equal(after.total, 100000 - 50001);
      assert.equal(after.subtotal - after.discount - after.credited, after.total);
      // The insurer's share falls in proportion: 50438 − round(50001 × 50438 / 100000) = 25218.
      assert.equal(after.covered, 25218);
      assert.equal(after.balance, after.total);
      const onDraft = await ok(call(reception, "POST", "/invoices", { lines: [] }), 201);
      const draftNote = await call(finance, "POST", `/invoices/${onDraft.id}/credit-notes`, {
        amount: 1,
        reason: "Nothing issued",
      });
      assert.equal(draftNote.status, 409);
      inv = after;
    });

    await t.step("the PDF names the clinic, number, patient, lines and figures", async () => {
      const res = await app.app.request(`/api/v1/invoices/${inv.id}/pdf`, {
        headers: { authorization: `Bearer ${finance}` },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/pdf");
      const bytes = new Uint8Array(await res.arrayBuffer());
      await Deno.writeFile(`${app.dir}/invoice.pdf`, bytes);
      const text = await pdfText(bytes);
      for (
        const word of [
          inv.number,
          "Zoë",
          patient.mrn,
          "Dressing",
          "Syringe",
          "NHIF",
          "Insurance share",
          "Balance",
          "1,000.02",
          "499.99",
          "KES",
        ]
      ) assert.ok(text.includes(word), `${word} in: ${text}`);
    });

    await t.step("void: a reason, ADMIN or FINANCE, and the list filters", async () => {
      const draft = await ok(
        call(reception, "POST", "/invoices", {
          lines: [{ description: "Mistake", quantity: 1, unitAmount: 5 }],
        }),
        201,
      );
      assert.equal(
        (await call(reception, "POST", `/invoices/${draft.id}/void`, {
          reason: "Typed twice",
        })).status,
        403,
      );
      const voided = await ok(call(finance, "POST", `/invoices/${draft.id}/void`, {
        reason: "Typed twice",
      }));
      assert.equal(voided.status, "void");
      assert.equal(voided.voidReason, "Typed twice");
      assert.equal(
        (await call(finance, "POST", `/invoices/${draft.id}/void`, { reason: "Again" })).status,
        409,
      );
      const voids = await ok(call(finance, "GET", "/invoices?status=void"));
      assert.deepEqual(voids.data.map((i: any) => i.id), [draft.id]);
      const mine = await ok(call(finance, "GET", `/invoices?patientId=${patient.id}&limit=1`));
      assert.equal(mine.data[0].id, inv.id);
    });

    await t.step("invoices made at once get distinct, consecutive numbers", async () => {
      const made = await Promise.all(
        Array.from({ length: 20 }, () =>
          call(reception, "POST", "/invoices", {
            lines: [{ description: "Race", quantity: 1, unitAmount: 1 }],
          })),
      );
      assert.ok(made.every((r) => r.status === 201), JSON.stringify(made.map((r) => r.body)));
      const seqs = made.map((r) => Number(r.body.number.slice(-5))).sort((a, b) => a - b);
      assert.equal(new Set(seqs).size, 20);
      assert.equal(seqs[19] - seqs[0], 19, "no gaps between them");
    });

    await t.step("another organisation sees none of it", async () => {
      const other = await createOrg(app);
      assert.equal((await call(other.admin, "GET", `/invoices/${inv.id}`)).status, 404);
      const list = await ok(call(other.admin, "GET", "/invoices"));
      assert.equal(list.data.length, 0);
    });
  } finally {
    await app.close();
  }
});
