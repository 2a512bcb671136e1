/**
 * Demo data: the "Demo Clinic" organisation, one account per role, a platform super admin and 50
 * sample patients. Everything goes through the services, so the change log and the audit trail
 * look exactly as if the data had been entered through the API. Safe to run again: it only adds
 * what is missing.
 *
 *   SEED_PASSWORD=… deno task seed   (otherwise a password is generated and printed once)
 */
import { and, count, eq, isNull } from "drizzle-orm";
import { fakerEN_ZA as faker } from "@faker-js/faker";
import { randomInt } from "node:crypto";
import { closeDeps, createDeps } from "../src/app.ts";
import { loadConfig } from "../src/lib/config.ts";
import type { Actor, Deps, Principal } from "../src/lib/context.ts";
import type { TenantRole } from "../src/lib/permissions.ts";
import { createOrganization } from "../src/modules/organizations/service.ts";
import { ensureSuperAdmin } from "../src/modules/users/bootstrap.ts";
import { inviteUser } from "../src/modules/users/invitations.ts";
import { acceptInvitation } from "../src/modules/auth/invitations.ts";
import { registerPatient } from "../src/modules/patients/service.ts";
import type { PatientInputT } from "../src/modules/patients/schemas.ts";
import { facilities, memberships, organizations, patients, users } from "../db/schema/mod.ts";

export const DEMO_CODE = "DEMO";
export const SUPER_ADMIN_EMAIL = "superadmin@demo.clinic";
export const STAFF: { email: string; role: TenantRole; fullName: string }[] = [
  { email: "admin@demo.clinic", role: "ADMIN", fullName: "Amina Odhiambo" },
  { email: "doctor@demo.clinic", role: "DOCTOR", fullName: "Daniel Kiprotich" },
  { email: "nurse@demo.clinic", role: "NURSE", fullName: "Grace Wanjiru" },
  { email: "reception@demo.clinic", role: "RECEPTION", fullName: "Faith Achieng" },
  { email: "pharmacy@demo.clinic", role: "PHARMACY", fullName: "Peter Mwangi" },
  { email: "lab@demo.clinic", role: "LAB", fullName: "Esther Njeri" },
  { email: "finance@demo.clinic", role: "FINANCE", fullName: "Samuel Otieno" },
];
const MIN_PASSWORD = 12; // the password policy's default minimum (PASSWORD_MIN_LENGTH)
const FAKER_SEED = 20240601;
// faker has no Kenyan locale. Its en_ZA given names are the conventional English ones common in
// Kenya too; paired with Kenyan family names they read like a Nairobi clinic's register.
// deno-fmt-ignore
const FAMILY_NAMES = [
  "Kamau", "Otieno", "Wanjiru", "Mwangi", "Ochieng", "Njoroge", "Kiprotich", "Achieng", "Mutua",
  "Wambui", "Odhiambo", "Kariuki", "Chebet", "Omondi", "Nyambura", "Kiplagat", "Muthoni", "Owino",
  "Wekesa", "Jeptoo", "Kimani", "Atieno", "Barasa", "Korir", "Mohamed", "Hassan", "Makena",
];

export interface SeedResult {
  /** True when this run created the organisation. */
  created: boolean;
  orgId: string;
  /** Patients registered by this run (0 when the organisation already had enough). */
  patients: number;
  /** Accounts created by this run, so they have `password`; existing ones keep theirs. */
  newAccounts: string[];
}

export async function seed(
  deps: Deps,
  opts: { password: string; patients?: number; log?: (s: string) => void },
): Promise<SeedResult> {
  const log = opts.log ?? (() => {});
  // The services trust their (already validated) input, so enforce the API's rule here.
  if (opts.password.length < MIN_PASSWORD) {
    throw new Error(`The seed password must be at least ${MIN_PASSWORD} characters.`);
  }
  const newAccounts: string[] = [];
  const userByEmail = async (email: string) =>
    (await deps.db.db.select().from(users).where(eq(users.email, email)))[0];

  const existingRoot = await userByEmail(SUPER_ADMIN_EMAIL);
  // Refuses (throws) when the address belongs to an ordinary account.
  const rootId = await ensureSuperAdmin(deps, {
    email: SUPER_ADMIN_EMAIL,
    password: opts.password,
    fullName: "Platform Admin",
  });
  if (!existingRoot) newAccounts.push(SUPER_ADMIN_EMAIL);
  const meta = { requestId: "seed", ip: null, userAgent: null };
  const principal: Principal = {
    userId: rootId,
    sessionId: "seed",
    orgId: null,
    role: "SUPER_ADMIN",
    facilityId: null,
  };

  let [org] = await deps.db.db.select({ id: organizations.id }).from(organizations)
    .where(eq(organizations.code, DEMO_CODE));
  const created = !org;
  if (!org) {
    const [admin] = STAFF;
    const adminExisted = Boolean(await userByEmail(admin.email));
    const res = await createOrganization(deps, principal, {
      name: "Demo Clinic",
      code: DEMO_CODE,
      type: "CLINIC",
      practiceSystems: ["allopathic"],
      timezone: "Africa/Nairobi",
      currency: "KES",
      facility: { name: "Demo Clinic — Main", code: "MAIN" },
      admin: { email: admin.email, password: opts.password, fullName: admin.fullName },
    }, meta);
    org = { id: res.organization.id };
    if (!adminExisted) newAccounts.push(admin.email);
    log(`created organisation Demo Clinic (${DEMO_CODE}) with ${admin.email}`);
  }
  const [facility] = await deps.db.db.select({ id: facilities.id }).from(facilities)
    .where(and(eq(facilities.orgId, org.id), isNull(facilities.deletedAt)))
    .orderBy(facilities.createdAt).limit(1);
  const actor: Actor = {
    ...meta,
    userId: rootId,
    orgId: org.id,
    role: "SUPER_ADMIN",
    facilityId: facility?.id ?? null,
  };

  for (const s of STAFF) {
    const [member] = await deps.db.db.select({ id: memberships.id }).from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, org.id), eq(users.email, s.email)));
    if (member) continue;
    const existed = Boolean(await userByEmail(s.email));
    // Staff join as everyone does: invited, then accepted with the password (an existing
    // account must have the seed password, or acceptance refuses it).
    const { code } = await inviteUser(deps, actor, { ...s, facilityId: undefined });
    const joined = await acceptInvitation(deps, { code, password: opts.password }, meta);
    if (!existed) newAccounts.push(s.email);
    const employeeId = joined.user.organizations.find((o) => o.organizationId === org.id)
      ?.employeeId;
    log(`created ${s.role.toLowerCase()} ${s.email} (${employeeId})`);
  }

  // Top up rather than add: a rerun, or a run after someone removed a patient, ends at the target.
  const target = opts.patients ?? 50;
  const [{ n }] = await deps.db.db.select({ n: count() }).from(patients)
    .where(and(eq(patients.orgId, org.id), isNull(patients.deletedAt)));
  for (let i = n; i < target; i++) await registerPatient(deps, actor, samplePatient(i));
  const added = Math.max(0, target - n);
  if (added) log(`registered ${added} patients (now ${target})`);
  return { created, orgId: org.id, patients: added, newAccounts };
}

/** Patient number i is the same on every run and machine, whatever number the top-up starts at. */
function samplePatient(i: number): PatientInputT {
  faker.seed(FAKER_SEED + i);
  const sex = faker.helpers.arrayElement(["female", "male"] as const);
  const birth = faker.date.birthdate({ mode: "year", min: 1940, max: 2023 });
  const givenName = faker.person.firstName(sex);
  const familyName = faker.helpers.arrayElement(FAMILY_NAMES);
  const adult = birth.getUTCFullYear() <= 2005;
  return {
    givenName,
    familyName,
    birthDate: birth.toISOString().slice(0, 10),
    sex,
    phone: `+254 7${faker.string.numeric(2)} ${faker.string.numeric(3)} ${faker.string.numeric(3)}`,
    // example.com/net/org addresses: demo data must never reach a real inbox.
    email: adult && faker.datatype.boolean()
      ? faker.internet.exampleEmail({ firstName: givenName, lastName: familyName }).toLowerCase()
      : null,
    // Kenyan national ids are issued at 18.
    nationalId: adult ? faker.string.numeric({ length: 8, allowLeadingZeros: false }) : null,
    address: {
      city: faker.helpers.arrayElement(["Nairobi", "Kisumu", "Mombasa", "Nakuru", "Eldoret"]),
      line: faker.location.streetAddress(),
    },
    insurance: faker.datatype.boolean()
      ? [{
        provider: "NHIF",
        memberNumber: `NH-${faker.string.numeric(7)}`,
        scheme: "public",
        coveragePercent: 80,
        primary: true,
      }]
      : [],
    tags: faker.helpers.arrayElements(["diabetic", "hypertensive", "pregnant", "vip"], {
      min: 0,
      max: 1,
    }),
    // Synthetic people: a chance likeness to another sample must not stop the seed.
    allowDuplicate: true,
  };
}

/** Easy to read aloud and type: no 0/o, 1/l/i look-alikes; about 78 bits. */
function generatePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const group = () =>
    Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join("");
  return [group(), group(), group(), group()].join("-");
}

if (import.meta.main) {
  const given = Deno.env.get("SEED_PASSWORD");
  if (given !== undefined && given.length < MIN_PASSWORD) {
    console.error(`SEED_PASSWORD must be at least ${MIN_PASSWORD} characters long.`);
    Deno.exit(1);
  }
  const password = given ?? generatePassword();
  const deps = await createDeps(loadConfig());
  try {
    const r = await seed(deps, { password, log: (s) => console.log(s) });
    console.log(
      `\nDemo Clinic ${r.created ? "created" : "already present"} (${r.orgId}); ` +
        `${r.patients} patients added, ${r.newAccounts.length} accounts created.`,
    );
    const fresh = new Set(r.newAccounts);
    const accounts = [{ email: SUPER_ADMIN_EMAIL, role: "SUPER_ADMIN" }, ...STAFF];
    console.log("\nAccounts (* = created now):");
    for (const a of accounts) {
      console.log(`  ${fresh.has(a.email) ? "*" : " "} ${a.email.padEnd(24)} ${a.role}`);
    }
    // Printed once: a later run reuses the accounts and cannot know (or change) their passwords.
    if (!fresh.size) console.log("Nothing new; existing accounts keep their passwords.");
    else console.log(given ? "Password: the SEED_PASSWORD given" : `Password: ${password}`);
  } finally {
    await closeDeps(deps);
  }
}
