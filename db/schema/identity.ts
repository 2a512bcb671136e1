import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { businessColumns } from "./columns.ts";

/** A tenant. Its own id is its org_id, so the row follows the same conventions as the rest. */
export const organizations = sqliteTable("organizations", {
  ...businessColumns(),
  name: text("name").notNull(),
  code: text("code").notNull(),
  type: text("type").notNull(),
  practiceSystems: text("practice_systems", { mode: "json" }).$type<string[]>().notNull(),
  timezone: text("timezone").notNull(),
  currency: text("currency").notNull(),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  /** MRN = prefix + the organisation's counter zero-padded to `mrn_digits`. */
  mrnPrefix: text("mrn_prefix").notNull().default("MRN"),
  mrnDigits: integer("mrn_digits").notNull().default(6),
  /** Its ADMINs must use two-factor authentication. */
  requireMfaForAdmins: integer("require_mfa_for_admins", { mode: "boolean" }).notNull()
    .default(false),
}, (t) => [uniqueIndex("organizations_code_uq").on(t.code)]);

export const facilities = sqliteTable("facilities", {
  ...businessColumns(),
  name: text("name").notNull(),
  code: text("code").notNull(),
  address: text("address"),
  phone: text("phone"),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
}, (t) => [uniqueIndex("facilities_org_code_uq").on(t.orgId, t.code)]);

/**
 * A person who can log in. Users are platform-wide (one email, one password) and reach an
 * organisation through a membership, so `org_id` here is the organisation that created them.
 */
export const users = sqliteTable("users", {
  ...businessColumns(),
  email: text("email").notNull(),
  fullName: text("full_name").notNull(),
  passwordHash: text("password_hash").notNull(),
  isSuperAdmin: integer("is_super_admin", { mode: "boolean" }).notNull().default(false),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  phone: text("phone"),
  /** When the password last changed: sessions opened before it end, here and at replicas. */
  passwordChangedAt: text("password_changed_at"),
}, (t) => [uniqueIndex("users_email_uq").on(t.email)]);

export const memberships = sqliteTable("memberships", {
  ...businessColumns(),
  userId: text("user_id").notNull().references(() => users.id),
  role: text("role").notNull(),
  facilityId: text("facility_id").references(() => facilities.id),
  employeeId: text("employee_id").notNull(),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  /**
   * approved | pending (self-registered, waiting for an ADMIN) | rejected. A pending membership
   * works with its role until `temporaryUntil`.
   */
  status: text("status").notNull().default("approved"),
  requestedRole: text("requested_role"),
  temporaryUntil: text("temporary_until"),
  decidedBy: text("decided_by"),
  decidedAt: text("decided_at"),
  decisionReason: text("decision_reason"),
}, (t) => [
  uniqueIndex("memberships_org_user_uq").on(t.orgId, t.userId),
  uniqueIndex("memberships_org_employee_uq").on(t.orgId, t.employeeId),
  index("memberships_user_idx").on(t.userId),
]);

/**
 * An organisation's invitation to join it with a role. Accounts belong to people, so an admin
 * never attaches an account directly: the person accepts with the code (stored only as its hash)
 * and their password, and only then does a membership exist. `email` and `full_name` are what the
 * admin typed; they say nothing about any account that may exist with that address.
 */
export const invitations = sqliteTable("invitations", {
  ...businessColumns(),
  email: text("email").notNull(),
  fullName: text("full_name").notNull(),
  role: text("role").notNull(),
  facilityId: text("facility_id").references(() => facilities.id),
  codeHash: text("code_hash").notNull(),
  /** pending | accepted | revoked; an expired pending invitation is read as expired. */
  status: text("status").notNull().default("pending"),
  expiresAt: text("expires_at").notNull(),
  /** Wrong passwords given with this code; at the limit the invitation is revoked. */
  failedAttempts: integer("failed_attempts").notNull().default(0),
  acceptedAt: text("accepted_at"),
  acceptedBy: text("accepted_by").references(() => users.id),
}, (t) => [
  uniqueIndex("invitations_code_uq").on(t.codeHash),
  index("invitations_org_status_idx").on(t.orgId, t.status),
]);

/**
 * A login session: one per successful login or organisation switch. Access tokens carry its id
 * (`sid`), so logging out or deactivating a user takes effect on the very next request.
 */
export const sessions = sqliteTable("sessions", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id),
  orgId: text("org_id"),
  createdAt: text("created_at").notNull(),
  expiresAt: text("expires_at").notNull(),
  revokedAt: text("revoked_at"),
  revokedReason: text("revoked_reason"),
  ip: text("ip"),
  userAgent: text("user_agent"),
  /** The browser and system the user agent names, for the session list ("Firefox on Android"). */
  device: text("device"),
  /** Last refresh or request seen: the idle timeout counts from here. */
  lastUsedAt: text("last_used_at"),
  /** Opened by an API key rather than a person (no refresh tokens). */
  apiKeyId: text("api_key_id"),
}, (t) => [index("sessions_user_idx").on(t.userId)]);

/**
 * Refresh tokens, stored only as SHA-256 hashes. Each refresh rotates the token within its
 * session; presenting an already-rotated token again is treated as theft and revokes the session.
 */
export const refreshTokens = sqliteTable("refresh_tokens", {
  id: text("id").primaryKey(),
  tokenHash: text("token_hash").notNull(),
  sessionId: text("session_id").notNull().references(() => sessions.id),
  createdAt: text("created_at").notNull(),
  rotatedAt: text("rotated_at"),
}, (t) => [
  uniqueIndex("refresh_tokens_hash_uq").on(t.tokenHash),
  index("refresh_tokens_session_idx").on(t.sessionId),
]);

/** Per-organisation counters for human numbers (MRN, employee ids), bumped inside the write. */
export const sequences = sqliteTable("sequences", {
  orgId: text("org_id").notNull(),
  name: text("name").notNull(),
  value: integer("value").notNull(),
}, (t) => [uniqueIndex("sequences_org_name_uq").on(t.orgId, t.name)]);
