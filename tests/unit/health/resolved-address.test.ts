import { describe, expect, it } from "vitest";
import { cachedResolver } from "../../../functions/_shared/health/cached-resolver.ts";
import { probeHealth } from "../../../functions/_shared/health/probe.ts";

const policy = { allowLoopback: false, allowPrivate: false };
const okFetch: typeof fetch = async () => new Response("ok", { status: 200 });

describe("health checks judge the addresses a host name resolves to", () => {
  it.each([
    ["169.254.169.254", "link-local or metadata address"],
    ["10.1.2.3", "private address"],
    ["127.0.0.1", "loopback address"],
    ["fe80::1", "link-local address"],
  ])("refuses a name that resolves to %s", async (address, reason) => {
    let fetched = false;
    const result = await probeHealth("https://innocent.example.com/health", {
      timeoutMs: 1000, degradedAfterMs: 500, policy,
      resolve: async () => ["93.184.216.34", address],
      fetch: async () => { fetched = true; return new Response("ok"); },
    });
    expect(result).toMatchObject({ status: "unhealthy", httpStatus: null });
    expect(result.error).toBe(`refused to call https://innocent.example.com/health: innocent.example.com resolves to ${address} (${reason})`);
    expect(fetched).toBe(false);
  });

  it("checks a name whose addresses are all public, and one whose look-up fails", async () => {
    const pub = await probeHealth("https://svc.up.railway.app/health", { timeoutMs: 1000, degradedAfterMs: 500, policy, resolve: async () => ["66.33.22.11"], fetch: okFetch });
    expect(pub.status).toBe("healthy");
    const failing = await probeHealth("https://svc.up.railway.app/health", { timeoutMs: 1000, degradedAfterMs: 500, policy, resolve: async () => { throw new Error("SERVFAIL"); }, fetch: okFetch });
    expect(failing.status).toBe("healthy");
  });

  it("asks DNS once per name and time to live", async () => {
    let clock = 0;
    const asked: string[] = [];
    const resolve = cachedResolver(async (host) => { asked.push(host); return ["66.33.22.11"]; }, { ttlMs: 1000, now: () => clock });
    await resolve("a.example");
    await resolve("a.example");
    await resolve("b.example");
    clock = 1500;
    await resolve("a.example");
    expect(asked).toEqual(["a.example", "b.example", "a.example"]);
  });
});
