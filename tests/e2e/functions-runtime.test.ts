import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, stack } from "../setup/clients.ts";
import { createTempFunction, type TempFunction } from "../setup/temp-function.ts";

const s = stack();

async function sign(secret: string, claims: Record<string, unknown>, expiresIn: string | number): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

describe("edge functions in real Deno at /functions/v1", () => {
  let fn: TempFunction;

  beforeAll(async () => {
    fn = await createTempFunction("echo.ts");
    // A new folder is picked up without restarting the stack.
    await eventually(async () => {
      const r = await fetch(fn.url, { headers: { authorization: `Bearer ${s.anonKey}` } });
      return r.status === 200 ? true : undefined;
    }, { timeoutMs: 20_000, what: "the new function to be served" });
  });
  afterAll(async () => { await fn.remove(); });

  it("serves a function with the platform environment and the path the function sees on hosted Supabase", async () => {
    const r = await fetch(`${fn.url}/sub/path?x=1`, {
      method: "POST", body: JSON.stringify({ a: 1 }),
      headers: { authorization: `Bearer ${s.serviceRoleKey}`, "content-type": "application/json" },
    });
    expect(r.status).toBe(200);
    const body = await r.json();
    expect(body).toMatchObject({
      method: "POST", path: `/${fn.name}/sub/path`, body: '{"a":1}', hasAuthorization: true,
      env: { SUPABASE_URL: true, SUPABASE_ANON_KEY: true, SUPABASE_SERVICE_ROLE_KEY: true, SUPABASE_DB_URL: true },
    });
  });

  it("refuses requests without a valid JWT when verify_jwt is on (the default)", async () => {
    const none = await fetch(fn.url);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ msg: "Error: Missing authorization header" });

    const otherSecret = await sign("another-secret-another-secret-another", { role: "anon" }, "1h");
    const forged = await fetch(fn.url, { headers: { authorization: `Bearer ${otherSecret}` } });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ msg: "Invalid JWT" });

    const expired = await sign(s.jwtSecret, { role: "anon" }, Math.floor(Date.now() / 1000) - 60);
    expect((await fetch(fn.url, { headers: { authorization: `Bearer ${expired}` } })).status).toBe(401);

    const notBearer = await fetch(fn.url, { headers: { authorization: `Basic ${s.anonKey}` } });
    expect(notBearer.status).toBe(401);

    for (const key of [s.anonKey, s.serviceRoleKey]) {
      expect((await fetch(fn.url, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
    }
  });

  it("does not check JWTs of a function with verify_jwt = false in config.toml", async () => {
    const r = await fetch(`${s.apiUrl}/functions/v1/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: "ok" });
  });

  it("answers 500 when the function throws, and keeps serving", async () => {
    const auth = { authorization: `Bearer ${s.anonKey}` };
    const thrown = await fetch(`${fn.url}?throw=1`, { headers: auth });
    expect(thrown.status).toBe(500);
    expect(await thrown.json()).toMatchObject({ code: "WORKER_ERROR" });
    expect((await fetch(fn.url, { headers: auth })).status).toBe(200);
  });

  it("picks up an edited function without a restart", async () => {
    await fn.write("2");
    const version = await eventually(async () => {
      const r = await fetch(fn.url, { headers: { authorization: `Bearer ${s.anonKey}` } });
      const body = r.ok ? ((await r.json()) as { version: string }) : undefined;
      return body?.version === "2" ? body.version : undefined;
    }, { timeoutMs: 20_000, what: "the edited function" });
    expect(version).toBe("2");
  });

  it("answers 404 for an unknown function and 503 BOOT_ERROR for one that fails to boot", async () => {
    const unknown = await fetch(`${s.apiUrl}/functions/v1/no-such-function`, { headers: { authorization: `Bearer ${s.anonKey}` } });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe("Function not found");

    const broken = await createTempFunction("boot-error.ts");
    try {
      const r = await eventually(async () => {
        const res = await fetch(broken.url, { headers: { authorization: `Bearer ${s.anonKey}` } });
        return res.status === 404 ? undefined : res;
      }, { timeoutMs: 20_000, what: "the broken function to be found" });
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ code: "BOOT_ERROR" });
    } finally {
      await broken.remove();
    }
  });
});
