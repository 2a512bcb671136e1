/**
 * Many interleavings of offline edits, chosen by a seeded random generator: a primary and two
 * replica processes write to every synced table while links are cut and restored and syncs run
 * at random. At the end every node must hold the same rows (per-table checksums), every
 * acknowledged creation must be everywhere, and every synced table must have been exercised,
 * so a new table that does not sync fails here.
 *
 * The seed is printed; replay a failure with SYNC_SEED=<seed> (and SYNC_STEPS=<n>).
 */
import assert from "node:assert/strict";
import type { ClinicSteps } from "./helpers/sync-steps/types.ts";
import { accountsAtClinic } from "./helpers/sync-steps/accounts.ts";
import { billingAtClinic } from "./helpers/sync-steps/billing.ts";
import { billingCashAtClinic } from "./helpers/sync-steps/billing-cash.ts";
import { countsAtClinic } from "./helpers/sync-steps/counts.ts";
import { findingsAtClinic } from "./helpers/sync-steps/findings.ts";
import { preparationAtClinic } from "./helpers/sync-steps/preparation.ts";
import { sessionsAtClinic } from "./helpers/sync-steps/sessions.ts";
import { enqueueNotification } from "../src/modules/notifications/mod.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient, createStaff, paracetamolFor } from "./helpers/factories.ts";
import { SAMPLE_PNG } from "./helpers/openapi.ts";
import { prng } from "./helpers/random.ts";
import {
  checksums,
  dump,
  http,
  link,
  loginAt,
  SECRET,
  serve,
  type Served,
  SYNCED_TABLES,
} from "./helpers/cluster.ts";

const SEED = Number(Deno.env.get("SYNC_SEED") ?? 20261130);
const STEPS = Number(Deno.env.get("SYNC_STEPS") ?? 160);

Deno.test(`randomised offline edits converge (seed ${SEED}, ${STEPS} steps)`, async () => {
  console.log(`sync random: SYNC_SEED=${SEED} SYNC_STEPS=${STEPS}`);
  const rand = prng(SEED);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const dirs = await Promise.all(
    ["primary", "k2", "k3"].map((n) => Deno.makeTempDir({ prefix: `clinic-rand-${n}-` })),
  );
  const setup = await createTestApp({ DATA_DIR: dirs[0], JWT_SECRET: SECRET });
  const org = await createOrg(setup);
  const first = await createPatient(setup, org.admin, { givenName: "Seed" });
  const doctor = await createStaff(setup, org.admin, "DOCTOR");
  const pharmacist = await createStaff(setup, org.admin, "PHARMACY");
  // A notification enqueued at headquarters, as a reminder is: it syncs like any row, and the
  // primary alone delivers it (here it fails: no channel is configured).
  await setup.deps.db.transaction((tx) =>
    enqueueNotification(setup.deps, tx, { orgId: org.id, userId: null }, {
      channel: "webhook",
      kind: "appointment.reminder",
      subject: "Reminder",
      body: "See you tomorrow",
      patientId: first.id,
      relatedType: "appointment",
      relatedId: crypto.randomUUID(),
      dueAt: new Date().toISOString(),
    })
  );
  const tokens: string[] = [];
  for (const siteCode of ["K2", "K3"]) {
    const node = await setup.call("POST", "/api/v1/sync/nodes", {
      token: org.admin,
      body: { name: `Clinic ${siteCode}`, siteCode },
    });
    tokens.push(node.body.token);
  }
  await setup.close({ keep: true });

  const primary = serve(dirs[0], { SYNC_ROLE: "primary" });
  const processes: Served[] = [primary];
  const links = [link(primary.port), link(primary.port)];
  try {
    await primary.waitFor("listening");
    const replicas = [0, 1].map((i) =>
      serve(dirs[i + 1], {
        SYNC_ROLE: "replica",
        SYNC_PRIMARY_URL: links[i].url,
        SYNC_NODE_TOKEN: tokens[i],
        SYNC_INTERVAL_SECONDS: "3600",
      })
    );
    processes.push(...replicas);
    await Promise.all(replicas.map((r) => r.waitFor("sync: pulled")));
    const nodes = [primary, ...replicas];
    const auth = await Promise.all(nodes.map((n) => loginAt(n, org.adminEmail)));
    const clinician = await Promise.all(nodes.map((n) => loginAt(n, doctor.email)));
    const call = (i: number, method: string, path: string, body?: unknown) =>
      http(nodes[i], method, `/api/v1${path}`, { token: auth[i], body });
    // Clinical entries are a clinician's to write.
    const clinical = async (i: number, method: string, path: string, body?: unknown) => {
      const res = await http(nodes[i], method, `/api/v1${path}`, { token: clinician[i], body });
      // A patient this node has not received yet (404) or merged away (409) is no write.
      assert.ok(res.status < 300 || [404, 409].includes(res.status), JSON.stringify(res.body));
      return res;
    };

    const patients = [first.id];
    const appointments: string[] = [];
    // Bookings fall in the fortnight after tomorrow, on the hour.
    const bookingBase = Math.ceil((Date.now() + 86_400_000) / 3_600_000) * 3_600_000;
    const allergies: string[][] = []; // [patientId, allergyId]
    const created: { table: string; id: string; path: string }[] = [];
    const counts: Record<string, number> = {};
    const ops: Record<string, (i: number) => Promise<void>> = {
      async registerPatient(i) {
        const res = await call(i, "POST", "/patients", {
          givenName: pick(["Amani", "Baraka", "Chiku", "Dalila"]),
          familyName: `R${Math.floor(rand() * 1e6)}`,
          birthDate: "1990-01-01",
          sex: pick(["female", "male"]),
          allowDuplicate: true,
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        patients.push(res.body.id);
        created.push({ table: "patients", id: res.body.id, path: "/patients" });
      },
      async editPatient(i) {
        const field = pick(["phone", "email", "address", "tags", "nationalId"]);
        const value = field === "phone"
          ? `+2547${String(Math.floor(rand() * 1e8)).padStart(8, "0")}`
          : field === "email"
          ? `p${Math.floor(rand() * 1e6)}@clinic.test`
          : field === "address"
          ? { city: pick(["Nairobi", "Kisumu", "Mombasa"]), line1: `${Math.floor(rand() * 99)} Rd` }
          : field === "tags"
          ? [pick(["vip", "staff", "pregnant", "diabetic"])]
          : `ID${Math.floor(rand() * 1e8)}`;
        await call(i, "PATCH", `/patients/${pick(patients)}`, { [field]: value });
      },
      async deletePatient(i) {
        if (patients.length < 6) return;
        await call(i, "DELETE", `/patients/${pick(patients.slice(1))}`);
      },
      async addAllergy(i) {
        const patientId = pick(patients);
        const res = await clinical(i, "POST", `/patients/${patientId}/allergies`, {
          substance: pick(["Penicillin", "Peanuts", "Latex", "Sulfa"]),
          severity: pick(["mild", "moderate", "severe"]),
        });
        if (res.status !== 201) return; // not (yet) known at that node, or deleted there
        allergies.push([patientId, res.body.id]);
        created.push({
          table: "patient_allergies",
          id: res.body.id,
          path: `/patients/${patientId}/allergies`,
        });
      },
      async editAllergy(i) {
        if (allergies.length === 0) return;
        const [patientId, id] = pick(allergies);
        await clinical(i, "PATCH", `/patients/${patientId}/allergies/${id}`, {
          severity: pick(["mild", "moderate", "severe", "life-threatening"]),
          status: pick(["active", "inactive", "resolved"]),
        });
      },
      async addHistory(i) {
        const patientId = pick(patients);
        const res = await clinical(i, "POST", `/patients/${patientId}/medical-history`, {
          kind: "condition",
          name: pick(["Asthma", "Hypertension", "Type 2 diabetes mellitus"]),
        });
        if (res.status === 201) {
          created.push({
            table: "patient_history_entries",
            id: res.body.id,
            path: `/patients/${patientId}/medical-history`,
          });
        }
      },
      async uploadDocument(i) {
        const form = new FormData();
        // A valid PNG with a trailing byte that differs each time: a distinct file.
        const png = Uint8Array.from([...SAMPLE_PNG, Math.floor(rand() * 256)]);
        form.append("file", new File([png], "scan.png", { type: "image/png" }));
        const res = await fetch(`${nodes[i].url}/api/v1/patients/${pick(patients)}/documents`, {
          method: "POST",
          headers: { authorization: `Bearer ${clinician[i]}` },
          body: form,
        });
        const text = await res.text();
        assert.ok(res.status === 201 || [404, 409].includes(res.status), text);
      },
      async inviteStaff(i) {
        const res = await call(i, "POST", "/users", {
          email: `staff.${Math.floor(rand() * 1e9)}@clinic.test`,
          fullName: "Random Staff",
          role: pick(["NURSE", "RECEPTION", "DOCTOR"]),
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      },
      async addFacility(i) {
        const code = `F${Math.floor(rand() * 1e8)}`;
        const res = await call(i, "POST", "/facilities", { name: `Branch ${code}`, code });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        created.push({ table: "facilities", id: res.body.id, path: "/facilities" });
      },
      async renameOrganisation(i) {
        await call(i, "PATCH", "/organizations/current", {
          name: `Clinic chain ${Math.floor(rand() * 1000)}`,
        });
      },
      async mergePatients(i) {
        if (patients.length < 8) return;
        const [survivor, duplicate] = [pick(patients.slice(1)), pick(patients.slice(1))];
        if (survivor === duplicate) return;
        await call(i, "POST", `/patients/${survivor}/merge`, { duplicateId: duplicate });
      },
      // The front desk: the doctor's schedule, bookings (by an admin, outside the schedule:
      // override) at random quarter hours, their moves, and visits.
      async addSchedule(i) {
        const start = 7 + Math.floor(rand() * 10);
        const res = await call(i, "POST", "/schedules", {
          practitionerId: doctor.id,
          weekday: 1 + Math.floor(rand() * 7),
          startTime: `${String(start).padStart(2, "0")}:00`,
          endTime: `${String(start + 1).padStart(2, "0")}:00`,
          slotMinutes: pick([15, 20, 30]),
        });
        assert.ok([201, 409].includes(res.status), JSON.stringify(res.body));
      },
      async addLeave(i) {
        const day = new Date(Date.now() + (10 + Math.floor(rand() * 60)) * 86_400_000)
          .toISOString().slice(0, 10);
        const res = await call(i, "POST", "/schedule-exceptions", {
          practitionerId: doctor.id,
          kind: pick(["leave", "holiday"]),
          dateFrom: day,
          dateTo: day,
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      },
      async book(i) {
        const res = await call(i, "POST", "/appointments", {
          patientId: pick(patients),
          practitionerId: doctor.id,
          start: new Date(bookingBase + Math.floor(rand() * 200) * 15 * 60_000).toISOString(),
          durationMinutes: 30,
          type: pick(["consultation", "follow_up", "vaccination"]),
          override: true,
        });
        // 409: the slot is taken here, or the patient merged; 422: the patient is not here yet.
        assert.ok([201, 409, 422].includes(res.status), JSON.stringify(res.body));
        if (res.status !== 201) return;
        appointments.push(res.body.id);
        created.push({ table: "appointments", id: res.body.id, path: "/appointments" });
      },
      async moveAppointment(i) {
        if (appointments.length === 0) return;
        const id = pick(appointments);
        const r = rand();
        const res = r < 0.4
          ? await call(i, "POST", `/appointments/${id}/confirm`, {
            method: pick(["call", "sms", "whatsapp"]),
            outcome: pick(["confirmed", "no_answer", "declined"]),
          })
          : r < 0.8
          ? await call(i, "PATCH", `/appointments/${id}`, {
            start: new Date(bookingBase + Math.floor(rand() * 200) * 15 * 60_000).toISOString(),
            override: true,
          })
          : await call(i, "POST", `/appointments/${id}/cancel`, { reason: "Patient called" });
        assert.ok([200, 404, 409, 422].includes(res.status), JSON.stringify(res.body));
      },
      async visit(i) {
        const res = await http(nodes[i], "POST", "/api/v1/encounters", {
          token: clinician[i],
          body: { patientId: pick(patients), priority: pick(["normal", "urgent", "emergency"]) },
        });
        assert.ok([201, 409, 422].includes(res.status), JSON.stringify(res.body));
        if (res.status !== 201) return;
        created.push({ table: "encounters", id: res.body.id, path: "/encounters" });
        const visit = `/api/v1/encounters/${res.body.id}`;
        if (rand() < 0.5) {
          await http(nodes[i], "POST", `${visit}/vitals`, {
            token: clinician[i],
            body: {
              observations: [
                { code: "temperature", value: 36 + Math.floor(rand() * 40) / 10, unit: "Cel" },
                { code: "weight", value: 50 + Math.floor(rand() * 40), unit: "kg" },
              ],
            },
          });
        }
        let draft: string | null = null;
        if (rand() < 0.5) {
          const note = await http(nodes[i], "POST", `${visit}/notes`, {
            token: clinician[i],
            body: { reasonForVisit: "Review", plan: pick(["Rest", "Fluids", "Review in a week"]) },
          });
          if (note.status === 201) draft = note.body.id;
        }
        for (const step of ["start", "sign", "close"]) {
          if (rand() < 0.3) break;
          if (step === "sign") {
            if (draft) {
              await http(nodes[i], "POST", `/api/v1/notes/${draft}/sign`, { token: clinician[i] });
            }
            continue;
          }
          await http(nodes[i], "POST", `${visit}/${step}`, { token: clinician[i] });
        }
      },
      async sync(i) {
        if (i === 0) return;
        await call(i, "POST", "/sync/run");
      },
      toggleLink(i) {
        if (i === 0) return Promise.resolve();
        if (rand() < 0.5) links[i - 1].cut();
        else links[i - 1].restore();
        return Promise.resolve();
      },
    };
    const weights: [string, number][] = [
      ["registerPatient", 14],
      ["editPatient", 22],
      ["deletePatient", 2],
      ["addAllergy", 8],
      ["editAllergy", 8],
      ["addHistory", 5],
      ["uploadDocument", 3],
      ["inviteStaff", 3],
      ["addFacility", 2],
      ["renameOrganisation", 4],
      ["mergePatients", 2],
      ["addSchedule", 2],
      ["addLeave", 1],
      ["book", 8],
      ["moveAppointment", 6],
      ["visit", 4],
      ["sync", 17],
      ["toggleLink", 10],
    ];
    const total = weights.reduce((s, [, w]) => s + w, 0);
    const chooseOp = () => {
      let r = rand() * total;
      for (const [name, w] of weights) if ((r -= w) < 0) return name;
      return weights[0][0];
    };

    // One certain conflict, so the queue is exercised whatever the seed.
    links[1].cut();
    await call(1, "PATCH", `/patients/${first.id}`, { occupation: "Teacher" });
    await call(2, "PATCH", `/patients/${first.id}`, { occupation: "Farmer" });
    await call(1, "POST", "/sync/run");
    links[1].restore();
    await call(2, "POST", "/sync/run");

    // And one certain double booking: both clinics offline book the doctor at the same time.
    for (const l of links) l.cut();
    const sameSlot = new Date(bookingBase - 3_600_000).toISOString();
    for (const i of [1, 2]) {
      const res = await call(i, "POST", "/appointments", {
        patientId: first.id,
        practitionerId: doctor.id,
        start: sameSlot,
        durationMinutes: 30,
        type: "consultation",
        override: true,
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      created.push({ table: "appointments", id: res.body.id, path: "/appointments" });
    }
    // Every front-desk table gets a row whatever the seed: a schedule, leave, a confirmation
    // and a visit, made at the clinics while they are offline.
    const weekly = await call(1, "POST", "/schedules", {
      practitionerId: doctor.id,
      weekday: 6,
      startTime: "20:00",
      endTime: "21:00",
      slotMinutes: 30,
    });
    assert.equal(weekly.status, 201, JSON.stringify(weekly.body));
    const leave = await call(2, "POST", "/schedule-exceptions", {
      practitionerId: doctor.id,
      kind: "leave",
      dateFrom: "2031-02-03",
      dateTo: "2031-02-07",
    });
    assert.equal(leave.status, 201, JSON.stringify(leave.body));
    const confirmed = await call(1, "POST", `/appointments/${created.at(-2)!.id}/confirm`, {
      method: "call",
      outcome: "confirmed",
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    const walkIn = await call(2, "POST", "/encounters", { patientId: first.id });
    assert.equal(walkIn.status, 201, JSON.stringify(walkIn.body));
    // And the visit's clinical record: vitals and a signed note, written at the clinic.
    const vitals = await http(nodes[2], "POST", `/api/v1/encounters/${walkIn.body.id}/vitals`, {
      token: clinician[2],
      body: { observations: [{ code: "pulse", value: 88, unit: "/min" }] },
    });
    assert.equal(vitals.status, 201, JSON.stringify(vitals.body));
    const note = await http(nodes[2], "POST", `/api/v1/encounters/${walkIn.body.id}/notes`, {
      token: clinician[2],
      body: { reasonForVisit: "Headache", diagnoses: [{ code: "R51", certainty: "provisional" }] },
    });
    assert.equal(note.status, 201, JSON.stringify(note.body));
    const signed = await http(nodes[2], "POST", `/api/v1/notes/${note.body.id}/sign`, {
      token: clinician[2],
    });
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    const rx = await http(nodes[2], "POST", "/api/v1/prescriptions", {
      token: clinician[2],
      body: paracetamolFor(walkIn.body.id),
    });
    assert.equal(rx.status, 201, JSON.stringify(rx.body));
    const template = await http(nodes[2], "POST", "/api/v1/clinical-templates", {
      token: clinician[2],
      body: { kind: "note", name: "URTI adult", shared: true, content: { plan: "Fluids, rest" } },
    });
    assert.equal(template.status, 201, JSON.stringify(template.body));
    // And the pharmacy: a medication with its barcode, stock received, and a sale at the clinic.
    const pharmacyToken = await loginAt(nodes[2], pharmacist.email);
    const rxCall = (path: string, body: unknown) =>
      http(nodes[2], "POST", `/api/v1${path}`, { token: pharmacyToken, body });
    const med = await rxCall("/medications", {
      name: "Panadol 500 mg",
      genericName: "paracetamol",
      form: "tablet",
      codes: ["5000158062078"],
      reorderLevel: 20,
      unitPrice: 20,
      prescriptionRequired: false,
    });
    assert.equal(med.status, 201, JSON.stringify(med.body));
    const received = await rxCall("/stock/receipts", {
      items: [{
        medicationId: med.body.id,
        batchNumber: "PCM-1",
        expiryDate: "2031-01-31",
        quantity: 100,
        unitCost: 8,
      }],
    });
    assert.equal(received.status, 201, JSON.stringify(received.body));
    const sold = await rxCall("/dispensations", {
      items: [{ code: "5000158062078", quantity: 4 }],
    });
    assert.equal(sold.status, 201, JSON.stringify(sold.body));
    const supplier = await rxCall("/suppliers", { name: "MEDS" });
    assert.equal(supplier.status, 201, JSON.stringify(supplier.body));
    const po = await rxCall("/purchase-orders", {
      supplierId: supplier.body.id,
      lines: [{ medicationId: med.body.id, quantity: 200, unitCost: 7 }],
    });
    assert.equal(po.status, 201, JSON.stringify(po.body));
    assert.match(po.body.number, /^PO-K3-\d{4}-0001$/);
    const adminCall = (method: string, path: string, body?: unknown) =>
      http(nodes[2], method, `/api/v1${path}`, { token: auth[2], body });
    const clinicSteps: ClinicSteps = {
      asPharmacist: (method, path, body) =>
        http(nodes[2], method, `/api/v1${path}`, { token: pharmacyToken, body }),
      asAdmin: adminCall,
      medicationId: med.body.id,
      prescriptionId: rx.body.id,
      encounterId: walkIn.body.id,
      patientId: walkIn.body.patientId,
    };
    await sessionsAtClinic(clinicSteps);
    await countsAtClinic(clinicSteps);
    await preparationAtClinic(clinicSteps);
    await findingsAtClinic(clinicSteps);
    await billingAtClinic(clinicSteps);
    await billingCashAtClinic(clinicSteps);
    await accountsAtClinic(clinicSteps);
    assert.match(rx.body.number, /^RX-K3-\d{6}-0001$/, "a clinic's numbers carry its site code");
    for (const l of links) l.restore();
    for (const i of [1, 2]) await call(i, "POST", "/sync/run");
    const doubleBooked = (await call(0, "GET", "/sync/conflicts")).body.data
      .filter((c: { error?: string | null }) => /double booking/.test(c.error ?? ""));
    assert.equal(doubleBooked.length, 1, "the primary queues the double booking once");

    // And one certain merge, made at a clinic.
    const twins = [];
    for (const givenName of ["Twin", "Twin"]) {
      const res = await call(1, "POST", "/patients", {
        givenName,
        familyName: "Merged",
        birthDate: "1980-01-01",
        sex: "female",
        allowDuplicate: true,
      });
      twins.push(res.body.id);
    }
    const merged = await call(1, "POST", `/patients/${twins[0]}/merge`, { duplicateId: twins[1] });
    assert.equal(merged.status, 200, JSON.stringify(merged.body));

    for (let step = 0; step < STEPS; step++) {
      const name = chooseOp();
      const node = Math.floor(rand() * 3);
      counts[name] = (counts[name] ?? 0) + 1;
      await ops[name](node);
    }
    console.log("sync random: operations", JSON.stringify(counts));

    for (const l of links) l.restore();
    let converged = false;
    for (let round = 0; round < 6 && !converged; round++) {
      for (const i of [1, 2]) {
        const res = await call(i, "POST", "/sync/run");
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }
      const sums = await Promise.all(dirs.map((d) => checksums(d, org.id)));
      converged = sums.every((s) => JSON.stringify(s) === JSON.stringify(sums[0]));
    }
    if (!converged) {
      const sums = await Promise.all(dirs.map((d) => checksums(d, org.id)));
      for (const table of SYNCED_TABLES) {
        if (new Set(sums.map((s) => s[table])).size === 1) continue;
        const rows = await Promise.all(dirs.map((d) => dump(d, org.id, table)));
        assert.fail(
          `seed ${SEED}: table ${table} differs\n` +
            rows.map((r, i) => `node ${i}: ${JSON.stringify(r)}`).join("\n"),
        );
      }
    }
    const sums = await checksums(dirs[0], org.id);
    for (const table of SYNCED_TABLES) {
      assert.ok(
        !sums[table].startsWith("0:"),
        `table ${table} syncs but no test wrote to it: add it to this test's operations`,
      );
    }
    // Every acknowledged creation is on every node (deleted or merged since, perhaps, but there).
    for (const dir of dirs) {
      const ids = new Map<string, Set<string>>();
      for (const c of created) {
        if (!ids.has(c.table)) {
          ids.set(c.table, new Set((await dump(dir, org.id, c.table)).map((r: any) => r[0])));
        }
        assert.ok(ids.get(c.table)!.has(c.id), `seed ${SEED}: ${c.path} (${c.id}) missing`);
      }
    }
    const queues = await Promise.all([0, 1, 2].map((i) => call(i, "GET", "/sync/conflicts")));
    assert.ok(queues[0].body.data.length >= 1);
    for (const q of queues) assert.deepEqual(q.body.data, queues[0].body.data);
  } finally {
    for (const l of links) l.close();
    for (const p of processes.reverse()) await p.stop();
    for (const d of dirs) await Deno.remove(d, { recursive: true });
  }
});
