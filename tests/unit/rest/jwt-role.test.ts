import { describe, expect, it } from "vitest";
import { RestError } from "../../../local/rest/errors.ts";
import { createRoleResolver } from "../../../local/rest/jwt-role.ts";
import { signJwt } from "../../../local/keys/keys.ts";

const secret = "s".repeat(40);
const resolve = createRoleResolver({ jwtSecret: secret, anonRole: "anon", allowedRoles: ["anon", "authenticated", "service_role"] });

async function rejection(headers: Record<string, string>): Promise<RestError> {
  try {
    await resolve(new Headers(headers));
  } catch (error) {
    if (error instanceof RestError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("role resolution", () => {
  it("no token is the anonymous role with claims {role: anon}", async () => {
    expect(await resolve(new Headers())).toEqual({ role: "anon", claimsJson: '{"role":"anon"}', authed: false });
  });
  it("takes Authorization first, else the apikey", async () => {
    const agent = await signJwt(secret, { role: "authenticated", agent_id: "agent.a" }, 60);
    const anonKey = await signJwt(secret, { role: "anon" }, 60);
    const both = await resolve(new Headers({ apikey: anonKey, authorization: `Bearer ${agent}` }));
    expect(both.role).toBe("authenticated");
    expect(JSON.parse(both.claimsJson)).toMatchObject({ agent_id: "agent.a" });
    expect((await resolve(new Headers({ apikey: anonKey }))).role).toBe("anon");
  });
  it("a token without a role claim is anonymous", async () => {
    const token = await signJwt(secret, { sub: "x" }, 60);
    expect(await resolve(new Headers({ authorization: `Bearer ${token}` }))).toMatchObject({ role: "anon", authed: false });
  });
  it("refuses forged, malformed, expired and unknown-role tokens with 401", async () => {
    const other = await signJwt("o".repeat(40), { role: "service_role" }, 60);
    expect((await rejection({ authorization: `Bearer ${other}` })).code).toBe("PGRST301");
    expect((await rejection({ authorization: "Bearer a.b" })).code).toBe("PGRST301");
    expect((await rejection({ authorization: "Basic abc" })).code).toBe("PGRST301");
    const expired = await signJwt(secret, { role: "anon" }, -10);
    expect((await rejection({ authorization: `Bearer ${expired}` })).message).toBe("JWT expired");
    const admin = await signJwt(secret, { role: "postgres" }, 60);
    const e = await rejection({ authorization: `Bearer ${admin}` });
    expect([e.status, e.code]).toEqual([401, "PGRST303"]);
    expect(e.headers["WWW-Authenticate"]).toMatch(/^Bearer/);
  });
});
