/**
 * Bench data: one organisation (created through the real service, with its admin) and a large
 * number of patients appended in bulk with `DatabaseHandle.appendRows`, which is orders of
 * magnitude faster than registering them one by one through the API.
 *
 * Bulk rows skip what `registerPatient` also writes: no `change_log` rows and no
 * `patient.create` audit entries. Neither is read on the `GET /patients/{id}` path, so the bench
 * does not need them; a data set meant for sync or audit benches would have to add them.
 */
import { closeDeps, createDeps } from "../../src/app.ts";
import { parseConfig } from "../../src/config.ts";
import { newId } from "../../src/lib/ids.ts";
import { createOrganization } from "../../src/modules/organizations/service.ts";
import { formatMrn } from "../../src/modules/patients/mrn.ts";
import { ensureSuperAdmin } from "../../src/modules/users/bootstrap.ts";
import { patients, sequences } from "../../db/schema/mod.ts";

export interface BenchData {
  orgId: string;
  adminEmail: string;
  adminPassword: string;
  patientIds: string[];
}

const GIVEN = [
  "Wanjiku",
  "Amani",
  "Baraka",
  "Chausiku",
  "Daudi",
  "Eshe",
  "Faraji",
  "Neema",
  "Juma",
  "Zawadi",
  "Otieno",
  "Akinyi",
  "Kamau",
  "Njeri",
  "Mwangi",
  "Aisha",
  "Hassan",
  "Priya",
  "Arjun",
  "Meera",
  "John",
  "Mary",
  "Peter",
  "Grace",
];
const FAMILY = [
  "Kamau",
  "Odhiambo",
  "Mwangi",
  "Wambui",
  "Otieno",
  "Njoroge",
  "Kiptoo",
  "Chebet",
  "Mutua",
  "Achieng",
  "Omondi",
  "Wekesa",
  "Barasa",
  "Korir",
  "Mohamed",
  "Sharma",
  "Patel",
  "Nair",
  "Smith",
  "Okafor",
];
const SEXES = ["female", "male", "female", "male", "other", "unknown"] as const;

/** mulberry32: a small seeded PRNG, so every run seeds the same data. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/**
 * Creates the data folder's database, the super admin, one organisation with its admin and
 * `count` patients, then closes everything so the server can open the file alone.
 */
export async function seedBenchData(
  opts: { dataDir: string; jwtSecret: string; count: number; chunk?: number },
): Promise<BenchData> {
  const config = parseConfig({
    APP_ENV: "production",
    JWT_SECRET: opts.jwtSecret,
    DATA_DIR: opts.dataDir,
    LOG_LEVEL: "warn",
  });
  const deps = await createDeps(config);
  try {
    const password = "bench-password-123";
    const superAdminId = await ensureSuperAdmin(deps, {
      email: "root@bench.test",
      password,
      fullName: "Bench Root",
    });
    const adminEmail = "admin@bench.clinic";
    const created = await createOrganization(
      deps,
      {
        userId: superAdminId,
        sessionId: "bench-seed",
        orgId: null,
        role: "SUPER_ADMIN",
        facilityId: null,
      },
      {
        name: "Bench General Hospital",
        type: "HOSPITAL",
        practiceSystems: ["allopathic"],
        timezone: "Africa/Nairobi",
        currency: "KES",
        admin: { email: adminEmail, password, fullName: "Bench Admin" },
      },
      { requestId: "bench-seed", ip: null, userAgent: "bench" },
    );
    const orgId = created.organization.id;
    const adminId = created.admin.id;

    const rand = prng(20240611);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const chunk = opts.chunk ?? 10_000;
    const patientIds: string[] = new Array(opts.count);
    // Registration times spread over the last three years, oldest first, like real history.
    const end = Date.now();
    const span = 3 * 365 * 24 * 3600 * 1000;
    const start = end - span;

    for (let from = 0; from < opts.count; from += chunk) {
      const rows: (typeof patients.$inferInsert)[] = [];
      for (let i = from; i < Math.min(from + chunk, opts.count); i++) {
        const id = newId();
        patientIds[i] = id;
        const at = new Date(start + Math.floor((span * i) / opts.count)).toISOString();
        const given = pick(GIVEN);
        const family = pick(FAMILY);
        const born = new Date(Date.UTC(1935, 0, 1) + Math.floor(rand() * 88 * 365.25 * 86400e3));
        rows.push({
          id,
          orgId,
          createdAt: at,
          updatedAt: at,
          createdBy: adminId,
          updatedBy: adminId,
          version: 1,
          deletedAt: null,
          mrn: formatMrn(i + 1),
          givenName: given,
          familyName: family,
          birthDate: rand() < 0.95 ? born.toISOString().slice(0, 10) : null,
          sex: pick(SEXES),
          phone: rand() < 0.85
            ? `+254 7${pad(Math.floor(rand() * 100), 2)} ${pad(Math.floor(rand() * 1000), 3)} ${
              pad(Math.floor(rand() * 1000), 3)
            }`
            : null,
          email: rand() < 0.4 ? `${given}.${family}.${i + 1}@example.com`.toLowerCase() : null,
          nationalId: rand() < 0.7 ? pad(10_000_000 + Math.floor(rand() * 89_999_999), 8) : null,
        });
      }
      await deps.db.appendRows(patients, rows);
    }

    // Later registrations continue after the bulk-loaded MRNs.
    await deps.db.transaction(async (tx) => {
      await tx.insert(sequences).values({ orgId, name: "mrn", value: opts.count })
        .onConflictDoUpdate({
          target: [sequences.orgId, sequences.name],
          set: { value: opts.count },
        });
    });

    return { orgId, adminEmail, adminPassword: password, patientIds };
  } finally {
    await closeDeps(deps);
  }
}
