/**
 * Theft-and-loss findings: each rule raised right after the write that breaks it (and not by a
 * write that does not), explained in words, reviewed open → under review → confirmed or
 * dismissed with If-Match and a note, thresholds set per organisation, a scan that raises
 * nothing twice, and a batch driven below zero by a synced movement.
 */
import assert from "node:assert/strict";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient, createStaff, login } from "./helpers/factories.ts";
import { move, onRemoteMovement } from "../src/modules/pharmacy/ledger.ts";
import { detectForMovements } from "../src/modules/pharmacy/findings/detect.ts";
import { robustZ } from "../src/modules/pharmacy/findings/rules.ts";

const HOUR = 3_600_000;
/** Wednesday 4 March 2026, 10:00 in Nairobi (UTC+3). */
const WEDNESDAY_10 = Date.parse("2026-03-04T07:00:00Z");

Deno.test("robust z: median and MAD of the peers, not a mean a thief drags up", () => {
  const r = robustZ(100, [20, 22, 25, 19, 24]);
  assert.equal(r.median, 22);
  assert.equal(r.mad, 2);
  assert.ok(r.z > 20);
  assert.equal(robustZ(23, [20, 22, 25, 19, 24]).z, 0.34);
  assert.equal(robustZ(30, [10, 10, 10]).z, 1000, "peers without spread: as far out as can be");
});

Deno.test("theft-and-loss findings", async (t) => {
  let now = WEDNESDAY_10;
  const clock = { now: () => new Date(now) };
  const app = await createTestApp(
    { ACCESS_TOKEN_TTL_SECONDS: "3600", LOGIN_RATE_LIMIT: "1000" },
    { clock },
  );
  try {
    const org = await createOrg(app);
    const pharmacist = await createStaff(app, org.admin, "PHARMACY", "Jane Wanjiru");
    const tokenOf = async () => (await login(app, pharmacist.email)).accessToken;
    let pharmacy = await tokenOf();
    let admin = org.admin;
    /** Moves the clock; tokens last an hour of it, so everyone logs in again. */
    const setNow = async (t: number) => {
      now = t;
      pharmacy = await tokenOf();
      admin = (await login(app, org.adminEmail)).accessToken;
    };
    const adminId = await org.userIdFor("ADMIN");
    const doctor = await org.tokenFor("DOCTOR");
    const call = (method: string, path: string, body?: unknown, token = pharmacy) =>
      app.call(method, `/api/v1${path}`, { token, body });
    const ok = async (p: Promise<{ status: number; body: any }>, status = 201) => {
      const res = await p;
      assert.equal(res.status, status, JSON.stringify(res.body));
      return res.body;
    };
    const findings = async (query = "") =>
      (await ok(call("GET", `/pharmacy/findings?limit=100${query}`, undefined, admin), 200)).data;

    const store = await ok(call("POST", "/stores", {
      name: "Dispensary",
      kind: "dispensary",
      openingHours: Object.fromEntries(
        ["1", "2", "3", "4", "5", "6", "7"].map((d) => [d, [["08:00", "20:00"]]]),
      ),
    }));
    const medication = (body: Record<string, unknown>) =>
      ok(call("POST", "/medications", {
        form: "tablet",
        unit: "tablet",
        reorderLevel: 10,
        unitPrice: 20,
        prescriptionRequired: false,
        ...body,
      }));
    const paracetamol = await medication({ name: "Panadol 500 mg", genericName: "paracetamol" });
    const amoxicillin = await medication({
      name: "Amoxil 500 mg",
      genericName: "amoxicillin",
      form: "capsule",
      unit: "capsule",
      prescriptionRequired: true,
    });
    const receipt = await ok(call("POST", "/stock/receipts", {
      storeId: store.id,
      items: [
        {
          medicationId: paracetamol.id,
          batchNumber: "PCM-1",
          expiryDate: "2028-01-31",
          quantity: 2000,
          unitCost: 8,
        },
        {
          medicationId: amoxicillin.id,
          batchNumber: "AMX-1",
          expiryDate: "2028-01-31",
          quantity: 500,
          unitCost: 15,
        },
      ],
    }));
    const pcmBatch = receipt.movements[0].batchId;

    await t.step("ordinary work in opening hours raises nothing", async () => {
      await ok(call("POST", "/dispensations", {
        storeId: store.id,
        items: [{ medicationId: paracetamol.id, quantity: 10 }],
      }));
      await ok(call("POST", "/stock/adjustments", {
        batchId: pcmBatch,
        type: "damage",
        quantity: 3,
        reason: "Blister torn",
      }));
      assert.deepEqual(await findings(), []);
    });

    await t.step("a prescription-only medicine without a prescription is a finding", async () => {
      const d = await ok(call("POST", "/dispensations", {
        storeId: store.id,
        items: [{ medicationId: amoxicillin.id, quantity: 6 }],
        override: { reason: "Phone order from Dr Otieno" },
      }, admin));
      const [f] = await findings("&rule=dispensed_without_prescription");
      assert.equal(f.subjectUserId, adminId);
      assert.equal(f.status, "open");
      assert.equal(f.values.measured, 6);
      assert.equal(f.evidence.length, 1);
      assert.equal(f.evidence[0].type, "dispense");
      assert.equal(f.evidence[0].quantity, -6);
      assert.equal(f.key, `${d.id}:${amoxicillin.id}`);
      assert.match(f.explanation, /Org Admin \(.+\) dispensed 6 capsule of Amoxil 500 mg/);
      assert.match(f.explanation, /Dispensary on Wednesday 2026-03-04 10:00/);
      assert.match(f.explanation, /Phone order from Dr Otieno/);
    });

    await t.step(
      "more than prescribed (by override) is a finding on whoever went over",
      async () => {
        const patient = await createPatient(app, admin);
        const visit = await ok(app.call("POST", "/api/v1/encounters", {
          token: admin,
          body: { patientId: patient.id, facilityId: org.facilityId },
        }));
        const rx = await ok(app.call("POST", "/api/v1/prescriptions", {
          token: doctor,
          body: {
            encounterId: visit.id,
            items: [{
              medicationId: amoxicillin.id,
              dose: 1,
              unit: "capsule",
              route: "oral",
              frequency: { timesPerDay: 3 },
              durationDays: 5,
            }],
          },
        }));
        await ok(call("POST", "/dispensations", {
          prescriptionId: rx.id,
          items: [{ medicationId: amoxicillin.id, quantity: 10 }],
        }));
        assert.deepEqual(await findings("&rule=dispensed_more_than_prescribed"), []);
        await ok(call("POST", "/dispensations", {
          prescriptionId: rx.id,
          items: [{ medicationId: amoxicillin.id, quantity: 10 }],
          override: { reason: "Patient travelling" },
        }, admin));
        const [f] = await findings("&rule=dispensed_more_than_prescribed");
        assert.equal(f.subjectUserId, adminId);
        assert.deepEqual([f.values.measured, f.values.threshold], [20, 15]);
        assert.equal(f.evidence.length, 2);
        assert.match(f.explanation, new RegExp(`prescription ${rx.number}, which prescribes 15`));
      },
    );

    await t.step("a large write-off, and a week of write-offs above the weekly total", async () => {
      const damage = await ok(call("POST", "/stock/adjustments", {
        batchId: pcmBatch,
        type: "damage",
        quantity: 150,
        reason: "Water damage",
      }));
      let list = await findings("&rule=large_write_off");
      assert.equal(list.length, 1);
      assert.equal(list[0].values.scope, "movement");
      assert.deepEqual([list[0].values.measured, list[0].values.threshold], [150, 100]);
      assert.equal(list[0].evidence[0].movementId, damage.id);
      assert.match(
        list[0].explanation,
        /wrote off as damaged 150 tablet of Panadol 500 mg worth KES 12\.00/,
      );
      await setNow(now + 24 * HOUR); // Thursday: the same clinic week
      await ok(call("POST", "/stock/adjustments", {
        batchId: pcmBatch,
        type: "expire",
        quantity: 60,
        reason: "Expired",
      }));
      await ok(call("POST", "/stock/adjustments", {
        batchId: pcmBatch,
        type: "adjust",
        quantity: -100,
        reason: "Recount",
      }));
      list = await findings("&rule=large_write_off");
      assert.equal(list.length, 2, "100 is not above 100; the week's 313 is above 300");
      const week = list.find((f: any) => f.values.scope === "week");
      assert.equal(week.key, `week:${pharmacist.id}:2026-03-02`);
      assert.equal(week.values.measured, 313);
      assert.equal(week.evidence.length, 4);
      assert.match(
        week.explanation,
        /Jane Wanjiru \(.+\) wrote off 313 units .* week starting Monday 2026-03-02/,
      );
    });

    await t.step("a movement outside opening hours, beyond the grace minutes", async () => {
      await setNow(Date.parse("2026-03-05T17:10:00Z")); // 20:10 in Nairobi: within the grace
      await ok(
        call("POST", "/dispensations", { items: [{ medicationId: paracetamol.id, quantity: 2 }] }),
      );
      assert.deepEqual(await findings("&rule=after_hours"), []);
      await setNow(Date.parse("2026-03-05T19:30:00Z")); // 22:30
      const d = await ok(call("POST", "/dispensations", {
        items: [{ medicationId: paracetamol.id, quantity: 4 }],
      }));
      const [f] = await findings("&rule=after_hours");
      assert.equal(f.key, d.id);
      assert.equal(f.values.measured, 150);
      assert.equal(f.values.threshold, 15);
      assert.match(
        f.explanation,
        /dispensed 4 tablet of Panadol 500 mg at Dispensary on Thursday 2026-03-05 22:30, outside its opening hours that day \(08:00-20:00\) by 150 minutes/,
      );
    });

    await t.step("thresholds per organisation: a rule switched off raises nothing", async () => {
      const before = await ok(call("GET", "/pharmacy/finding-rules", undefined, admin), 200);
      const after = before.data.find((r: any) => r.rule === "after_hours");
      assert.deepEqual([after.enabled, after.thresholds, after.version], [true, {
        graceMinutes: 15,
      }, 0]);
      const unknown = await call("PUT", "/pharmacy/finding-rules", {
        rules: { after_hours: { thresholds: { units: 3 } } },
      }, admin);
      assert.equal(unknown.status, 400);
      assert.match(JSON.stringify(unknown.body.errors), /rules\.after_hours\.thresholds/);
      const put = (body: unknown, version: number) =>
        app.call("PUT", "/api/v1/pharmacy/finding-rules", {
          token: admin,
          body,
          headers: { "if-match": `"${version}"` },
        });
      const set = await ok(
        put({ rules: { after_hours: { enabled: false } } }, before.version),
        200,
      );
      assert.equal(set.data.find((r: any) => r.rule === "after_hours").version, 1);
      assert.equal(set.version, before.version + 1);
      const stale = await put({ rules: { after_hours: { enabled: true } } }, before.version);
      assert.equal(stale.status, 412);
      assert.equal((await call("PUT", "/pharmacy/finding-rules", { rules: {} })).status, 403);
      await ok(
        call("POST", "/dispensations", { items: [{ medicationId: paracetamol.id, quantity: 1 }] }),
      );
      assert.equal((await findings("&rule=after_hours")).length, 1);
      await ok(
        call("PUT", "/pharmacy/finding-rules", {
          rules: { after_hours: { enabled: true } },
        }, admin),
        200,
      );
    });

    await t.step("returns taken back too often by one user", async () => {
      await setNow(Date.parse("2026-03-06T08:00:00Z")); // Friday 11:00
      const sold = await ok(call("POST", "/dispensations", {
        items: [{ medicationId: paracetamol.id, quantity: 10 }],
      }));
      for (let i = 0; i < 4; i++) {
        await setNow(now + HOUR);
        await ok(call("POST", `/dispensations/${sold.id}/returns`, {
          reason: "Patient changed mind",
          items: [{ batchId: pcmBatch, quantity: 1 }],
        }));
        assert.equal((await findings("&rule=repeated_returns")).length, i < 3 ? 0 : 1);
      }
      const [f] = await findings("&rule=repeated_returns");
      assert.equal(f.subjectUserId, pharmacist.id);
      assert.deepEqual([f.values.measured, f.values.threshold], [4, 3]);
      assert.equal(f.evidence.length, 4);
    });

    await t.step("a count variance above the threshold", async () => {
      // Counts post their variances through the ledger and call the same detection.
      const m = await app.deps.db.transaction(async (tx) => {
        const moved = await move(tx, {
          id: pcmBatch,
          orgId: org.id,
          medicationId: paracetamol.id,
          storeId: store.id,
        }, {
          type: "count_variance",
          quantity: -40,
          actorId: pharmacist.id,
          at: clock.now().toISOString(),
          documentType: "stock_count",
          documentId: crypto.randomUUID(),
        });
        const actor = {
          userId: pharmacist.id,
          orgId: org.id,
          role: "PHARMACY" as const,
          facilityId: null,
          requestId: "test",
          ip: null,
          userAgent: null,
        };
        await detectForMovements(app.deps, tx, actor, [moved!]);
        return moved!;
      });
      const [f] = await findings("&rule=count_variance");
      assert.equal(f.evidence[0].movementId, m.id);
      assert.deepEqual([f.values.measured, f.values.threshold], [40, 10]);
      assert.match(f.explanation, /posted 40 tablet of Panadol 500 mg missing/);
    });

    await t.step("a scan finds what detection raised and raises nothing twice", async () => {
      const scan = await ok(call("POST", "/pharmacy/findings/scan", {}, admin), 200);
      assert.deepEqual(scan.raised, {
        dispensed_without_prescription: 0,
        dispensed_more_than_prescribed: 0,
        large_write_off: 0,
        after_hours: 1, // the dispensation made while the rule was off
        count_variance: 0,
        peer_volume: 0,
        repeated_returns: 0,
        negative_stock: 0,
      });
      assert.equal(scan.matched.after_hours, 2);
      assert.equal(scan.matched.large_write_off, 2);
      const again = await ok(call("POST", "/pharmacy/findings/scan", {}, admin), 200);
      assert.equal(Object.values(again.raised).reduce((s: number, n: any) => s + n, 0), 0);
      const bad = await call("POST", "/pharmacy/findings/scan", {
        from: "2026-03-05T00:00:00Z",
        to: "2026-03-01T00:00:00Z",
      }, admin);
      assert.equal(bad.status, 422);
    });

    await t.step("review: open → under review → confirmed or dismissed, audited", async () => {
      const [f] = await findings("&rule=count_variance");
      const direct = await call("POST", `/pharmacy/findings/${f.id}/review`, {
        status: "confirmed",
        note: "Seen",
      }, admin);
      assert.equal(direct.status, 409, "a finding is reviewed before it is confirmed");
      assert.equal(
        (await call("POST", `/pharmacy/findings/${f.id}/review`, { status: "under_review" }))
          .status,
        403,
        "a pharmacist does not review findings about pharmacists",
      );
      const review = await app.call("POST", `/api/v1/pharmacy/findings/${f.id}/review`, {
        token: admin,
        body: { status: "under_review" },
        headers: { "if-match": `"${f.version}"` },
      });
      assert.equal(review.status, 200, JSON.stringify(review.body));
      assert.equal(review.headers.get("etag"), `"${f.version + 1}"`);
      const stale = await app.call("POST", `/api/v1/pharmacy/findings/${f.id}/review`, {
        token: admin,
        body: { status: "dismissed", note: "Counting error" },
        headers: { "if-match": `"${f.version}"` },
      });
      assert.equal(stale.status, 412);
      const noNote = await call("POST", `/pharmacy/findings/${f.id}/review`, {
        status: "dismissed",
      }, admin);
      assert.equal(noNote.status, 422);
      assert.equal(noNote.body.errors[0].path, "note");
      const done = await ok(
        call("POST", `/pharmacy/findings/${f.id}/review`, {
          status: "dismissed",
          note: "Counting error: the 40 were in the back store",
        }, admin),
        200,
      );
      assert.deepEqual([done.status, done.reviewedBy], ["dismissed", adminId]);
      assert.equal(
        (await call(
          "POST",
          `/pharmacy/findings/${f.id}/review`,
          { status: "confirmed", note: "x" },
          admin,
        )).status,
        409,
      );
      const read = await ok(call("GET", `/pharmacy/findings/${f.id}`, undefined, admin), 200);
      assert.equal(read.reviewNote, "Counting error: the 40 were in the back store");
      assert.equal((await findings("&status=dismissed")).length, 1);
      assert.equal((await findings(`&userId=${adminId}`)).length, 2);
      await new Promise((r) => setTimeout(r, 100));
      const audit = await ok(
        call("GET", `/audit-events?action=stock-finding.review`, undefined, admin),
        200,
      );
      assert.equal(audit.data.filter((e: any) => e.entityId === f.id).length, 2);
      const scanAgain = await ok(call("POST", "/pharmacy/findings/scan", {}, admin), 200);
      assert.equal(scanAgain.raised.count_variance, 0, "a reviewed finding is never raised again");
      assert.equal(
        (await ok(call("GET", `/pharmacy/findings/${f.id}`, undefined, admin), 200)).status,
        "dismissed",
      );
    });

    await t.step("pages of findings, newest first", async () => {
      const all = await findings();
      const first = await ok(call("GET", "/pharmacy/findings?limit=3", undefined, admin), 200);
      const second = await ok(
        call("GET", `/pharmacy/findings?limit=3&cursor=${first.nextCursor}`, undefined, admin),
        200,
      );
      assert.deepEqual(
        [...first.data, ...second.data].map((f: any) => f.id),
        all.slice(0, 6).map((f: any) => f.id),
      );
    });

    await t.step("a batch driven below zero by a synced movement is a finding", async () => {
      const remote = {
        id: crypto.randomUUID(),
        orgId: org.id,
        medicationId: amoxicillin.id,
        batchId: receipt.movements[1].batchId,
        storeId: store.id,
        type: "dispense",
        quantity: -10_000,
        actorId: pharmacist.id,
        at: clock.now().toISOString(),
      };
      const conflicts: string[] = [];
      await app.deps.db.transaction((tx) =>
        onRemoteMovement(tx, {
          before: undefined,
          after: remote,
          origin: "node-k2",
          fields: Object.keys(remote),
          openConflict: (reason) => {
            conflicts.push(reason);
            return Promise.resolve();
          },
          forgetUser: () => {},
        })
      );
      assert.equal(conflicts.length, 1);
      const [f] = await findings("&rule=negative_stock");
      assert.equal(f.key, `${remote.batchId}:${remote.id}`);
      assert.ok(f.values.measured < 0);
      assert.match(
        f.explanation,
        /Batch AMX-1 of Amoxil 500 mg at Dispensary stands at -\d+ capsule/,
      );
      // And the dashboard's alerts say so, with the batch and how far below zero.
      const alerts = await app.call("GET", "/api/v1/pharmacy/alerts", { token: admin });
      const negative = alerts.body.data.filter((a: any) => a.kind === "negative_stock");
      assert.equal(negative.length, 1, JSON.stringify(alerts.body.data));
      assert.equal(negative[0].batchId, remote.batchId);
      assert.equal(negative[0].quantity, f.values.measured);
    });
  } finally {
    await app.close();
  }
});
