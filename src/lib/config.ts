/**
 * Configuration from environment variables, read once at start and validated with zod. A bad or
 * missing value stops the process with one message per variable (see `loadConfig`).
 */
import { z } from "zod";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { filePathOf } from "../../db/client.ts";

const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = typeof LOG_LEVELS[number];

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: z.string().min(1).default("0.0.0.0"),
  APP_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATA_DIR: z.string().min(1).default("./data"),
  DATABASE_URL: z.string().min(1).refine(
    (u) => /^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/|:memory:$)/.test(u),
    "must start with file:, libsql://, http(s):// or ws(s)://, or be :memory:",
  ).optional(),
  DATABASE_AUTH_TOKEN: z.string().min(1).optional(),
  DATABASE_SYNC_URL: z.string().url().optional(),
  DATABASE_SYNCHRONOUS: z.enum(["FULL", "NORMAL"]).default("FULL"),
  DATABASE_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  // Memory per embedded connection (three: reader, writer, audit writer): SQLite's page cache,
  // and how much of the file is memory-mapped (clean file pages the OS reclaims; 0: none).
  DATABASE_CACHE_SIZE_KIB: z.coerce.number().int().min(0).max(4_194_304).default(8192),
  DATABASE_MMAP_SIZE_MIB: z.coerce.number().int().min(0).max(1_048_576).default(0),
  JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  JWT_ISSUER: z.string().min(1).default("clinic-api"),
  JWT_AUDIENCE: z.string().min(1).default("clinic-api"),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  // A session ends after this long without a request or refresh (a desk left signed in), and
  // in any case this long after login (a shift). REFRESH_TOKEN_TTL_DAYS, the lifetime before
  // these existed, still sets the second when SESSION_MAX_HOURS is not given.
  SESSION_IDLE_TIMEOUT_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(30),
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(90 * 24).optional(),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(90).optional(),
  MFA_REQUIRED_FOR_SUPER_ADMIN: z.enum(["true", "false"]).default("false"),
  CORS_ORIGINS: z.string().default("").transform((s) =>
    s.split(",").map((o) => o.trim()).filter(Boolean)
  ).pipe(
    z.array(
      z.string().regex(/^(https?:\/\/[^/\s]+|\*)$/, "must be origins like https://app.example"),
    ),
  ),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  LOGIN_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  API_KEY_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
  // Accounts: ASVS allows 8 as a floor; 12 is the default the issue asks for.
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(64).default(12),
  REGISTRATION_TEMPORARY_HOURS: z.coerce.number().min(0).max(720).default(8),
  TRUST_PROXY: z.enum(["true", "false"]).default("false"),
  AUDIT_FLUSH_MS: z.coerce.number().int().min(10).max(10000).default(1000),
  SITE_CODE: z.string().regex(/^[A-Z0-9]{1,6}$/, "must be 1-6 capital letters or digits")
    .optional(),
  DOCUMENTS_DIR: z.string().min(1).optional(),
  DOCUMENT_MAX_BYTES: z.coerce.number().int().min(1024).default(20 * 1024 * 1024),
  IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024),
  IMPORT_MAX_ROWS: z.coerce.number().int().min(1).max(100_000).default(10_000),
  // Shape and expansion limits of an import, checked while the file is read (see read-file.ts).
  IMPORT_MAX_COLUMNS: z.coerce.number().int().min(2).max(16_384).default(200),
  IMPORT_MAX_CELL_CHARS: z.coerce.number().int().min(256).max(1_048_576).default(32_767),
  IMPORT_MAX_UNZIPPED_BYTES: z.coerce.number().int().min(1024 * 1024).default(64 * 1024 * 1024),
  IMPORT_MAX_CONCURRENT: z.coerce.number().int().min(1).max(64).default(2),
  SYNC_ROLE: z.enum(["standalone", "primary", "replica"]).default("standalone"),
  SYNC_PRIMARY_URL: z.string().url().optional(),
  SYNC_NODE_TOKEN: z.string().min(10).optional(),
  SYNC_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(30),
  SYNC_PUSH_MAX_BYTES: z.coerce.number().int().min(1024).default(32 * 1024 * 1024),
  // The front desk: which roles take appointments, and when reminders go out before one.
  BOOKABLE_ROLES: z.string().default("DOCTOR").transform((s) =>
    s.split(",").map((r) => r.trim()).filter(Boolean)
  ).pipe(
    z.array(z.enum(["ADMIN", "DOCTOR", "NURSE", "RECEPTION", "PHARMACY", "LAB", "FINANCE"]))
      .min(1),
  ),
  PRESCRIPTION_VALID_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  // Pharmacy alerts: a batch with stock expiring within this many days is "expiring".
  PHARMACY_EXPIRY_ALERT_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  PHARMACY_RETURN_DAYS: z.coerce.number().int().min(0).max(365).default(14),
  // A count variance of more units than this (either way) is posted only once an admin approves.
  PHARMACY_COUNT_VARIANCE_APPROVAL_UNITS: z.coerce.number().int().min(0).max(10_000_000)
    .default(10),
  // A daily close whose cash differs from the expected by more minor units than this waits for
  // an admin's sign-off.
  BILLING_CASHUP_VARIANCE_THRESHOLD: z.coerce.number().int().min(0).max(1_000_000_000)
    .default(1000),
  REMINDER_OFFSETS_MINUTES: z.string().default("1440,120").transform((s) =>
    s.split(",").map((m) => m.trim()).filter(Boolean).map(Number)
  ).pipe(z.array(z.number().int().min(1).max(43_200)).max(5)),
  // Notifications (notifications module): how often the worker looks for due ones, and the
  // channels it delivers to. A channel left unset fails its notifications with a clear error.
  NOTIFY_POLL_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
  NOTIFY_WEBHOOK_URL: z.string().url().refine((u) => /^https?:\/\//.test(u), "must be http(s)")
    .optional(),
  NOTIFY_WEBHOOK_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  SMTP_URL: z.string().regex(
    /^smtps?:\/\/[^\s]+$/,
    "must be smtp://user:pass@host:port or smtps://",
  )
    .optional(),
  NOTIFY_EMAIL_FROM: z.string().min(3).max(320).optional(),
}).superRefine((e, ctx) => {
  // A replica needs exactly these two; it learns everything else from the primary.
  if (e.SYNC_ROLE !== "replica") return;
  for (const name of ["SYNC_PRIMARY_URL", "SYNC_NODE_TOKEN"] as const) {
    if (!e[name]) ctx.addIssue({ code: "custom", path: [name], message: "required for a replica" });
  }
})
  // Each notification channel needs what signs or addresses its messages.
  .superRefine((e, ctx) => {
    const need = (name: keyof typeof e, when: string) =>
      ctx.addIssue({ code: "custom", path: [name], message: `required when ${when} is set` });
    if (e.NOTIFY_WEBHOOK_URL && !e.NOTIFY_WEBHOOK_SECRET) {
      need("NOTIFY_WEBHOOK_SECRET", "NOTIFY_WEBHOOK_URL");
    }
    if (e.SMTP_URL && !e.NOTIFY_EMAIL_FROM) need("NOTIFY_EMAIL_FROM", "SMTP_URL");
  });

export interface Config {
  port: number;
  host: string;
  env: "development" | "production" | "test";
  dataDir: string;
  database: {
    url: string;
    authToken?: string;
    syncUrl?: string;
    synchronous: "FULL" | "NORMAL";
    /** How long a write waits for another process's write lock before answering 503. */
    busyTimeoutMs: number;
    /** SQLite page cache per connection, in KiB. */
    cacheSizeKiB: number;
    /** Bytes of the file each connection memory-maps (0: none). */
    mmapSizeBytes: number;
  };
  jwt: {
    secret: string;
    issuer: string;
    audience: string;
    accessTtlSeconds: number;
  };
  /** Idle timeout and absolute lifetime of a session (its refresh and access tokens). */
  sessions: { idleTimeoutMinutes: number; maxHours: number };
  /** Platform super admins must log in with a second factor. */
  mfa: { requiredForSuperAdmin: boolean };
  corsOrigins: string[];
  logLevel: LogLevel;
  bodyLimitBytes: number;
  loginRateLimit: { max: number; windowSeconds: number };
  /** Requests a minute one API key may make (per process, like the login limits). */
  apiKeyRateLimit: number;
  /** Self-registration and passwords (auth module). */
  accounts: {
    passwordMinLength: number;
    /** How long a self-registered account works before an ADMIN decides; 0: not at all. */
    registrationTemporaryHours: number;
  };
  auditFlushMs: number;
  /** One reverse proxy in front: take the client address from X-Forwarded-For. */
  trustProxy: boolean;
  /** This site's code in MRNs allocated here (clinic replicas registering offline). */
  siteCode: string | null;
  documents: { dir: string; maxBytes: number };
  imports: {
    maxBytes: number;
    maxRows: number;
    maxColumns: number;
    maxCellChars: number;
    /** XLSX parts as inflated (shared strings counted each time a cell uses them). */
    maxUnzippedBytes: number;
    /** Files read at once by this process; one more answers 429. */
    maxConcurrent: number;
  };
  /** Clinic replicas: this node's part, and for a replica how it reaches its primary. */
  sync: {
    role: "standalone" | "primary" | "replica";
    primaryUrl: string | null;
    nodeToken: string | null;
    intervalSeconds: number;
    /** Largest push batch a primary reads (a replica sends up to 1,000 changes at once). */
    pushMaxBytes: number;
  };
  /** The front desk (scheduling module). */
  scheduling: {
    /** Roles whose members take appointments (practitioners). */
    bookableRoles: string[];
    /** Reminders go out this many minutes before an appointment, one per value. */
    reminderOffsetsMinutes: number[];
  };
  /** The notification outbox's worker and channels (notifications module). */
  notifications: {
    /** How often the worker looks for due notifications; 0: this process delivers none. */
    pollMs: number;
    webhook: { url: string; secret: string } | null;
    /** `url` holds the SMTP credentials: never log it. */
    smtp: { url: string; from: string } | null;
  };
  /** Clinical care: how long a prescription is valid by default. */
  clinical: { prescriptionValidDays: number };
  pharmacy: {
    expiryAlertDays: number;
    /** Medicines are taken back into stock within this many days of dispensing. */
    returnDays: number;
    /** Count variances above this many units need an admin's approval before posting. */
    countVarianceApprovalUnits: number;
  };
  /** Billing: a daily close varying by more minor units than this needs an admin's sign-off. */
  billing: { cashUpVarianceThreshold: number };
  /** scrypt cost as log2(N): 17 (CONTRIBUTING.md, "Conventions"); tests lower it for speed. */
  passwordLogN: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Parses an environment into a Config, or throws ConfigError listing every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const databaseUrl = e.DATABASE_URL ?? `file:${join(e.DATA_DIR, "clinic.db")}`;
  const secret = e.JWT_SECRET ?? developmentSecret(e.APP_ENV, e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    env: e.APP_ENV,
    dataDir: e.DATA_DIR,
    database: {
      url: databaseUrl,
      authToken: e.DATABASE_AUTH_TOKEN,
      syncUrl: e.DATABASE_SYNC_URL,
      synchronous: e.DATABASE_SYNCHRONOUS,
      busyTimeoutMs: e.DATABASE_BUSY_TIMEOUT_MS,
      cacheSizeKiB: e.DATABASE_CACHE_SIZE_KIB,
      mmapSizeBytes: e.DATABASE_MMAP_SIZE_MIB * 2 ** 20,
    },
    jwt: {
      secret,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      accessTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    },
    sessions: {
      idleTimeoutMinutes: e.SESSION_IDLE_TIMEOUT_MINUTES,
      maxHours: e.SESSION_MAX_HOURS ??
        (e.REFRESH_TOKEN_TTL_DAYS !== undefined ? e.REFRESH_TOKEN_TTL_DAYS * 24 : 12),
    },
    mfa: { requiredForSuperAdmin: e.MFA_REQUIRED_FOR_SUPER_ADMIN === "true" },
    corsOrigins: e.CORS_ORIGINS,
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    loginRateLimit: { max: e.LOGIN_RATE_LIMIT, windowSeconds: e.LOGIN_RATE_WINDOW_SECONDS },
    apiKeyRateLimit: e.API_KEY_RATE_LIMIT,
    accounts: {
      passwordMinLength: e.PASSWORD_MIN_LENGTH,
      registrationTemporaryHours: e.REGISTRATION_TEMPORARY_HOURS,
    },
    auditFlushMs: e.AUDIT_FLUSH_MS,
    trustProxy: e.TRUST_PROXY === "true",
    siteCode: e.SITE_CODE ?? null,
    documents: {
      dir: e.DOCUMENTS_DIR ?? join(e.DATA_DIR, "documents"),
      maxBytes: e.DOCUMENT_MAX_BYTES,
    },
    imports: {
      maxBytes: e.IMPORT_MAX_BYTES,
      maxRows: e.IMPORT_MAX_ROWS,
      maxColumns: e.IMPORT_MAX_COLUMNS,
      maxCellChars: e.IMPORT_MAX_CELL_CHARS,
      maxUnzippedBytes: e.IMPORT_MAX_UNZIPPED_BYTES,
      maxConcurrent: e.IMPORT_MAX_CONCURRENT,
    },
    sync: {
      role: e.SYNC_ROLE,
      primaryUrl: e.SYNC_PRIMARY_URL ?? null,
      nodeToken: e.SYNC_NODE_TOKEN ?? null,
      intervalSeconds: e.SYNC_INTERVAL_SECONDS,
      pushMaxBytes: e.SYNC_PUSH_MAX_BYTES,
    },
    scheduling: {
      bookableRoles: e.BOOKABLE_ROLES,
      reminderOffsetsMinutes: e.REMINDER_OFFSETS_MINUTES,
    },
    notifications: {
      pollMs: e.NOTIFY_POLL_MS,
      webhook: e.NOTIFY_WEBHOOK_URL
        ? { url: e.NOTIFY_WEBHOOK_URL, secret: e.NOTIFY_WEBHOOK_SECRET! }
        : null,
      smtp: e.SMTP_URL ? { url: e.SMTP_URL, from: e.NOTIFY_EMAIL_FROM! } : null,
    },
    clinical: { prescriptionValidDays: e.PRESCRIPTION_VALID_DAYS },
    pharmacy: {
      expiryAlertDays: e.PHARMACY_EXPIRY_ALERT_DAYS,
      returnDays: e.PHARMACY_RETURN_DAYS,
      countVarianceApprovalUnits: e.PHARMACY_COUNT_VARIANCE_APPROVAL_UNITS,
    },
    billing: { cashUpVarianceThreshold: e.BILLING_CASHUP_VARIANCE_THRESHOLD },
    passwordLogN: 17,
  };
}

/**
 * Production must be given JWT_SECRET. Elsewhere a secret is generated once and kept in the data
 * folder, so tokens survive restarts of a development server.
 */
function developmentSecret(env: string, dataDir: string): string {
  if (env === "production") {
    throw new ConfigError(["JWT_SECRET: required when APP_ENV=production"]);
  }
  const file = join(dataDir, ".jwt-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = randomBytes(48).toString("base64url");
  mkdirSync(dirname(file), { recursive: true });
  try {
    // Exclusive create: of two processes starting together, one writes and both use its secret.
    writeFileSync(file, secret + "\n", { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as { code?: string }).code === "EEXIST") return readFileSync(file, "utf8").trim();
    throw err;
  }
  console.warn(
    `warning: JWT_SECRET is not set; generated a development secret in ${file}. ` +
      "Set JWT_SECRET in production.",
  );
  return secret;
}

/** Reads Deno's environment; on a bad value prints every problem and exits with status 1. */
export function loadConfig(): Config {
  try {
    return parseConfig(Deno.env.toObject());
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      Deno.exit(1);
    }
    throw err;
  }
}

/** An embedded database in a file (not `:memory:`, not a remote server). */
export function isEmbeddedFile(config: Config) {
  const path = filePathOf(config.database.url);
  return path !== null && path !== ":memory:";
}
