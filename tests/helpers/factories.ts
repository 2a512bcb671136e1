/** Builders for organisations, staff and patients through the public API. */
import assert from "node:assert/strict";
import type { TenantRole } from "../../src/lib/permissions.ts";
import type { Actor } from "../../src/lib/context.ts";
import { PASSWORD, SUPER_ADMIN, type TestApp } from "./app.ts";

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

export async function login(
  t: TestApp,
  email: string,
  password = PASSWORD,
  organizationId?: string,
) {
  const res = await t.call("POST", "/api/v1/auth/login", {
    body: { email, password, organizationId },
  });
  assert.equal(res.status, 200, `login ${email}: ${JSON.stringify(res.body)}`);
  return res.body as { accessToken: string; refreshToken: string; user: any };
}

export async function superAdminToken(t: TestApp) {
  return (await login(t, SUPER_ADMIN.email, SUPER_ADMIN.password)).accessToken;
}

/** Invites `email` with `role`; answers the invitation, its one-time code included. */
export async function invite(
  t: TestApp,
  adminToken: string,
  body: { email: string; role: TenantRole; fullName?: string; facilityId?: string | null },
) {
  const res = await t.call("POST", "/api/v1/users", {
    token: adminToken,
    body: { fullName: `${body.role} Person`, ...body },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string; code: string; email: string; status: string };
}

/** Accepts an invitation code with a password; answers the full response. */
export function acceptInvitation(t: TestApp, code: string, password = PASSWORD, ip?: string) {
  return t.call("POST", "/api/v1/auth/invitations/accept", { body: { code, password }, ip });
}

/**
 * A new staff account in the organisation of `adminToken`, made as a clinic makes one: invited,
 * then accepted by the person with their password. Answers its id and email.
 */
export async function createStaff(
  t: TestApp,
  adminToken: string,
  role: TenantRole,
  name = `${role} Person`,
): Promise<{ id: string; email: string }> {
  const email = `${role.toLowerCase()}.${unique()}@test.clinic`;
  const inv = await invite(t, adminToken, { email, fullName: name, role });
  const joined = await acceptInvitation(t, inv.code);
  assert.equal(joined.status, 200, JSON.stringify(joined.body));
  // Tests log in as they need; the session acceptance opened would only be in the way.
  await t.call("POST", "/api/v1/auth/logout", { token: joined.body.accessToken });
  return { id: joined.body.user.id, email };
}

export interface TestOrg {
  id: string;
  code: string;
  facilityId: string;
  adminEmail: string;
  admin: string;
  /** Tokens of one user per role, made on demand. */
  tokenFor(role: TenantRole): Promise<string>;
  userIdFor(role: TenantRole): Promise<string>;
}

/** A new organisation with its admin logged in; other roles are created when first asked for. */
export async function createOrg(t: TestApp, name = `Clinic ${unique()}`): Promise<TestOrg> {
  const sa = await superAdminToken(t);
  const adminEmail = `admin.${unique()}@test.clinic`;
  const res = await t.call("POST", "/api/v1/organizations", {
    token: sa,
    body: {
      name,
      type: "CLINIC",
      timezone: "Africa/Nairobi",
      currency: "KES",
      admin: { email: adminEmail, password: PASSWORD, fullName: "Org Admin" },
    },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const admin = (await login(t, adminEmail)).accessToken;
  const tokens = new Map<string, { token: string; id: string }>();
  tokens.set("ADMIN", { token: admin, id: res.body.admin.id });
  const ensure = async (role: TenantRole) => {
    let entry = tokens.get(role);
    if (!entry) {
      const staff = await createStaff(t, admin, role);
      entry = { token: (await login(t, staff.email)).accessToken, id: staff.id };
      tokens.set(role, entry);
    }
    return entry;
  };
  return {
    id: res.body.organization.id,
    code: res.body.organization.code,
    facilityId: res.body.facility.id,
    adminEmail,
    admin,
    tokenFor: async (role) => (await ensure(role)).token,
    userIdFor: async (role) => (await ensure(role)).id,
  };
}

/**
 * Registers a patient. Factory patients share a birth date and similar names, which duplicate
 * detection rightly flags, so the factory registers with `allowDuplicate: true` unless told
 * otherwise; tests of detection itself pass `allowDuplicate: false` or post directly.
 */
export async function createPatient(
  t: TestApp,
  token: string,
  overrides: Record<string, unknown> = {},
) {
  const res = await t.call("POST", "/api/v1/patients", {
    token,
    body: {
      givenName: "Amani",
      familyName: `Test${unique()}`,
      birthDate: "1990-01-02",
      sex: "female",
      allowDuplicate: true,
      ...overrides,
    },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

/** The organisation's ADMIN as a service-level actor, for calling services directly. */
export async function adminActor(org: TestOrg, requestId: string): Promise<Actor> {
  return {
    userId: await org.userIdFor("ADMIN"),
    orgId: org.id,
    role: "ADMIN",
    facilityId: org.facilityId,
    requestId,
    ip: null,
    userAgent: null,
  };
}

/** A prescription of one common medicine that raises no safety warning: 2 tablets, 3 days. */
export const paracetamolFor = (encounterId: string) => ({
  encounterId,
  items: [{
    medication: "Paracetamol 500 mg tablets",
    genericName: "paracetamol",
    dose: 2,
    unit: "tablet",
    route: "oral",
    frequency: { timesPerDay: 3 },
    durationDays: 3,
  }],
});
