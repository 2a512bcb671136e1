/**
 * Pharmacy alerts (out of stock, expired, low stock, expiring: each when it should be and not
 * otherwise, by the app's clock), stores with their opening hours and If-Match, and changes to
 * the catalogue (a medication's fields, a code taken by another medication).
 */
import assert from "node:assert/strict";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createStaff, login } from "./helpers/factories.ts";

const DAY = 86_400_000;
const dayAfter = (t: number, days: number) => new Date(t + days * DAY).toISOString().slice(0, 10);
const RANK = ["out_of_stock", "expired", "low_stock", "expiring"];

Deno.test("pharmacy alerts, stores and catalogue changes", async (t) => {
  let now = Date.now();
  const clock = { now: () => new Date(now) };
  const app = await createTestApp({ ACCESS_TOKEN_TTL_SECONDS: "3600" }, { clock });
  try {
    const org = await createOrg(app);
    const pharmacist = await createStaff(app, org.admin, "PHARMACY");
    const doctorUser = await createStaff(app, org.admin, "DOCTOR");
    const desk = await createStaff(app, org.admin, "RECEPTION");
    let pharmacy = "", doctor = "", reception = "";
    // Access tokens last an hour: after the clock moves, everyone signs in again.
    const signIn = async () => {
      pharmacy = (await login(app, pharmacist.email)).accessToken;
      doctor = (await login(app, doctorUser.email)).accessToken;
      reception = (await login(app, desk.email)).accessToken;
    };
    await signIn();
    const call = (
      method: string,
      path: string,
      body?: unknown,
      token?: string,
      headers?: Record<string, string>,
    ) => app.call(method, `/api/v1${path}`, { token: token ?? pharmacy, body, headers });

    let dispensary: any;
    let ward: any;

    await t.step("stores: create, list, read, change with If-Match", async () => {
      const res = await call("POST", "/stores", { name: "Dispensary", kind: "dispensary" });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      dispensary = res.body;
      assert.deepEqual(dispensary.openingHours["3"], [["00:00", "23:59"]]);
      assert.equal(Object.keys(dispensary.openingHours).length, 7);
      const byAdmin = await call("POST", "/stores", {
        name: "Ward 2",
        kind: "ward",
        openingHours: { "1": [["13:00", "17:00"], ["08:00", "12:00"]], "7": [] },
      }, org.admin);
      assert.equal(byAdmin.status, 201, JSON.stringify(byAdmin.body));
      ward = byAdmin.body;
      assert.deepEqual(ward.openingHours["1"], [["08:00", "12:00"], ["13:00", "17:00"]]);
      assert.deepEqual(ward.openingHours["7"], []);

      const list = await call("GET", "/stores");
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.data.map((s: any) => s.name).sort(),
        ["Dispensary", "Ward 2"],
      );
      const read = await call("GET", `/stores/${dispensary.id}`, undefined, doctor);
      assert.equal(read.status, 200);
      assert.equal(read.headers.get("etag"), '"1"');

      const changed = await call(
        "PATCH",
        `/stores/${dispensary.id}`,
        {
          name: "Main dispensary",
          openingHours: { "6": [["09:00", "13:00"]] },
        },
        pharmacy,
        { "if-match": '"1"' },
      );
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.equal(changed.body.name, "Main dispensary");
      assert.equal(changed.body.version, 2);
      assert.deepEqual(changed.body.openingHours["6"], [["09:00", "13:00"]]);
      const stale = await call("PATCH", `/stores/${dispensary.id}`, { active: false }, pharmacy, {
        "if-match": '"1"',
      });
      assert.equal(stale.status, 412);
      assert.equal((await call("GET", `/stores/${crypto.randomUUID()}`)).status, 404);
    });

    await t.step("opening hours are validated, naming the field", async () => {
      for (
        const openingHours of [
          { "1": [["17:00", "08:00"]] },
          { "2": [["08:00", "08:00"]] },
          { "3": [["8am", "17:00"]] },
          { "4": [["08:00", "24:30"]] },
          { "5": [["08:00", "12:00"], ["11:00", "14:00"]] },
          { "8": [["08:00", "12:00"]] },
        ]
      ) {
        const res = await call("POST", "/stores", { name: "Bad", kind: "main", openingHours });
        assert.equal(res.status, 400, JSON.stringify(openingHours));
        assert.ok(
          res.body.errors.some((e: any) => String(e.path).startsWith("openingHours")),
          JSON.stringify(res.body),
        );
      }
      const patch = await call("PATCH", `/stores/${ward.id}`, {
        openingHours: { "1": [["12:00", "09:00"]] },
      });
      assert.equal(patch.status, 400);
      assert.ok(patch.body.errors.some((e: any) => String(e.path).startsWith("openingHours")));
      const kind = await call("POST", "/stores", { name: "Bad", kind: "pantry" });
      assert.equal(kind.status, 400);
      const facility = await call("POST", "/stores", {
        name: "Bad",
        kind: "main",
        facilityId: crypto.randomUUID(),
      });
      assert.equal(facility.status, 422);
    });

    await t.step("permissions", async () => {
      assert.equal(
        (await call("POST", "/stores", { name: "X", kind: "main" }, reception)).status,
        403,
      );
      assert.equal(
        (await call("POST", "/stores", { name: "X", kind: "main" }, doctor)).status,
        403,
      );
      assert.equal((await call("GET", "/pharmacy/alerts", undefined, reception)).status, 403);
      assert.equal((await call("GET", "/pharmacy/alerts", undefined, doctor)).status, 200);
      assert.equal((await call("GET", "/stores", undefined, reception)).status, 403);
    });

    const medication = async (body: Record<string, unknown>) => {
      const res = await call("POST", "/medications", {
        form: "tablet",
        unit: "tablet",
        reorderLevel: 10,
        unitPrice: 20,
        prescriptionRequired: false,
        ...body,
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    };
    const low = await medication({ name: "Low", genericName: "lowine", reorderLevel: 50 });
    const short = await medication({ name: "Short", genericName: "shortine", codes: ["1111"] });
    const soon = await medication({ name: "Soon", genericName: "soonine", reorderLevel: 5 });
    const gone = await medication({ name: "Gone", genericName: "gonine" });
    const never = await medication({ name: "Never", genericName: "neverine" });
    const item = (m: any, batchNumber: string, days: number, quantity: number) => ({
      medicationId: m.id,
      batchNumber,
      expiryDate: dayAfter(now, days),
      quantity,
      unitCost: 5,
    });
    const alerts = async (query = "", token?: string) => {
      const res = await call("GET", `/pharmacy/alerts${query}`, undefined, token);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const ranks = res.body.data.map((a: any) => RANK.indexOf(a.kind));
      assert.deepEqual(ranks, [...ranks].sort((x: number, y: number) => x - y), "sorted by kind");
      return res.body.data as any[];
    };
    const summary = (list: any[]) => list.map((a) => `${a.kind} ${a.medicationName}`).sort();

    await t.step("each kind of alert appears when it should and not otherwise", async () => {
      assert.deepEqual(await alerts(), [], "nothing received: no alerts");
      const received = await call("POST", "/stock/receipts", {
        storeId: dispensary.id,
        items: [
          item(low, "L1", 400, 20),
          item(short, "S1", 30, 100),
          item(short, "S2", 200, 5),
          item(soon, "N1", 3, 10),
          item(gone, "G1", 400, 5),
        ],
      });
      assert.equal(received.status, 201, JSON.stringify(received.body));
      const sold = await call("POST", "/dispensations", {
        storeId: dispensary.id,
        items: [{ medicationId: gone.id, quantity: 5 }],
      });
      assert.equal(sold.status, 201, JSON.stringify(sold.body));

      const list = await alerts();
      assert.deepEqual(summary(list), [
        "expiring Short",
        "expiring Soon",
        "low_stock Low",
        "out_of_stock Gone",
      ]);
      assert.ok(!list.some((a) => a.medicationId === never.id), "never received: no alert");
      assert.equal(list[0].kind, "out_of_stock");
      assert.equal(list[0].quantity, 0);
      assert.equal(list[0].storeId, dispensary.id);
      const lowAlert = list.find((a) => a.kind === "low_stock");
      assert.equal(lowAlert.quantity, 20);
      assert.equal(lowAlert.reorderLevel, 50);
      const expiring = list.filter((a) => a.kind === "expiring");
      assert.deepEqual(expiring.map((a) => a.batchNumber), ["N1", "S1"], "soonest first");
      assert.equal(expiring[1].quantity, 100);
      assert.equal(expiring[1].expiryDate, dayAfter(now, 30));
      assert.ok(Math.abs(expiring[1].daysLeft - 30) <= 1, String(expiring[1].daysLeft));

      // The window: a wider one takes in S2 (200 days), none takes in nothing that is not due.
      assert.deepEqual(
        (await alerts("?expiringWithinDays=365")).filter((a) => a.kind === "expiring")
          .map((a) => a.batchNumber),
        ["N1", "S1", "S2"],
      );
      assert.deepEqual(
        (await alerts("?expiringWithinDays=0")).filter((a) => a.kind === "expiring"),
        [],
      );
      // Another store has none of this stock.
      assert.deepEqual(await alerts(`?storeId=${ward.id}`), []);
      assert.equal((await alerts(`?storeId=${dispensary.id}`)).length, 4);
      assert.equal((await alerts("", doctor)).length, 4);
      assert.equal((await call("GET", "/pharmacy/alerts?expiringWithinDays=-1")).status, 400);
    });

    await t.step(
      "by the clock: a batch past its date is expired and no longer on hand",
      async () => {
        now += 10 * DAY;
        await signIn();
        const list = await alerts();
        assert.deepEqual(summary(list), [
          "expired Soon",
          "expiring Short",
          "low_stock Low",
          "out_of_stock Gone",
          "out_of_stock Soon",
        ]);
        const expired = list.find((a) => a.kind === "expired");
        assert.equal(expired.batchNumber, "N1");
        assert.equal(expired.quantity, 10);
        assert.ok(expired.daysLeft < 0);
      },
    );

    await t.step("medication changes: If-Match, and alerts follow them", async () => {
      const read = await call("GET", `/medications/${low.id}`);
      const etag = read.headers.get("etag")!;
      const res = await call(
        "PATCH",
        `/medications/${low.id}`,
        {
          reorderLevel: 10,
          unitPrice: 25,
          category: "analgesic",
        },
        pharmacy,
        { "if-match": etag },
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.reorderLevel, 10);
      assert.equal(res.body.unitPrice, 25);
      assert.equal(res.body.category, "analgesic");
      assert.equal(res.body.version, read.body.version + 1);
      const stale = await call("PATCH", `/medications/${low.id}`, { reorderLevel: 99 }, pharmacy, {
        "if-match": etag,
      });
      assert.equal(stale.status, 412);
      assert.equal((await call("PATCH", `/medications/${low.id}`, {})).status, 400);
      assert.equal(
        (await call("PATCH", `/medications/${low.id}`, { unitPrice: 2.5 })).status,
        400,
        "money is never a float",
      );
      assert.equal(
        (await call("PATCH", `/medications/${low.id}`, { active: false }, reception)).status,
        403,
      );
      // An inactive medication raises no alert.
      const off = await call("PATCH", `/medications/${gone.id}`, { active: false });
      assert.equal(off.status, 200);
      assert.deepEqual(summary(await alerts()), [
        "expired Soon",
        "expiring Short",
        "out_of_stock Soon",
      ]);
    });

    await t.step("codes: added to a medication, 409 when another has it", async () => {
      const taken = await call("POST", `/medications/${low.id}/codes`, { code: "1111" });
      assert.equal(taken.status, 409);
      const added = await call("POST", `/medications/${low.id}/codes`, { code: "5012345678900" });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.deepEqual(added.body.codes, ["5012345678900"]);
      const again = await call("POST", `/medications/${low.id}/codes`, { code: "5012345678900" });
      assert.equal(again.status, 201);
      assert.deepEqual(again.body.codes, ["5012345678900"]);
      const scan = await call("POST", "/pharmacy/scan", { code: "5012345678900" });
      assert.equal(scan.body.medication.id, low.id);
      assert.equal(
        (await call("POST", `/medications/${crypto.randomUUID()}/codes`, { code: "9999" })).status,
        404,
      );
      assert.equal(
        (await call("POST", `/medications/${low.id}/codes`, { code: "x" })).status,
        400,
      );
      assert.equal(
        (await call("POST", `/medications/${low.id}/codes`, { code: "7777" }, doctor)).status,
        403,
      );
    });
  } finally {
    await app.close();
  }
});
