import { randomBytes } from "node:crypto";
import { readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { SignJWT, jwtVerify, type JWTPayload } from "jose";
import { z } from "zod";

/**
 * The local project's keys: a JWT secret generated once per install (kept in the state folder,
 * never committed) and the anon and service-role keys signed with it, as `supabase start` prints.
 */
export interface ProjectKeys {
  jwtSecret: string;
  anonKey: string;
  serviceRoleKey: string;
}

const KeysFile = z.object({ jwtSecret: z.string().min(32), anonKey: z.string(), serviceRoleKey: z.string() });

const TEN_YEARS_S = 10 * 365 * 24 * 3600;

export function secretKey(jwtSecret: string): Uint8Array {
  return new TextEncoder().encode(jwtSecret);
}

/** Signs claims with the project secret (HS256), as Supabase's keys and user tokens are signed. */
export async function signJwt(jwtSecret: string, claims: JWTPayload, expiresInSeconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(secretKey(jwtSecret));
}

/** Verifies signature and expiry; throws jose's errors otherwise. */
export async function verifyJwt(jwtSecret: string, token: string): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, secretKey(jwtSecret), { algorithms: ["HS256"] });
  return payload;
}

export async function loadOrCreateKeys(stateDir: string): Promise<ProjectKeys> {
  const file = path.join(stateDir, "keys.json");
  const existing = await readFile(file, "utf8").then((t) => KeysFile.safeParse(JSON.parse(t)), () => undefined);
  if (existing?.success) return existing.data;
  const jwtSecret = randomBytes(32).toString("base64url");
  const keys: ProjectKeys = {
    jwtSecret,
    anonKey: await signJwt(jwtSecret, { iss: "supabase-demo", role: "anon" }, TEN_YEARS_S),
    serviceRoleKey: await signJwt(jwtSecret, { iss: "supabase-demo", role: "service_role" }, TEN_YEARS_S),
  };
  await mkdir(stateDir, { recursive: true });
  await writeFile(file, JSON.stringify(keys, null, 2) + "\n", { mode: 0o600 });
  return keys;
}
