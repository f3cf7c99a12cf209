import { errors as joseErrors } from "jose";
import { verifyJwt } from "../keys/keys.ts";
import { jwtClaimsInvalid, jwtInvalid } from "./errors.ts";

/**
 * Who the request is: the database role and the JWT claims PostgREST would use (contracts §6.1).
 * The token comes from `Authorization: Bearer …`, or — as the Supabase API gateway does — from the
 * `apikey` header when no Authorization is sent; no token at all means the anonymous role.
 * A token's `role` claim selects the role (missing ⇒ anonymous); only `allowedRoles` may be used.
 */
export interface RequestAuth {
  role: string;
  /** The claims as JSON text, exactly what `request.jwt.claims` is set to. */
  claimsJson: string;
  /** The role is not the anonymous role (PostgREST's "authed": 42501 becomes 403 instead of 401). */
  authed: boolean;
}

export interface RoleResolverOptions {
  jwtSecret: string;
  anonRole: string;
  /** Roles a JWT may select; anything else is refused with 401 PGRST303. */
  allowedRoles: readonly string[];
  /** How many verified tokens to remember (verification is the costliest step of a small request). */
  cacheSize?: number;
}

export type RoleResolver = (headers: Headers) => Promise<RequestAuth>;

interface CachedToken {
  auth: RequestAuth;
  /** Epoch ms after which the token must be verified again (its exp), or Infinity. */
  validUntil: number;
}

function bearerToken(headers: Headers): string | undefined {
  const authorization = headers.get("authorization");
  if (authorization !== null) {
    const match = /^bearer\s+(.+)$/i.exec(authorization.trim());
    if (!match?.[1]) throw jwtInvalid("Invalid Authorization header: expected 'Bearer <token>'");
    return match[1].trim();
  }
  const apikey = headers.get("apikey")?.trim();
  return apikey ? apikey : undefined;
}

function describeJwtFailure(error: unknown): Error {
  if (error instanceof joseErrors.JWTExpired) return jwtClaimsInvalid("JWT expired");
  if (error instanceof joseErrors.JWTClaimValidationFailed) return jwtClaimsInvalid(`JWT claim validation failed: ${error.claim}`);
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return jwtInvalid("JWSError JWSInvalidSignature");
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return jwtInvalid("Wrong or unsupported encoding algorithm");
  return jwtInvalid("Invalid JWT: it could not be decoded");
}

function partsError(token: string): Error | undefined {
  const parts = token.split(".").length;
  return parts === 3 ? undefined : jwtInvalid(`Expected 3 parts in JWT; got ${parts}`);
}

export function createRoleResolver(options: RoleResolverOptions): RoleResolver {
  const cacheSize = options.cacheSize ?? 1000;
  const cache = new Map<string, CachedToken>();
  const anonymous: RequestAuth = { role: options.anonRole, claimsJson: JSON.stringify({ role: options.anonRole }), authed: false };

  const verify = async (token: string): Promise<CachedToken> => {
    const malformed = partsError(token);
    if (malformed) throw malformed;
    let claims: Record<string, unknown>;
    try {
      claims = await verifyJwt(options.jwtSecret, token) as Record<string, unknown>;
    } catch (error) {
      throw describeJwtFailure(error);
    }
    const claimed = claims.role;
    if (claimed !== undefined && typeof claimed !== "string") throw jwtClaimsInvalid("JWT claim 'role' must be a string");
    const role = claimed ?? options.anonRole;
    if (!options.allowedRoles.includes(role)) throw jwtClaimsInvalid(`JWT role '${role}' is not allowed`);
    const auth: RequestAuth = { role, claimsJson: JSON.stringify(claimed === undefined ? { ...claims, role } : claims), authed: role !== options.anonRole };
    const exp = typeof claims.exp === "number" ? claims.exp * 1000 : Infinity;
    return { auth, validUntil: exp };
  };

  return async (headers) => {
    const token = bearerToken(headers);
    if (token === undefined) return anonymous;
    const hit = cache.get(token);
    if (hit && hit.validUntil > Date.now()) return hit.auth;
    if (hit) cache.delete(token);
    const fresh = await verify(token);
    if (cache.size >= cacheSize) cache.clear();
    cache.set(token, fresh);
    return fresh.auth;
  };
}
