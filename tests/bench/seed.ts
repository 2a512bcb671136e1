/**
 * Bench data: one organisation (created through the real service, with its admin) and a large
 * number of patients appended in bulk with `DatabaseHandle.appendRows`, which is orders of
 * magnitude faster than registering them one by one through the API.
 *
 * Bulk rows skip what `registerPatient` also writes: no `change_log` rows and no
 * `patient.create` audit entries. Neither is read on the `GET /patients/{id}` path, so the bench
 * does not need them; a data set meant for sync or audit benches would have to add them.
 *
 * Names follow a Zipf distribution over common East African (and a few accented) names, plus
 * ~5% synthetic rare names, so search benches see both very common and very rare terms. The
 * search index is built in bulk at the end (`rebuildSearchIndex`).
 */
import { closeDeps, createDeps } from "../../src/app.ts";
import { parseConfig } from "../../src/lib/config.ts";
import { newId } from "../../db/ids.ts";
import { createOrganization } from "../../src/modules/organizations/service.ts";
import { formatMrn } from "../../src/modules/patients/mrn.ts";
import { rebuildSearchIndex } from "../../src/modules/patients/search-index.ts";
import { ensureSuperAdmin } from "../../src/modules/users/bootstrap.ts";
import { patients, sequences } from "../../db/schema/mod.ts";
import { prng } from "../helpers/random.ts";

export interface BenchData {
  orgId: string;
  adminEmail: string;
  adminPassword: string;
  patientIds: string[];
}

/** Common given names, most frequent first (Zipf-weighted below), a few with accents. */
const GIVEN = [
  "Mary",
  "John",
  "Grace",
  "Peter",
  "Wanjiku",
  "James",
  "Faith",
  "Joseph",
  "Mercy",
  "David",
  "Esther",
  "Daniel",
  "Ann",
  "Samuel",
  "Jane",
  "Paul",
  "Lucy",
  "Stephen",
  "Alice",
  "Brian",
  "Amani",
  "Baraka",
  "Neema",
  "Juma",
  "Zawadi",
  "Akinyi",
  "Njeri",
  "Aisha",
  "Hassan",
  "Priya",
  "Arjun",
  "Meera",
  "Chausiku",
  "Daudi",
  "Eshe",
  "Faraji",
  "Kevin",
  "Sharon",
  "Dennis",
  "Caroline",
  "Moses",
  "Ruth",
  "Collins",
  "Purity",
  "Victor",
  "Naomi",
  "George",
  "Beatrice",
  "Francis",
  "Winnie",
  "José",
  "Zoë",
  "Chloé",
  "Renée",
  "André",
  "Agnès",
  "Mwajuma",
  "Halima",
  "Omar",
  "Fatuma",
  "Wanjirũ",
  "Ngũgĩ",
  "Nyambũra",
  "Achieng",
  "Atieno",
  "Owino",
  "Kiprono",
  "Chepkoech",
  "Jepchirchir",
  "Kipchoge",
  "Nafula",
  "Wafula",
  "Nasimiyu",
  "Barasa",
  "Makena",
  "Kendi",
  "Gitonga",
  "Mutiso",
  "Mueni",
  "Ndinda",
];
/** Common family names, most frequent first. */
const FAMILY = [
  "Kamau",
  "Otieno",
  "Mwangi",
  "Odhiambo",
  "Wanjiru",
  "Ochieng",
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
  "Ali",
  "Hassan",
  "Kariuki",
  "Maina",
  "Njeri",
  "Wambui",
  "Kimani",
  "Onyango",
  "Okoth",
  "Ouma",
  "Juma",
  "Cheruiyot",
  "Rotich",
  "Langat",
  "Kirui",
  "Koech",
  "Kipkemboi",
  "Mugo",
  "Gathoni",
  "Karanja",
  "Nyaga",
  "Muriuki",
  "Sharma",
  "Patel",
  "Nair",
  "Shah",
  "Smith",
  "Okafor",
  "Müller",
  "García",
  "Núñez",
  "Ngũgĩ",
  "Wanjohi",
  "Macharia",
  "Ndungu",
  "Githinji",
  "Kibet",
  "Kiplagat",
  "Mbugua",
  "Waweru",
  "Nyambura",
  "Wairimu",
  "Muthoni",
  "Atieno",
];
/** Syllables of synthetic rare names: ~7,000 names carried by a handful of patients each. */
const SYLLABLES = [
  "ka",
  "ma",
  "ri",
  "to",
  "ne",
  "wa",
  "ji",
  "ku",
  "zu",
  "lo",
  "be",
  "sa",
  "di",
  "mo",
  "na",
  "fi",
  "go",
  "he",
  "ye",
];
const TAGS = ["diabetic", "hypertensive", "vip", "staff", "pregnant", "hiv-care", "tb-care"];
const STATUSES = ["active", "active", "active", "active", "active", "active", "inactive", "moved"];
const SEXES = ["female", "male", "female", "male", "female", "male", "other", "unknown"] as const;
/** Bump when the generated data changes: cached databases are keyed by it. */
export const SEED_VERSION = 5;

export { prng };

/** Picks from `xs` with Zipf weights (the first name far more often than the last). */
function zipf<T>(xs: readonly T[], rand: () => number, s = 0.9) {
  const cum: number[] = [];
  let total = 0;
  for (let i = 0; i < xs.length; i++) cum.push(total += 1 / Math.pow(i + 1, s));
  return () => {
    const r = rand() * total;
    let lo = 0, hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return xs[lo];
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/**
 * Creates the data folder's database, the super admin, one organisation with its admin and
 * `count` patients, then closes everything so the server can open the file alone.
 */
export async function seedBenchData(
  opts: {
    dataDir: string;
    jwtSecret: string;
    count: number;
    chunk?: number;
    /** Build the patient search index (default true). */
    searchIndex?: boolean;
  },
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
    const given = zipf(GIVEN, rand);
    const family = zipf(FAMILY, rand);
    const rare = () => {
      const n = 2 + Math.floor(rand() * 2);
      let s = "";
      for (let i = 0; i < n; i++) s += pick(SYLLABLES);
      return s[0].toUpperCase() + s.slice(1);
    };
    const phone = () =>
      `+254 7${pad(Math.floor(rand() * 100), 2)} ${pad(Math.floor(rand() * 1000), 3)} ${
        pad(Math.floor(rand() * 1000), 3)
      }`;
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
        const g = rand() < 0.05 ? rare() : given();
        const f = rand() < 0.05 ? rare() : family();
        const born = new Date(Date.UTC(1935, 0, 1) + Math.floor(rand() * 88 * 365.25 * 86400e3));
        const visit = rand() < 0.6
          ? new Date(Date.parse(at) + Math.floor(rand() * (end - Date.parse(at)))).toISOString()
          : null;
        rows.push({
          id,
          orgId,
          createdAt: at,
          updatedAt: at,
          createdBy: adminId,
          updatedBy: adminId,
          version: 1,
          deletedAt: null,
          mrn: formatMrn(i + 1, { prefix: "MRN", digits: 6 }),
          givenName: g,
          middleName: rand() < 0.3 ? given() : null,
          familyName: f,
          birthDate: rand() < 0.95 ? born.toISOString().slice(0, 10) : null,
          sex: pick(SEXES),
          phone: rand() < 0.85 ? phone() : null,
          otherPhones: rand() < 0.1 ? [{ number: phone(), use: "home", note: null }] : [],
          email: rand() < 0.4 ? `${g}.${f}.${i + 1}@example.com`.toLowerCase() : null,
          nationalId: rand() < 0.7 ? pad(10_000_000 + Math.floor(rand() * 89_999_999), 8) : null,
          identifiers: rand() < 0.1
            ? [{ system: "passport", value: `AK${pad(Math.floor(rand() * 10_000_000), 7)}` }]
            : [],
          tags: rand() < 0.2 ? [pick(TAGS)] : [],
          status: pick(STATUSES),
          lastVisitAt: visit,
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

    if (opts.searchIndex ?? true) {
      await deps.db.transaction((tx) => rebuildSearchIndex(tx, orgId));
    }
    return { orgId, adminEmail, adminPassword: password, patientIds };
  } finally {
    await closeDeps(deps);
  }
}

export interface CachedBenchData extends Omit<BenchData, "patientIds"> {
  dataDir: string;
  /** True when this run seeded the data (false: reused from the cache). */
  seeded: boolean;
}

/**
 * Bench data kept under `./data/bench/<count>-v<SEED_VERSION>/` and reused by later runs, since
 * seeding a million patients takes minutes. A folder without its `meta.json` (an interrupted
 * seed) is wiped and seeded again. Runs against it add audit rows and sessions, nothing the
 * search and read benches depend on.
 */
export async function cachedBenchData(
  opts: { jwtSecret: string; count: number; root?: string },
): Promise<CachedBenchData> {
  const dataDir = `${opts.root ?? "./data/bench"}/${opts.count}-v${SEED_VERSION}`;
  const metaFile = `${dataDir}/meta.json`;
  try {
    const meta = JSON.parse(await Deno.readTextFile(metaFile));
    return { ...meta, dataDir, seeded: false };
  } catch { /* not seeded yet */ }
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dataDir, { recursive: true });
  const data = await seedBenchData({ dataDir, jwtSecret: opts.jwtSecret, count: opts.count });
  const meta = {
    orgId: data.orgId,
    adminEmail: data.adminEmail,
    adminPassword: data.adminPassword,
  };
  await Deno.writeTextFile(metaFile, JSON.stringify(meta));
  return { ...meta, dataDir, seeded: true };
}
