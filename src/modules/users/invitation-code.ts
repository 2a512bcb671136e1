/**
 * Invitation codes: 12 characters of Crockford base32 (60 random bits), grouped for reading aloud
 * (`7KQ2-M9XD-4HTR`). Only the SHA-256 of the normalised code is stored, so a database copy
 * cannot be used to join an organisation; login-style rate limits make guessing hopeless.
 */
import { randomBytes } from "node:crypto";
import { hashSecret } from "../../lib/secrets.ts";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function newInvitationCode(): { code: string; hash: string } {
  const bytes = randomBytes(12);
  const chars = Array.from(bytes, (b) => ALPHABET[b & 31]).join("");
  const code = `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
  return { code, hash: hashInvitationCode(code) };
}

/** Case, spaces and hyphens do not matter; O, I and L read as 0, 1 and 1 (Crockford). */
export function hashInvitationCode(code: string): string {
  const normal = code.toUpperCase().replace(/[^0-9A-Z]/g, "").replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  return hashSecret(normal, "invitation");
}
