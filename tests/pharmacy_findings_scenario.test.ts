/**
 * The theft-and-loss scenario: four weeks of a dispensary's ordinary work, drawn from a seeded
 * PRNG (five pharmacists on shifts dispensing against prescriptions and over the counter in
 * opening hours, receipts, a little damage, an occasional return), with exactly one case of
 * each rule planted in it. The rules must find exactly those (rule and person) and nothing
 * else; a scan over everything then matches the same and raises nothing new.
 */
import assert from "node:assert/strict";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient, createStaff, login } from "./helpers/factories.ts";
import { prng } from "./helpers/random.ts";
import { move } from "../src/modules/pharmacy/ledger.ts";
import { periodOf } from "../src/modules/pharmacy/findings/local-time.ts";

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const SEED = 20260310;

Deno.test("theft-and-loss scenario: exactly the planted findings", async () => {
  const rand = prng(SEED);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const between = (a: number, b: number) => a + Math.floor(rand() * (b - a + 1));
  // Four weeks inside one 30-day peer period (periods are fixed, so a finding is raised once).
  const start = Date.parse(periodOf(Date.parse("2026-03-10T00:00:00Z"), 30).from);
  let now = start;
  const clock = { now: () => new Date(now) };
  const app = await createTestApp(
    // Tokens are reused for up to 50 minutes of the clock, idle or not.
    {
      ACCESS_TOKEN_TTL_SECONDS: "3600",
      SESSION_IDLE_TIMEOUT_MINUTES: "60",
      LOGIN_RATE_LIMIT: "100000",
    },
    { clock },
  );
  /** Day `d` of the scenario at `hh:mm` in Nairobi (UTC+3). */
  const at = (d: number, hh: number, mm: number) => start + d * DAY + (hh * 60 + mm - 180) * MINUTE;
  try {
    const org = await createOrg(app);
    const names = [
      "Achieng Otieno",
      "Baraka Mwangi",
      "Chebet Kiprono",
      "Daudi Njoroge",
      "Esther Wambui",
    ];
    const staff: { id: string; email: string }[] = [];
    for (const n of names) staff.push(await createStaff(app, org.admin, "PHARMACY", n));
    const doctorUser = await createStaff(app, org.admin, "DOCTOR", "Dr Faith Mutua");
    const emails = new Map<string, string>([
      ...staff.map((s) => [s.id, s.email] as [string, string]),
      [doctorUser.id, doctorUser.email],
      ["admin", org.adminEmail],
    ]);
    const adminId = await org.userIdFor("ADMIN");
    const tokens = new Map<string, { token: string; at: number }>();
    /** A token valid at the clock's time (tokens last an hour of it). */
    const tokenOf = async (who: string) => {
      const t = tokens.get(who);
      if (t && now - t.at < 50 * MINUTE && now >= t.at) return t.token;
      const token = (await login(app, emails.get(who)!)).accessToken;
      tokens.set(who, { token, at: now });
      return token;
    };
    const as = async (who: string, method: string, path: string, body?: unknown, status = 201) => {
      const res = await app.call(method, `/api/v1${path}`, { token: await tokenOf(who), body });
      assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
      return res.body;
    };

    now = at(0, 8, 0);
    const store = await as("admin", "POST", "/stores", {
      name: "Dispensary",
      kind: "dispensary",
      openingHours: {
        ...Object.fromEntries(["1", "2", "3", "4", "5", "6"].map((d) => [d, [["08:00", "20:00"]]])),
        "7": [],
      },
    });
    const med = (
      name: string,
      genericName: string,
      prescriptionRequired: boolean,
      unit = "tablet",
    ) =>
      as(staff[0].id, "POST", "/medications", {
        name,
        genericName,
        form: unit === "capsule" ? "capsule" : "tablet",
        unit,
        reorderLevel: 100,
        unitPrice: 15,
        prescriptionRequired,
      });
    const paracetamol = await med("Panadol 500 mg", "paracetamol", false);
    const ibuprofen = await med("Brufen 400 mg", "ibuprofen", false);
    const amoxicillin = await med("Amoxil 500 mg", "amoxicillin", true, "capsule");
    const metformin = await med("Glucophage 500 mg", "metformin", true);
    const rxMeds = [amoxicillin, metformin];
    const otcMeds = [paracetamol, ibuprofen];
    const batches = new Map<string, string>();
    const receive = async (who: string, lot: string) => {
      const r = await as(who, "POST", "/stock/receipts", {
        storeId: store.id,
        items: [paracetamol, ibuprofen, amoxicillin, metformin].map((m) => ({
          medicationId: m.id,
          batchNumber: `${m.genericName.slice(0, 3).toUpperCase()}-${lot}`,
          expiryDate: "2028-06-30",
          quantity: 6000,
          unitCost: 10,
        })),
      });
      for (const [i, m] of [paracetamol, ibuprofen, amoxicillin, metformin].entries()) {
        batches.set(m.id, r.movements[i].batchId);
      }
    };
    await receive(staff[0].id, "A");

    const prescribe = async (medicationId: string, timesPerDay: number, days: number) => {
      const patient = await createPatient(app, await tokenOf("admin"));
      const visit = await as("admin", "POST", "/encounters", {
        patientId: patient.id,
        facilityId: org.facilityId,
      });
      return await as(doctorUser.id, "POST", "/prescriptions", {
        encounterId: visit.id,
        items: [{
          medicationId,
          dose: 1,
          unit: medicationId === amoxicillin.id ? "capsule" : "tablet",
          route: "oral",
          frequency: { timesPerDay },
          durationDays: days,
        }],
      });
    };
    const sales: { id: string; by: string; day: number; batchId: string }[] = [];
    const sell = async (who: string, m: { id: string }, quantity: number, day: number) => {
      const d = await as(who, "POST", "/dispensations", {
        storeId: store.id,
        items: [{ medicationId: m.id, quantity }],
      });
      sales.push({ id: d.id, by: who, day, batchId: d.items[0].batchId });
      return d;
    };

    // Ordinary traffic: three pharmacists on duty a day (rotating), Sundays closed.
    const counts = { rx: 0, otc: 0, damage: 0, returns: 0 };
    for (let day = 0; day < 28; day++) {
      const weekday = new Date(at(day, 12, 0)).getUTCDay();
      if (weekday === 0) continue;
      const onDuty = [0, 1, 2].map((k) => staff[(day + k) % staff.length].id);
      const events: { minute: number; kind: string }[] = [];
      for (let i = 0; i < 3; i++) {
        events.push({ minute: between(8 * 60 + 20, 19 * 60 + 30), kind: "rx" });
      }
      for (let i = 0; i < 4; i++) {
        events.push({ minute: between(8 * 60 + 20, 19 * 60 + 30), kind: "otc" });
      }
      if (rand() < 0.25) events.push({ minute: between(9 * 60, 17 * 60), kind: "damage" });
      events.sort((a, b) => a.minute - b.minute);
      for (const e of events) {
        now = at(day, Math.floor(e.minute / 60), e.minute % 60);
        const who = pick(onDuty);
        if (e.kind === "rx") {
          const m = pick(rxMeds);
          const rx = await prescribe(m.id, pick([2, 3]), pick([5, 7]));
          await as(who, "POST", "/dispensations", {
            prescriptionId: rx.id,
            items: [{ medicationId: m.id, quantity: rx.items[0].quantity }],
          });
          counts.rx++;
        } else if (e.kind === "otc") {
          await sell(who, pick(otcMeds), between(6, 20), day);
          counts.otc++;
        } else {
          await as(who, "POST", "/stock/adjustments", {
            batchId: batches.get(pick(otcMeds).id),
            type: "damage",
            quantity: between(1, 5),
            reason: "Damaged blister",
          });
          counts.damage++;
        }
      }
      // Once a week someone takes back a sale of theirs from earlier that week.
      if (day % 7 === 4) {
        const own = sales.filter((s) => s.day >= day - 4 && s.day < day && onDuty.includes(s.by));
        const sale = pick(own);
        now = at(day, 19, 40);
        await as(sale.by, "POST", `/dispensations/${sale.id}/returns`, {
          reason: "Wrong strength bought",
          items: [{ batchId: sale.batchId, quantity: 1 }],
        });
        counts.returns++;
      }
      if (day === 14) {
        now = at(day, 8, 10);
        await receive(onDuty[0], "B");
      }
    }

    // The planted cases, one per rule.
    const [p0, p1, p2, p3, p4] = staff.map((s) => s.id);
    const planted: [string, string][] = [];
    // 1. The admin hands over a prescription-only antibiotic without a prescription.
    now = at(2, 11, 5);
    await as("admin", "POST", "/dispensations", {
      storeId: store.id,
      items: [{ medicationId: amoxicillin.id, quantity: 6 }],
      override: { reason: "Phone order, prescription to follow" },
    });
    planted.push(["dispensed_without_prescription", adminId]);
    // 2. A prescription partly dispensed, then topped up beyond it by the admin's override.
    now = at(4, 10, 0);
    const rx = await prescribe(metformin.id, 2, 7);
    await as(p1, "POST", "/dispensations", {
      prescriptionId: rx.id,
      items: [{ medicationId: metformin.id, quantity: 7 }],
    });
    now = at(6, 15, 30);
    await as("admin", "POST", "/dispensations", {
      prescriptionId: rx.id,
      items: [{ medicationId: metformin.id, quantity: 14 }],
      override: { reason: "Patient travelling for a month" },
    });
    planted.push(["dispensed_more_than_prescribed", adminId]);
    // 3. One large write-off.
    now = at(9, 16, 45);
    await as(p2, "POST", "/stock/adjustments", {
      batchId: batches.get(ibuprofen.id),
      type: "damage",
      quantity: 150,
      reason: "Carton crushed",
    });
    planted.push(["large_write_off", p2]);
    // 4. A sale at 22:40, long after closing.
    now = at(11, 22, 40);
    await sell(p3, paracetamol, 12, 11);
    planted.push(["after_hours", p3]);
    // 5. A count found 40 tablets missing (posted as counts post their variances).
    now = at(16, 9, 30);
    await app.deps.db.transaction((tx) =>
      move(tx, {
        id: batches.get(metformin.id)!,
        orgId: org.id,
        medicationId: metformin.id,
        storeId: store.id,
      }, {
        type: "count_variance",
        quantity: -40,
        actorId: p1,
        at: clock.now().toISOString(),
        documentType: "stock_count",
        documentId: crypto.randomUUID(),
      })
    );
    planted.push(["count_variance", p1]);
    // 6. One pharmacist sells far more paracetamol than the others, in ordinary-looking sales.
    for (let i = 0; i < 24; i++) {
      const day = 1 + i;
      if (new Date(at(day, 12, 0)).getUTCDay() === 0) continue;
      now = at(day, 13, between(0, 59));
      await sell(p4, paracetamol, between(30, 40), day);
    }
    planted.push(["peer_volume", p4]);
    // 7. One pharmacist takes back four sales in three days (one 7-day period).
    const week3 = periodOf(at(21, 12, 0), 7);
    const base = Math.round((Date.parse(week3.from) - start) / DAY);
    now = at(base, 9, 0);
    const given: any[] = [];
    for (let i = 0; i < 4; i++) given.push(await sell(p0, ibuprofen, 10, base));
    for (const [i, d] of given.entries()) {
      now = at(base + 1 + Math.floor(i / 2), 10 + i, 15);
      await as(p0, "POST", `/dispensations/${d.id}/returns`, {
        reason: "Customer returned it",
        items: [{ batchId: d.items[0].batchId, quantity: 2 }],
      });
    }
    planted.push(["repeated_returns", p0]);

    // The 30-day period has ended: the peers' volumes are compared over all of it.
    now = at(31, 9, 0);
    const list = async () =>
      (await as("admin", "GET", "/pharmacy/findings?limit=100", undefined, 200)).data as any[];
    const described = (fs: any[]) =>
      fs.map((f) =>
        `${f.rule} ${names[staff.findIndex((s) => s.id === f.subjectUserId)] ?? "admin"}`
      )
        .sort();
    const expected = described(planted.map(([rule, subjectUserId]) => ({ rule, subjectUserId })));
    const afterTraffic = await list();
    // Detection runs after each write; the count variance posted straight to the ledger (not
    // through a route) and the period's volumes, judged once it has ended, wait for the scan.
    assert.deepEqual(
      described(afterTraffic),
      expected.filter((e) => !/^(count_variance|peer_volume)/.test(e)),
      afterTraffic.map((f) => f.explanation).join("\n"),
    );
    // The first sale of paracetamol in the next period judges the period that has ended.
    await sell(p1, paracetamol, 10, 31);
    assert.deepEqual(
      described(await list()),
      expected.filter((e) => !e.startsWith("count_variance")),
    );
    const scan = await as("admin", "POST", "/pharmacy/findings/scan", {}, 200);
    const findings = await list();
    assert.deepEqual(described(findings), expected, findings.map((f) => f.explanation).join("\n"));
    assert.deepEqual(
      scan.matched,
      Object.fromEntries(Object.keys(scan.matched).map((r) => [r, r === "negative_stock" ? 0 : 1])),
    );
    assert.equal(scan.raised.count_variance, 1);
    assert.equal(scan.raised.peer_volume, 0, "raised already by the sale");
    const again = await as("admin", "POST", "/pharmacy/findings/scan", {}, 200);
    assert.equal(Object.values(again.raised).reduce((s: number, n: any) => s + n, 0), 0);
    assert.equal((await list()).length, 7, "scanning again raises nothing new");

    const peer = findings.find((f) => f.rule === "peer_volume");
    assert.ok(peer.values.quantity >= peer.values.peerMedian * 1.5);
    assert.ok(peer.values.peers >= 3);
    assert.match(peer.explanation, /Esther Wambui .* dispensed \d+ tablet of Panadol 500 mg/);
    console.log(
      `scenario: ${JSON.stringify(counts)} ordinary events, scan ${scan.tookMs} ms\n` +
        findings.map((f) => `  ${f.rule}: ${f.explanation}`).join("\n"),
    );
  } finally {
    await app.close();
  }
});
