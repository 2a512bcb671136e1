import assert from "node:assert/strict";
import { and, eq, like } from "drizzle-orm";
import { seed, STAFF, SUPER_ADMIN_EMAIL } from "../scripts/seed.ts";
import {
  auditEvents,
  changeLog,
  memberships,
  organizations,
  patients,
  users,
} from "../db/schema/mod.ts";
import { createTestApp } from "./helpers/app.ts";
import { acceptInvitation, createOrg, invite, login } from "./helpers/factories.ts";

const PASSWORD = "seed-password-42";

Deno.test("scripts/seed.ts", async (t) => {
  // Eight logins from one address would come close to the default per-address login limit.
  const app = await createTestApp({ LOGIN_RATE_LIMIT: "100" });
  const db = app.deps.db.db;
  const first = await seed(app.deps, { password: PASSWORD });
  const second = await seed(app.deps, { password: PASSWORD });

  await t.step("the first run creates everything; the second adds nothing", () => {
    assert.equal(first.created, true);
    assert.equal(first.patients, 50);
    assert.equal(first.newAccounts.length, 8);
    assert.deepEqual(second, { created: false, orgId: first.orgId, patients: 0, newAccounts: [] });
  });

  await t.step("exactly one Demo Clinic, with its settings", async () => {
    const orgs = await db.select().from(organizations).where(eq(organizations.code, "DEMO"));
    assert.equal(orgs.length, 1);
    const [org] = orgs;
    assert.equal(org.name, "Demo Clinic");
    assert.deepEqual([org.type, org.timezone, org.currency], ["CLINIC", "Africa/Nairobi", "KES"]);
  });

  await t.step("8 demo accounts; staff employee ids ADM001 … FIN001", async () => {
    const demo = await db.select().from(users).where(like(users.email, "%@demo.clinic"));
    assert.equal(demo.length, 8);
    assert.ok(demo.find((u) => u.email === SUPER_ADMIN_EMAIL)?.isSuperAdmin);
    const staff = await db.select({ role: memberships.role, employeeId: memberships.employeeId })
      .from(memberships).where(eq(memberships.orgId, first.orgId));
    const ids = Object.fromEntries(staff.map((m) => [m.role, m.employeeId]));
    assert.deepEqual(ids, {
      ADMIN: "ADM001",
      DOCTOR: "DOC001",
      NURSE: "NUR001",
      RECEPTION: "REC001",
      PHARMACY: "PHA001",
      LAB: "LAB001",
      FINANCE: "FIN001",
    });
  });

  await t.step("every seeded account logs in with the seed password", async () => {
    const root = await login(app, SUPER_ADMIN_EMAIL, PASSWORD);
    assert.equal(root.user.role, "SUPER_ADMIN");
    for (const s of STAFF) {
      const { user } = await login(app, s.email, PASSWORD);
      assert.equal(user.role, s.role);
      assert.equal(user.organizationId, first.orgId);
    }
  });

  await t.step("50 patients with unique MRNs, written like API writes", async () => {
    const rows = await db.select().from(patients).where(eq(patients.orgId, first.orgId));
    assert.equal(rows.length, 50);
    assert.equal(new Set(rows.map((p) => p.mrn)).size, 50);
    assert.ok(rows.every((p) => p.birthDate && p.phone && ["female", "male"].includes(p.sex)));
    const changes = await db.select().from(changeLog)
      .where(and(eq(changeLog.orgId, first.orgId), eq(changeLog.tableName, "patients")));
    assert.equal(changes.length, 50);
    const audits = await db.select().from(auditEvents)
      .where(and(eq(auditEvents.action, "patient.create"), eq(auditEvents.requestId, "seed")));
    assert.equal(audits.length, 50);
  });

  await t.step("a larger target only tops up", async () => {
    const r = await seed(app.deps, { password: PASSWORD, patients: 53 });
    assert.equal(r.patients, 3);
    const rows = await db.select().from(patients).where(eq(patients.orgId, first.orgId));
    assert.equal(rows.length, 53);
  });

  await t.step("a short password is refused before anything is written", async () => {
    await assert.rejects(seed(app.deps, { password: "short" }), /at least 12 characters/);
  });

  await t.step(
    "it will not act as a super admin whose address an ordinary account holds",
    async () => {
      const other = await createTestApp();
      const org = await createOrg(other);
      const inv = await invite(other, org.admin, {
        email: SUPER_ADMIN_EMAIL,
        fullName: "Not Root",
        role: "NURSE",
      });
      assert.equal((await acceptInvitation(other, inv.code)).status, 200);
      await assert.rejects(seed(other.deps, { password: PASSWORD }), /ordinary account/);
      const [row] = await other.deps.db.db.select().from(users).where(
        eq(users.email, SUPER_ADMIN_EMAIL),
      );
      assert.equal(row.isSuperAdmin, false);
      await other.close();
    },
  );

  await app.close();
});
