import { errors as joseErrors, decodeJwt } from "jose";
import { verifyJwt } from "../keys/keys.ts";

/**
 * JWT checks as Realtime makes them (contracts §2.4, §3.1): the token must verify with the project
 * secret and carry `role` and `exp`. Failures are values with a stable code and Realtime's wording;
 * tokens never appear in messages or logs.
 */
export interface RealtimeClaims {
  role: string;
  exp: number;
  sub?: string;
  [claim: string]: unknown;
}

export type JwtFailureCode = "missing_token" | "expired_token" | "missing_claims" | "invalid_token";

export type JwtCheck = { ok: true; claims: RealtimeClaims } | { ok: false; code: JwtFailureCode; message: string };

export async function checkRealtimeJwt(jwtSecret: string, token: string | null | undefined, now: () => number = Date.now): Promise<JwtCheck> {
  if (!token) return { ok: false, code: "missing_token", message: "You must provide a JWT (apikey)" };
  let claims: Record<string, unknown>;
  try {
    claims = await verifyJwt(jwtSecret, token);
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      const exp = expOf(token);
      const ago = exp === undefined ? 0 : Math.max(0, Math.floor(now() / 1000) - exp);
      return { ok: false, code: "expired_token", message: `Token has expired ${ago} seconds ago` };
    }
    return { ok: false, code: "invalid_token", message: "The token provided is not a valid JWT or its signature does not match" };
  }
  if (typeof claims.role !== "string" || claims.role === "" || typeof claims.exp !== "number") {
    return { ok: false, code: "missing_claims", message: "Fields `role` and `exp` are required in JWT" };
  }
  return { ok: true, claims: claims as RealtimeClaims };
}

function expOf(token: string): number | undefined {
  try {
    const exp = decodeJwt(token).exp;
    return typeof exp === "number" ? exp : undefined;
  } catch {
    return undefined;
  }
}

/** Keys of the new API-key format are not JWTs; in `access_token` Realtime ignores them (contracts §2.4). */
export function isOpaqueApiKey(token: string): boolean {
  return token.startsWith("sb_");
}
