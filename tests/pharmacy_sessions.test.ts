/**
 * Dispensing from the queue: prescriptions naming catalogue medications, the pharmacy's queue
 * of what is due, and dispensing sessions that scan packs against a prescription with a
 * running total, refuse a pack that is not on it, show what needs a second look, and dispense
 * once however many times "complete" is pressed at once.
 */
import assert from "node:assert/strict";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient, createStaff, login } from "./helpers/factories.ts";

Deno.test("dispensing from the queue", async (t) => {
  const app = await createTestApp({ ACCESS_TOKEN_TTL_SECONDS: "3600" });
  try {
    const org = await createOrg(app);
    const pharmacist = await createStaff(app, org.admin, "PHARMACY");
    const doctorUser = await createStaff(app, org.admin, "DOCTOR");
    const pharmacy = (await login(app, pharmacist.email)).accessToken;
    const doctor = (await login(app, doctorUser.email)).accessToken;
    const reception = await org.tokenFor("RECEPTION");
    const call = (method: string, path: string, body?: unknown, token = pharmacy) =>
      app.call(method, `/api/v1${path}`, { token, body });
    const ok = (res: { status: number; body: unknown }, status = 200) => {
      assert.equal(res.status, status, JSON.stringify(res.body));
      // deno-lint-ignore no-explicit-any
      return res.body as any;
    };

    const medication = async (body: Record<string, unknown>) =>
      ok(
        await call("POST", "/medications", {
          form: "capsule",
          unit: "capsule",
          reorderLevel: 10,
          prescriptionRequired: true,
          ...body,
        }),
        201,
      );
    const amoxil = await medication({
      name: "Amoxil 500 mg",
      genericName: "amoxicillin",
      unitPrice: 35,
      codes: ["8901234567001"],
    });
    const generic = await medication({
      name: "Amoxicillin 500 mg (generic)",
      genericName: "amoxicillin",
      unitPrice: 15,
      codes: ["8901234567002"],
    });
    const ors = await medication({
      name: "ORS sachet",
      genericName: "oral rehydration salts",
      form: "sachet",
      unit: "sachet",
      unitPrice: 50,
      prescriptionRequired: false,
      codes: ["8901234567003"],
    });
    ok(
      await call("POST", "/stock/receipts", {
        items: [amoxil, generic, ors].map((m, i) => ({
          medicationId: m.id,
          batchNumber: `B-${i}`,
          expiryDate: "2031-06-30",
          quantity: 40,
          unitCost: 5,
        })),
      }),
      201,
    );

    const patient = await createPatient(app, reception);
    const visit = ok(
      await call(
        "POST",
        "/encounters",
        { patientId: patient.id, facilityId: org.facilityId },
        reception,
      ),
      201,
    );
    const prescribe = (items: unknown[]) =>
      call("POST", "/prescriptions", { encounterId: visit.id, items }, doctor);
    const course = { dose: 1, unit: "capsule", route: "oral", frequency: { timesPerDay: 3 } };

    let rx: { id: string; number: string; items: { medicationId: string }[] };
    await t.step(
      "a prescription names a catalogue medication; its names come from it",
      async () => {
        rx = ok(await prescribe([{ medicationId: amoxil.id, ...course, durationDays: 5 }]), 201);
        assert.equal(rx.items[0].medicationId, amoxil.id);
        assert.deepEqual(
          [(rx.items[0] as never)["medication"], (rx.items[0] as never)["genericName"]],
          ["Amoxil 500 mg", "amoxicillin"],
        );
        const wrongGeneric = await prescribe([{
          medicationId: amoxil.id,
          genericName: "ibuprofen",
          ...course,
          durationDays: 5,
        }]);
        assert.equal(wrongGeneric.status, 422);
        assert.equal(wrongGeneric.body.errors[0].path, "items.0.genericName");
        const unknown = await prescribe([{
          medicationId: crypto.randomUUID(),
          ...course,
          durationDays: 5,
        }]);
        assert.equal(unknown.status, 422);
        assert.equal(unknown.body.errors[0].path, "items.0.medicationId");
        const nameless = await prescribe([{ ...course, durationDays: 5 }]);
        assert.equal(nameless.status, 400);
        assert.match(JSON.stringify(nameless.body), /items\.0\.medication/);
      },
    );

    await t.step("the queue shows what is due, newest first, to the pharmacy only", async () => {
      const older = ok(
        await prescribe([{
          medication: "Paracetamol 500 mg",
          genericName: "paracetamol",
          ...course,
          unit: "tablet",
          durationDays: 2,
        }]),
        201,
      );
      const page = ok(await call("GET", "/pharmacy/prescriptions?limit=1"));
      assert.equal(page.data.length, 1);
      assert.equal(page.data[0].id, older.id, "newest first");
      assert.equal(page.data[0].patient.id, patient.id);
      assert.ok(page.nextCursor);
      const next = ok(
        await call("GET", `/pharmacy/prescriptions?limit=1&cursor=${page.nextCursor}`),
      );
      assert.equal(next.data[0].id, rx.id);
      assert.deepEqual(
        next.data[0].items.map((i: Record<string, unknown>) => [i.prescribed, i.remaining]),
        [[15, 15]],
      );
      const byNumber = ok(await call("GET", `/pharmacy/prescriptions?number=${rx.number}`));
      assert.deepEqual(byNumber.data.map((e: { id: string }) => e.id), [rx.id]);
      assert.equal((await call("GET", "/pharmacy/prescriptions", undefined, doctor)).status, 403);
    });

    let sessionId = "";
    await t.step("scans build a running total; a pack not prescribed is refused", async () => {
      const session = ok(
        await call("POST", "/dispensing-sessions", { prescriptionId: rx.id }),
        201,
      );
      sessionId = session.id;
      assert.equal(session.status, "open");
      assert.equal(session.prescriptionNumber, rx.number);
      assert.equal(session.due[0].remaining, 15);
      const first = ok(
        await call("POST", `/dispensing-sessions/${sessionId}/scans`, {
          code: "8901234567001",
          quantity: 10,
        }),
      );
      assert.equal(first.scan.accepted, true);
      assert.equal(first.scan.warning, null);
      assert.deepEqual(first.totals, { quantity: 10, amount: 350, currency: "KES" });
      const wrong = ok(
        await call("POST", `/dispensing-sessions/${sessionId}/scans`, { code: "8901234567003" }),
      );
      assert.equal(wrong.scan.accepted, false);
      assert.equal(wrong.scan.warning.kind, "not_on_prescription");
      assert.equal(wrong.lines.length, 1, "the pack not prescribed stays out");
      const second = ok(
        await call("POST", `/dispensing-sessions/${sessionId}/scans`, {
          code: "8901234567001",
          quantity: 10,
        }),
      );
      assert.deepEqual(second.totals, { quantity: 20, amount: 700, currency: "KES" });
      assert.equal(second.scan.warning.kind, "more_than_prescribed");
      const unknown = await call("POST", `/dispensing-sessions/${sessionId}/scans`, {
        code: "0000000000000",
      });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.body.errors[0].path, "code");
    });

    await t.step("completing refuses what the warnings said; removing fixes it", async () => {
      const refused = await call("POST", `/dispensing-sessions/${sessionId}/complete`, {});
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(
        ok(await call("GET", `/stock?medicationId=${amoxil.id}`)).data[0].quantity,
        40,
        "nothing left stock",
      );
      const removed = ok(
        await call("POST", `/dispensing-sessions/${sessionId}/remove`, { medicationId: amoxil.id }),
      );
      assert.deepEqual(removed.totals, { quantity: 0, amount: 0, currency: "KES" });
      const substitute = ok(
        await call("POST", `/dispensing-sessions/${sessionId}/scans`, {
          code: "8901234567002",
          quantity: 9,
        }),
      );
      assert.equal(substitute.scan.warning.kind, "substitution");
      const noReason = await call("POST", `/dispensing-sessions/${sessionId}/complete`, {});
      assert.equal(noReason.status, 422, JSON.stringify(noReason.body));
      assert.equal(noReason.body.errors[0].path, "items.0.substitutionReason");
      const withReason = ok(
        await call("POST", `/dispensing-sessions/${sessionId}/scans`, {
          code: "8901234567002",
          quantity: 1,
          substitutionReason: "Amoxil out of stock at the supplier",
        }),
      );
      assert.deepEqual(withReason.warnings, []);
      assert.deepEqual(withReason.totals, { quantity: 10, amount: 150, currency: "KES" });
    });

    await t.step("two completions at once dispense once", async () => {
      const both = await Promise.all(
        [1, 2].map(() => call("POST", `/dispensing-sessions/${sessionId}/complete`, {})),
      );
      const statuses = both.map((r) => r.status).sort();
      assert.deepEqual(statuses, [201, 409], JSON.stringify(both.map((r) => r.body)));
      const done = both.find((r) => r.status === 201)!.body;
      assert.equal(done.prescriptionStatus, "partially_dispensed");
      assert.equal(done.total, 150);
      assert.equal(
        ok(await call("GET", `/stock?medicationId=${generic.id}`)).data[0].quantity,
        30,
      );
      const session = ok(await call("GET", `/dispensing-sessions/${sessionId}`));
      assert.equal(session.status, "completed");
      assert.equal(session.dispensationId, done.id);
      const again = await call("POST", `/dispensing-sessions/${sessionId}/scans`, {
        code: "8901234567002",
      });
      assert.equal(again.status, 409);
      // The problem's status is the HTTP status; the session's own is its `state`.
      assert.equal(again.body.status, 409);
      assert.equal(again.body.state, "completed");
      const queue = ok(await call("GET", `/pharmacy/prescriptions?number=${rx.number}`));
      assert.equal(queue.data[0].status, "partially_dispensed");
      assert.deepEqual(
        queue.data[0].items.map((i: Record<string, unknown>) => [i.dispensed, i.remaining]),
        [[10, 5]],
        "the rest stays due",
      );
    });

    await t.step("over the counter: no prescription, and prescription-only warned", async () => {
      const otc = ok(await call("POST", "/dispensing-sessions", {}), 201);
      const scanned = ok(
        await call("POST", `/dispensing-sessions/${otc.id}/scans`, {
          code: "8901234567001",
          quantity: 2,
        }),
      );
      assert.equal(scanned.scan.warning.kind, "prescription_required");
      const removed = ok(
        await call("POST", `/dispensing-sessions/${otc.id}/remove`, { medicationId: amoxil.id }),
      );
      assert.equal(removed.lines.length, 0);
      ok(
        await call("POST", `/dispensing-sessions/${otc.id}/scans`, {
          code: "8901234567003",
          quantity: 3,
        }),
      );
      // Over the counter nothing caps the quantity: only the session's own state stops a
      // second completion from handing the sachets over twice.
      const racing = await Promise.all(
        [1, 2, 3].map(() => call("POST", `/dispensing-sessions/${otc.id}/complete`, {})),
      );
      assert.deepEqual(racing.map((r) => r.status).sort(), [201, 409, 409]);
      const sold = racing.find((r) => r.status === 201)!.body;
      assert.equal(sold.total, 150);
      assert.equal(ok(await call("GET", `/stock?medicationId=${ors.id}`)).data[0].quantity, 37);
      assert.equal(sold.prescriptionId, null);
      const abandoned = ok(await call("POST", "/dispensing-sessions", {}), 201);
      const gone = ok(await call("POST", `/dispensing-sessions/${abandoned.id}/abandon`));
      assert.equal(gone.status, "abandoned");
      const empty = ok(await call("POST", "/dispensing-sessions", {}), 201);
      assert.equal(
        (await call("POST", `/dispensing-sessions/${empty.id}/complete`, {})).status,
        409,
      );
    });

    await t.step("a session is another organisation's 404, and audited", async () => {
      const other = await createOrg(app);
      const res = await app.call("GET", `/api/v1/dispensing-sessions/${sessionId}`, {
        token: other.admin,
      });
      assert.equal(res.status, 404);
      await app.deps.audit.flush?.();
      const trail = ok(
        await call(
          "GET",
          `/audit-events?entityType=dispensing-session&entityId=${sessionId}`,
          undefined,
          org.admin,
        ),
      );
      const actions = new Set(trail.data.map((e: { action: string }) => e.action));
      for (
        const a of [
          "dispensing-session.create",
          "dispensing-session.scan",
          "dispensing-session.complete",
        ]
      ) {
        assert.ok(actions.has(a), `${a} in ${[...actions]}`);
      }
    });
  } finally {
    await app.close();
  }
});
