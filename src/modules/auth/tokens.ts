/**
 * Access tokens (HS256 JWT, algorithm pinned on verify, iss/aud/exp checked) and refresh tokens
 * (random, stored only as SHA-256 hashes).
 */
import { sign, verify } from "hono/jwt";
import type { Config } from "../../lib/config.ts";
import type { Clock } from "../../lib/clock.ts";
import { unauthorized } from "../../lib/errors.ts";
import type { Role } from "../../lib/permissions.ts";
import { hashSecret, newSecret } from "../../lib/secrets.ts";
import type { AccessClaims, TokenService } from "../../lib/services.ts";

export const hashToken = (token: string) => hashSecret(token);

export function createTokenService(config: Config["jwt"], clock: Clock): TokenService {
  // Verifying costs an HMAC through WebCrypto per request; the result of a successful check is
  // kept until the token expires. Losing this cache (restart, another process) only costs time.
  const verified = new Map<string, AccessClaims>();
  const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);

  return {
    async signAccess(claims) {
      const iat = nowSeconds();
      const token = await sign(
        {
          ...claims,
          iss: config.issuer,
          aud: config.audience,
          iat,
          exp: iat + config.accessTtlSeconds,
          jti: crypto.randomUUID(),
        },
        config.secret,
        "HS256",
      );
      return { token, expiresIn: config.accessTtlSeconds };
    },
    async verifyAccess(token) {
      const cached = verified.get(token);
      if (cached) {
        if (cached.exp > nowSeconds()) return cached;
        verified.delete(token);
        throw unauthorized("The access token has expired.");
      }
      let payload: Record<string, unknown>;
      try {
        // Times are checked below against the app's clock, not hono's reading of the system
        // clock, so that one clock decides (tests and servers alike).
        payload = await verify(token, config.secret, {
          alg: "HS256",
          iss: config.issuer,
          aud: config.audience,
          exp: false,
          iat: false,
          nbf: false,
        });
      } catch {
        throw unauthorized("The access token is invalid or expired.");
      }
      // hono/jwt checks exp only when present; a token that never expires is not one we issued.
      if (
        typeof payload.sub !== "string" || typeof payload.sid !== "string" ||
        typeof payload.exp !== "number"
      ) {
        throw unauthorized("The access token is invalid.");
      }
      const claims: AccessClaims = {
        sub: payload.sub,
        sid: payload.sid,
        org: typeof payload.org === "string" ? payload.org : null,
        role: payload.role as Role,
        exp: Number(payload.exp),
      };
      if (claims.exp <= nowSeconds()) throw unauthorized("The access token has expired.");
      // Issued in the future: not by this clock (a minute of slack for clocks apart).
      if (typeof payload.iat === "number" && payload.iat > nowSeconds() + 60) {
        throw unauthorized("The access token is invalid.");
      }
      if (verified.size >= 50_000) verified.clear();
      verified.set(token, claims);
      return claims;
    },
    newRefreshToken() {
      const token = newSecret();
      return { token, hash: hashToken(token) };
    },
  };
}
