/**
 * The password policy (OWASP ASVS V2.1): long enough, long passwords and passphrases allowed, no
 * composition rules, and none of the most common passwords. Applied wherever a password is
 * chosen: registration, a new account by invitation, a change, a reset.
 *
 * The list is generated from `@zxcvbn-ts/language-common@4.1.3` (MIT licence, © Dan Wheeler,
 * Dropbox, Inc. and zxcvbn-ts): its 49,233 most common passwords, lower-cased, keeping the 17,950
 * of 8 characters or more, since no shorter one can pass the length rule (whose floor is 8).
 */
import { projectFile } from "../../../db/paths.ts";
import type { Config } from "../../lib/config.ts";
import { type FieldError, unprocessable } from "../../lib/errors.ts";

/** ASVS asks for at least 64; 128 leaves room for passphrases and keeps scrypt's input bounded. */
export const PASSWORD_MAX_LENGTH = 128;

let common: Set<string> | undefined;

function commonPasswords(): Set<string> {
  common ??= new Set(
    Deno.readTextFileSync(projectFile("src/modules/auth/common-passwords.txt")).split("\n")
      .filter(Boolean),
  );
  return common;
}

/** What is wrong with `password` under the policy, in words; undefined when it passes. */
export function passwordProblem(config: Pick<Config, "accounts">, password: string) {
  // Counted in characters as a person sees them (code points, after the same normalisation the
  // hash uses), not UTF-16 units.
  const length = [...password.normalize("NFKC")].length;
  const min = config.accounts.passwordMinLength;
  if (length < min) return `must be at least ${min} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (commonPasswords().has(password.toLowerCase())) {
    return "is one of the most common passwords; choose another";
  }
  return undefined;
}

/** Throws 422 naming `field` when `password` does not pass the policy. */
export function assertPasswordPolicy(
  config: Pick<Config, "accounts">,
  password: string,
  field = "password",
) {
  const problem = passwordProblem(config, password);
  if (problem) {
    const errors: FieldError[] = [{ path: field, in: "body", message: problem }];
    throw unprocessable(`The password ${problem}.`, errors);
  }
}

/** How many passwords the common list holds (the README and tests quote it). */
export const commonPasswordCount = () => commonPasswords().size;
