import { describe, expect, it } from "vitest";
import { callerRole } from "../../../functions/_shared/http/caller-role.ts";
import { signJwt } from "../../../local/keys/keys.ts";

const secret = "a-local-secret-of-enough-length-000";
const request = (authorization?: string) => new Request("http://x/", { method: "POST", ...(authorization ? { headers: { authorization } } : {}) });

describe("callerRole", () => {
  it("reads the role claim of the bearer token", async () => {
    expect(callerRole(request(`Bearer ${await signJwt(secret, { role: "service_role" }, 60)}`))).toBe("service_role");
    expect(callerRole(request(`Bearer ${await signJwt(secret, { role: "anon" }, 60)}`))).toBe("anon");
  });

  it("is undefined without a JWT, or with one that is not JSON inside", () => {
    expect(callerRole(request())).toBeUndefined();
    expect(callerRole(request("Bearer sb_secret_abc"))).toBeUndefined();
    expect(callerRole(request("Bearer aaa.!!!.bbb"))).toBeUndefined();
    expect(callerRole(request(`Basic ${btoa("a:b")}`))).toBeUndefined();
  });
});
