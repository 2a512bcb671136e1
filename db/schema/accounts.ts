/**
 * Account security beyond the password: reset codes, two-factor authentication (TOTP) with its
 * recovery codes and login challenges, and API keys for integrations. Codes and secrets are
 * stored only as hashes, except the TOTP secret, which the server needs to check codes.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { businessColumns } from "./columns.ts";
import { users } from "./identity.ts";

/**
 * A 6-digit password-reset code, hashed, valid 30 minutes, at most 5 attempts; a new one voids
 * the earlier. Stays on the node that issued it.
 */
export const passwordResetCodes = sqliteTable("password_reset_codes", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id),
  orgId: text("org_id"),
  codeHash: text("code_hash").notNull(),
  createdAt: text("created_at").notNull(),
  expiresAt: text("expires_at").notNull(),
  attempts: integer("attempts").notNull().default(0),
  /** used | voided | exhausted: the code no longer works. */
  endedAt: text("ended_at"),
  endedReason: text("ended_reason"),
  /** Who asked: the user (email/employee id) or an ADMIN handing it over. */
  issuedBy: text("issued_by"),
}, (t) => [index("password_reset_codes_user_idx").on(t.userId, t.endedAt)]);

/**
 * A user's confirmed second factor: the TOTP secret (base32), the last time step accepted (a code
 * is never accepted twice), and the recovery codes' hashes (each used once). It syncs so that
 * the user can log in at any clinic; an enrolment not yet confirmed stays where it started.
 */
export const userMfa = sqliteTable("user_mfa", {
  ...businessColumns(),
  userId: text("user_id").notNull().references(() => users.id),
  secret: text("secret").notNull(),
  /** pending (enrolled, not confirmed) | active */
  status: text("status").notNull(),
  confirmedAt: text("confirmed_at"),
  lastStep: integer("last_step"),
  /** [{hash, usedAt|null}] */
  recoveryCodes: text("recovery_codes", { mode: "json" })
    .$type<{ hash: string; usedAt: string | null }[]>().notNull(),
}, (t) => [uniqueIndex("user_mfa_user_uq").on(t.userId)]);

/** The first step of a two-step login: password checked, waiting for the code. Local, minutes. */
export const mfaChallenges = sqliteTable("mfa_challenges", {
  id: text("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id),
  orgId: text("org_id"),
  tokenHash: text("token_hash").notNull(),
  createdAt: text("created_at").notNull(),
  expiresAt: text("expires_at").notNull(),
  attempts: integer("attempts").notNull().default(0),
  usedAt: text("used_at"),
  ip: text("ip"),
  userAgent: text("user_agent"),
}, (t) => [uniqueIndex("mfa_challenges_token_uq").on(t.tokenHash)]);

/**
 * An integration's key: shown once, stored as its hash with a visible prefix, scoped to
 * permissions, acting as its own service identity in the audit trail.
 */
export const apiKeys = sqliteTable("api_keys", {
  ...businessColumns(),
  name: text("name").notNull(),
  /** The first characters of the key, shown in lists ("ck_live_3Fa9…"). */
  prefix: text("prefix").notNull(),
  keyHash: text("key_hash").notNull(),
  permissions: text("permissions", { mode: "json" }).$type<string[]>().notNull(),
  expiresAt: text("expires_at"),
  lastUsedAt: text("last_used_at"),
  revokedAt: text("revoked_at"),
  revokedBy: text("revoked_by"),
}, (t) => [
  uniqueIndex("api_keys_hash_uq").on(t.keyHash),
  index("api_keys_org_idx").on(t.orgId, t.revokedAt),
]);
