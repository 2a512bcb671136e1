/**
 * Charges nobody types: a visit started becomes its consultation, dispensed medicines their
 * lines, a cancelled visit and a returned item their reversals; after an invoice is issued a
 * late charge opens a new draft; an over-the-counter sale is a cash-sale invoice of its own. The
 * insurer's share is checked by hand, and a charge delivered twice (or twice at once) is one line.
 */
import assert from "node:assert/strict";
import type { Actor } from "../src/lib/context.ts";
import { billingListeners } from "../src/modules/billing/listeners.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";

Deno.test("charges from what happened", async (t) => {
  const app = await createTestApp({ ACCESS_TOKEN_TTL_SECONDS: "3600" });
  try {
    const org = await createOrg(app);
    const [reception, doctor, pharmacy, finance] = await Promise.all(
      (["RECEPTION", "DOCTOR", "PHARMACY", "FINANCE"] as const).map((r) => org.tokenFor(r)),
    );
    const api = (token: string) => (method: string, path: string, body?: unknown) =>
      app.call(method, `/api/v1${path}`, { token, body });
    const asAdmin = api(org.admin);
    const asFinance = api(finance);
    const asRx = api(pharmacy);
    type Res = { status: number; body: any };
    const created = async (pending: Res | Promise<Res>, status = 201) => {
      const res = await pending;
      assert.equal(res.status, status, JSON.stringify(res.body));
      return res.body;
    };
    const price = (body: Record<string, unknown>) =>
      created(asFinance("POST", "/prices", { currency: "KES", validFrom: "2020-01-01", ...body }));

    const walkInCash = await price({
      code: "CONS-WI",
      name: "Walk-in consultation",
      kind: "consultation",
      encounterType: "walk_in",
      amount: 150000,
    });
    await price({ code: "CONS", name: "Consultation", kind: "consultation", amount: 100000 });
    await price({
      code: "CONS-WI",
      name: "Walk-in consultation (AAR)",
      kind: "consultation",
      encounterType: "walk_in",
      payer: "AAR",
      amount: 123457,
    });
    const med = async (body: Record<string, unknown>) =>
      await created(asRx("POST", "/medications", {
        form: "tablet",
        unit: "tablet",
        reorderLevel: 1,
        prescriptionRequired: false,
        ...body,
      }));
    const amoxicillin = await med({
      name: "Amoxil 500 mg",
      genericName: "amoxicillin",
      unitPrice: 35,
    });
    const paracetamol = await med({
      name: "Panadol 500 mg",
      genericName: "paracetamol",
      unitPrice: 20,
    });
    await price({
      code: "AMX500",
      name: "Amoxicillin 500 mg",
      kind: "medicine",
      medicationId: amoxicillin.id,
      amount: 5000,
    });
    await created(asRx("POST", "/stock/receipts", {
      items: [amoxicillin, paracetamol].map((m, i) => ({
        medicationId: m.id,
        batchNumber: `B-${i}`,
        expiryDate: "2031-01-31",
        quantity: 500,
        unitCost: 5,
      })),
    }));

    const visit = async (patientId: string) => {
      const v = await created(
        api(reception)("POST", "/encounters", {
          patientId,
          facilityId: org.facilityId,
        }),
      );
      await created(api(doctor)("POST", `/encounters/${v.id}/start`), 200);
      return v;
    };
    const invoicesOf = async (encounterId: string) =>
      (await created(asAdmin("GET", `/invoices?encounterId=${encounterId}`), 200)).data;

    const patient = await createPatient(app, reception);
    let walkIn: any;
    let rx: any;
    let firstSale: any;
    let invoiceId = "";
    await t.step("a walk-in started gets a consultation priced by its type", async () => {
      walkIn = await visit(patient.id);
      const [inv] = await invoicesOf(walkIn.id);
      assert.equal(inv.status, "draft");
      assert.equal(inv.kind, "encounter");
      assert.equal(inv.patientId, patient.id);
      assert.match(inv.number, /^INV-\d{4}-\d{5}$/);
      assert.equal(inv.lines.length, 1);
      assert.equal(inv.lines[0].sourceType, "encounter");
      assert.equal(inv.lines[0].unitAmount, 150000, "the walk-in price, not the general one");
      assert.equal(inv.lines[0].priceItemId, walkInCash.id);
      assert.equal(inv.total, 150000);
      assert.equal(inv.currency, "KES");
      invoiceId = inv.id;
    });

    await t.step("dispensing against its prescription adds the medicines", async () => {
      rx = await created(
        api(doctor)("POST", "/prescriptions", {
          encounterId: walkIn.id,
          items: ["amoxicillin", "paracetamol"].map((g) => ({
            medication: `${g} 500 mg`,
            genericName: g,
            dose: 1,
            unit: "tablet",
            route: "oral",
            frequency: { timesPerDay: 3 },
            durationDays: 5,
          })),
        }),
      );
      const d = await created(asRx("POST", "/dispensations", {
        prescriptionId: rx.id,
        items: [
          { medicationId: amoxicillin.id, quantity: 10 },
          { medicationId: paracetamol.id, quantity: 15 },
        ],
      }));
      assert.equal(d.prescriptionStatus, "partially_dispensed");
      firstSale = d;
      const [inv] = await invoicesOf(walkIn.id);
      assert.equal(inv.id, invoiceId, "on the visit's open invoice");
      const byName = Object.fromEntries(inv.lines.map((l: any) => [l.description, l]));
      assert.equal(byName["Amoxil 500 mg"].unitAmount, 5000, "the list price");
      assert.equal(byName["Amoxil 500 mg"].amount, 50000);
      assert.equal(byName["Panadol 500 mg"].unitAmount, 20, "no list price: the catalogue's");
      assert.equal(byName["Panadol 500 mg"].amount, 300);
      assert.equal(inv.total, 150000 + 50000 + 300);
    });

    await t.step("a returned item is reversed by a negative line", async () => {
      const amx = firstSale.items.find((i: any) => i.medicationId === amoxicillin.id);
      await created(asRx("POST", `/dispensations/${firstSale.id}/returns`, {
        items: [{ batchId: amx.batchId, quantity: 2 }],
        reason: "Allergy noticed",
      }));
      const [inv] = await invoicesOf(walkIn.id);
      const reversal = inv.lines.find((l: any) => l.reversesLineId);
      assert.ok(reversal, JSON.stringify(inv.lines));
      assert.equal(reversal.quantity, -2);
      assert.equal(reversal.amount, -10000);
      assert.equal(inv.total, 150000 + 50000 + 300 - 10000);
    });

    await t.step("after issue, a late charge or reversal goes on a new draft", async () => {
      const issued = await created(asAdmin("POST", `/invoices/${invoiceId}/issue`), 200);
      assert.equal(issued.status, "issued");
      assert.ok(issued.issuedOn);
      await created(asRx("POST", "/dispensations", {
        prescriptionId: rx.id,
        items: [{ medicationId: amoxicillin.id, quantity: 5 }],
      }));
      const all = await invoicesOf(walkIn.id);
      assert.equal(all.length, 2);
      const draft = all.find((i: any) => i.status === "draft");
      assert.notEqual(draft.id, invoiceId);
      assert.deepEqual(draft.lines.map((l: any) => [l.description, l.amount]), [
        ["Amoxil 500 mg", 25000],
      ]);
      const amx = firstSale.items.find((i: any) => i.medicationId === amoxicillin.id);
      await created(asRx("POST", `/dispensations/${firstSale.id}/returns`, {
        items: [{ batchId: amx.batchId, quantity: 1 }],
        reason: "One more back",
      }));
      const after = await invoicesOf(walkIn.id);
      assert.equal(after.length, 2, "the visit's new draft takes the reversal too");
      const redraft = after.find((i: any) => i.status === "draft");
      assert.deepEqual(redraft.lines.map((l: any) => l.amount), [25000, -5000]);
      const first = after.find((i: any) => i.id === invoiceId);
      assert.equal(first.total, issued.total, "the issued invoice is untouched");
      assert.equal(first.lines.length, issued.lines.length);
    });

    await t.step("a cancelled visit's consultation is reversed", async () => {
      const other = await createPatient(app, reception);
      const v = await visit(other.id);
      await created(api(reception)("POST", `/encounters/${v.id}/cancel`, { reason: "Left" }), 200);
      const [inv] = await invoicesOf(v.id);
      assert.deepEqual(inv.lines.map((l: any) => l.amount), [150000, -150000]);
      assert.equal(inv.lines[1].reversesLineId, inv.lines[0].id);
      assert.equal(inv.total, 0);
    });

    await t.step("over the counter: a cash-sale invoice of its own", async () => {
      await created(asRx("POST", "/dispensations", {
        items: [{ medicationId: paracetamol.id, quantity: 4 }],
      }));
      const page = await created(asAdmin("GET", "/invoices?kind=cash_sale"), 200);
      const inv = page.data.find((i: any) =>
        i.lines.some((l: any) => l.description === "Panadol 500 mg" && l.quantity === 4)
      );
      assert.ok(inv);
      assert.equal(inv.kind, "cash_sale");
      assert.equal(inv.encounterId, null);
      assert.equal(inv.total, 80);
    });

    await t.step("insurance splits each line: floor(amount × 80 / 100)", async () => {
      const insured = await createPatient(app, reception, {
        insurance: [
          {
            provider: "Old Co",
            memberNumber: "X",
            coveragePercent: 100,
            scheme: "private",
            validUntil: "2020-12-31",
            primary: true,
          },
          {
            provider: "AAR",
            memberNumber: "AAR-77",
            coveragePercent: 80,
            scheme: "private",
            primary: true,
          },
        ],
      });
      const v = await visit(insured.id);
      const [inv] = await invoicesOf(v.id);
      assert.deepEqual(inv.insurance, {
        provider: "AAR",
        memberNumber: "AAR-77",
        coveragePercent: 80,
        scheme: "private",
      });
      // The insurer's own price: 123457 × 80 / 100 = 98765.6 → 98765; the patient pays 24692.
      assert.equal(inv.lines[0].unitAmount, 123457);
      assert.equal(inv.lines[0].coveredAmount, 98765);
      assert.equal(inv.lines[0].copay, 24692);
      const more = await created(
        asAdmin("POST", `/invoices/${inv.id}/lines`, {
          lines: [{ description: "Dressing", quantity: 1, unitAmount: 999 }],
        }),
        200,
      );
      // 999 × 0.8 = 799.2 → 799.
      assert.equal(more.lines[1].coveredAmount, 799);
      assert.equal(more.covered, 98765 + 799);
      assert.equal(more.total, 123457 + 999);
      assert.equal(more.patientDue, 24692 + 200);
    });

    await t.step("a price change never alters an issued invoice", async () => {
      const other = await createPatient(app, reception);
      const v = await visit(other.id);
      const [inv] = await invoicesOf(v.id);
      await created(asAdmin("POST", `/invoices/${inv.id}/issue`), 200);
      const read = await app.call("GET", `/api/v1/prices/${walkInCash.id}`, { token: doctor });
      assert.equal(read.status, 200, "a doctor sees the price list");
      const changed = await app.call("PATCH", `/api/v1/prices/${walkInCash.id}`, {
        token: finance,
        headers: { "if-match": read.headers.get("etag")! },
        body: { amount: 175000 },
      });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.notEqual(changed.body.id, walkInCash.id, "a new row from today");
      assert.equal(changed.body.amount, 175000);
      const old = await created(asAdmin("GET", `/prices/${walkInCash.id}`), 200);
      assert.ok(old.validUntil, "the old row is closed");
      const stale = await app.call("PATCH", `/api/v1/prices/${walkInCash.id}`, {
        token: finance,
        headers: { "if-match": read.headers.get("etag")! },
        body: { amount: 1 },
      });
      assert.equal(stale.status, 412);
      const again = await created(asAdmin("GET", `/invoices/${inv.id}`), 200);
      assert.equal(again.lines[0].unitAmount, 150000);
      assert.equal(again.total, 150000);
      const next = await visit((await createPatient(app, reception)).id);
      assert.equal((await invoicesOf(next.id))[0].lines[0].unitAmount, 175000);
    });

    const actorOf = async (): Promise<Actor> => ({
      userId: await org.userIdFor("DOCTOR"),
      orgId: org.id,
      role: "DOCTOR",
      facilityId: org.facilityId,
      requestId: "test",
      ip: null,
      userAgent: null,
    });

    await t.step("a visit type without a price: a zero line flagged unpriced", async () => {
      const prices = await created(asAdmin("GET", "/prices?kind=consultation&payer=cash"), 200);
      for (const p of prices.data.filter((p: any) => !p.encounterType && p.active)) {
        const r = await app.call("GET", `/api/v1/prices/${p.id}`, { token: finance });
        await created(
          await app.call("PATCH", `/api/v1/prices/${p.id}`, {
            token: finance,
            headers: { "if-match": r.headers.get("etag")! },
            body: { active: false },
          }),
          200,
        );
      }
      const a = await actorOf();
      await app.deps.db.transaction((tx) =>
        billingListeners["encounter.started"](app.deps, tx, a, {
          name: "encounter.started",
          orgId: org.id,
          at: new Date().toISOString(),
          payload: { encounterId: crypto.randomUUID(), patientId: patient.id, type: "antenatal" },
        })
      );
      const page = await created(asAdmin("GET", `/invoices?patientId=${patient.id}`), 200);
      const line = page.data.flatMap((i: any) => i.lines).find((l: any) => l.unpriced);
      assert.ok(line, "flagged");
      assert.equal(line.amount, 0);
      assert.match(line.description, /no price/);
    });

    await t.step("the same charge delivered twice, or twice at once, is one line", async () => {
      const a = await actorOf();
      const event = {
        name: "encounter.started",
        orgId: org.id,
        at: new Date().toISOString(),
        payload: { encounterId: crypto.randomUUID(), patientId: patient.id, type: "walk_in" },
      };
      const deliver = () =>
        app.deps.db.transaction((tx) =>
          billingListeners["encounter.started"](app.deps, tx, a, event)
        );
      await Promise.all([deliver(), deliver(), deliver()]);
      await deliver();
      const list = await invoicesOf(event.payload.encounterId);
      assert.equal(list.length, 1);
      assert.equal(list[0].lines.length, 1);
    });
  } finally {
    await app.close();
  }
});
