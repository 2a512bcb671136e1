/**
 * Secrets handed out once and kept only as hashes: refresh tokens, node credentials, invitation
 * codes. One way to make them and one way to store them, so none is kept in plain text.
 */
import { createHash, randomBytes } from "node:crypto";

/** 256 random bits, URL-safe, after an optional prefix that says what the secret is (`cn_`). */
export const newSecret = (prefix = "") => `${prefix}${randomBytes(32).toString("base64url")}`;

/**
 * What is stored of a secret: its SHA-256 in hex. A `purpose` keeps one kind's hash from ever
 * matching another's (refresh tokens have none, as they were first stored without one).
 */
export const hashSecret = (value: string, purpose?: string) =>
  createHash("sha256").update(purpose ? `${purpose}:${value}` : value).digest("hex");
