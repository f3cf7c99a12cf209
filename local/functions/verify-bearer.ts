import { verifyJwt } from "../keys/keys.ts";

/**
 * The edge gateway's verify_jwt check (contracts §7.2): a Bearer token signed with the project's
 * secret and not expired. Returns the refusal message, or undefined when the token is good.
 */
export async function verifyBearer(authorization: string | null, jwtSecret: string): Promise<string | undefined> {
  if (!authorization) return "Error: Missing authorization header";
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match?.[1]) return "Error: Auth header is not 'Bearer {token}'";
  try {
    await verifyJwt(jwtSecret, match[1]);
    return undefined;
  } catch {
    return "Invalid JWT";
  }
}
