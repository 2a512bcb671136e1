/**
 * TOTP as RFC 6238 and the common authenticator apps define it (SHA-1, 6 digits, 30-second
 * steps), through otpauth, and recovery codes. A code is matched to its time step, one step of
 * drift either way, so that the caller can refuse a step already used.
 */
import * as OTPAuth from "otpauth";
import { randomBytes } from "node:crypto";
import { hashSecret } from "../../lib/secrets.ts";

export const PERIOD_SECONDS = 30;
export const DIGITS = 6;
export const RECOVERY_CODE_COUNT = 10;

const totpOf = (secret: string, label = "", issuer = "") =>
  new OTPAuth.TOTP({
    issuer,
    label,
    algorithm: "SHA1",
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: OTPAuth.Secret.fromBase32(secret),
  });

/** 160 random bits in base32, the size RFC 4226 recommends for SHA-1. */
export const newTotpSecret = () => new OTPAuth.Secret({ size: 20 }).base32;

export const otpauthUri = (secret: string, label: string, issuer: string) =>
  totpOf(secret, label, issuer).toString();

/** The code an authenticator app shows at `at` (tests, and the sync steps' clinic admin). */
export const totpCode = (secret: string, at: Date) =>
  totpOf(secret).generate({ timestamp: at.getTime() });

/** The time step `code` belongs to, within one step of `at`, or null when it matches none. */
export function matchStep(secret: string, code: string, at: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpOf(secret).validate({ token: code, timestamp: at.getTime(), window: 1 });
  if (delta === null) return null;
  return Math.floor(at.getTime() / 1000 / PERIOD_SECONDS) + delta;
}

const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** Ten codes of 16 characters (about 79 bits each), grouped by four for reading aloud. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(16);
    const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join("");
    return chars.match(/.{4}/g)!.join("-");
  });
}

/** Spaces, dashes and case do not matter when a code is typed back. */
export const hashRecoveryCode = (code: string) =>
  hashSecret(code.toLowerCase().replace(/[^a-z0-9]/g, ""), "mfa-recovery");
