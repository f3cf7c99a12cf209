import { describe, expect, it } from "vitest";
import { CredentialManager, credentialFromJwt, type StoredCredential } from "../../../edge-agent/credentials.ts";
import { isAgentError } from "../../../edge-agent/errors.ts";
import { silentLogger } from "../../../functions/_shared/log.ts";
import { createOrchestratorApi } from "../../../edge-agent/orchestrator-api.ts";
import { createRpcClient, type HttpFetch } from "../../../edge-agent/rpc-client.ts";
import { ManualClock } from "./fakes.ts";
import { DEVICE_ID } from "./fixtures.ts";

const HOUR = 3600_000;

/** A scripted orchestrator: answers by RPC name, records what was called with which bearer. */
function orchestrator(answers: Record<string, (bearer: string) => Response>) {
  const calls: { name: string; bearer: string; body: unknown }[] = [];
  const fetch: HttpFetch = async (url, init) => {
    const name = url.replace("https://p.supabase.co/rest/v1/rpc/", "");
    const bearer = String((init.headers as Record<string, string>).authorization).replace("Bearer ", "");
    calls.push({ name, bearer, body: JSON.parse(String(init.body)) });
    return answers[name]?.(bearer) ?? Response.json({ message: "no" }, { status: 404 });
  };
  return { calls, rpc: createRpcClient({ supabaseUrl: "https://p.supabase.co", anonKey: "anon", fetch }) };
}

function setup(answers: Record<string, (bearer: string) => Response>, options: { stored?: StoredCredential; deviceToken?: string; enrollmentToken?: string } = {}) {
  const clock = new ManualClock();
  const saved: StoredCredential[] = [];
  const { calls, rpc } = orchestrator(answers);
  const manager = new CredentialManager({
    rpc, clock, log: silentLogger, deviceToken: options.deviceToken, enrollmentToken: options.enrollmentToken,
    store: { load: async () => options.stored, save: async (c) => void saved.push(c) },
  });
  return { clock, saved, calls, manager, api: createOrchestratorApi(rpc, manager) };
}

const credential = (token: string, expiresInMs: number, now = Date.parse("2026-01-01T00:00:00Z")) => ({
  device_id: DEVICE_ID, token, expires_at: new Date(now + expiresInMs).toISOString(),
});

describe("CredentialManager", () => {
  it("exchanges the enrollment token once, with the anon key, and saves the credential", async () => {
    const { manager, calls, saved } = setup({ device_token_exchange: () => Response.json(credential("jwt-1", HOUR)) }, { enrollmentToken: "enroll-0123456789abcdef" });
    expect(await manager.token()).toBe("jwt-1");
    expect(await manager.token()).toBe("jwt-1");
    expect(calls).toEqual([{ name: "device_token_exchange", bearer: "anon", body: { enrollment_token: "enroll-0123456789abcdef" } }]);
    expect(saved.map((c) => [c.token, c.received_at])).toEqual([["jwt-1", "2026-01-01T00:00:00.000Z"]]);
    expect(manager.deviceId).toBe(DEVICE_ID);
  });

  it("prefers a stored unexpired credential over enrolling again", async () => {
    const stored = { ...credential("stored", HOUR), received_at: "2026-01-01T00:00:00.000Z" };
    const { manager, calls } = setup({}, { stored, enrollmentToken: "enroll-0123456789abcdef" });
    expect(await manager.token()).toBe("stored");
    expect(calls).toEqual([]);
  });

  it("renews once half the lifetime has passed, with the current credential", async () => {
    const { manager, calls, clock } = setup({
      device_token_exchange: () => Response.json(credential("jwt-1", 2 * HOUR)),
      device_token_renew: () => Response.json(credential("jwt-2", 4 * HOUR)),
    }, { enrollmentToken: "enroll-0123456789abcdef" });
    await manager.token();
    clock.time += HOUR - 1;
    expect(await manager.token()).toBe("jwt-1");
    clock.time += 1;
    expect(await manager.token()).toBe("jwt-2");
    expect(calls.map((c) => `${c.name}:${c.bearer}`)).toEqual(["device_token_exchange:anon", "device_token_renew:jwt-1"]);
  });

  it("keeps using the credential when renewal fails for a transient reason, until it expires", async () => {
    const { manager, clock } = setup({
      device_token_exchange: () => Response.json(credential("jwt-1", 2 * HOUR)),
      device_token_renew: () => Response.json({ message: "down" }, { status: 503 }),
    }, { enrollmentToken: "enroll-0123456789abcdef" });
    await manager.token();
    clock.time += 1.5 * HOUR;
    expect(await manager.token()).toBe("jwt-1");
    clock.time += HOUR;
    await expect(manager.token()).rejects.toMatchObject({ code: "orchestrator_unavailable" });
  });

  it("a refused enrollment token is not tried again: not_enrolled", async () => {
    const { manager, calls } = setup({ device_token_exchange: () => Response.json({ message: "used", code: "28000" }, { status: 403 }) }, { enrollmentToken: "enroll-0123456789abcdef" });
    await expect(manager.token()).rejects.toMatchObject({ code: "credential_refused" });
    await expect(manager.token()).rejects.toMatchObject({ code: "not_enrolled" });
    expect(calls).toHaveLength(1);
  });

  it("reads device_id and exp from a configured device token", () => {
    const payload = Buffer.from(JSON.stringify({ role: "authenticated", device_id: DEVICE_ID, exp: 1_800_000_000 })).toString("base64url");
    expect(credentialFromJwt(`h.${payload}.s`)).toEqual({ device_id: DEVICE_ID, token: `h.${payload}.s`, expires_at: "2027-01-15T08:00:00.000Z" });
    expect(() => credentialFromJwt("not-a-jwt")).toThrow(/device_id and exp/);
  });
});

describe("orchestrator API", () => {
  const stored = { ...credential("jwt-1", HOUR), received_at: "2026-01-01T00:00:00.000Z" };

  it("drops a refused credential and falls back to the next source", async () => {
    const { api, calls } = setup({
      device_desired_state: (bearer) => (bearer === "jwt-1" ? Response.json({ message: "JWT revoked" }, { status: 401 }) : Response.json({ device_id: DEVICE_ID, generation: 1, containers: [] })),
      device_token_exchange: () => Response.json(credential("jwt-2", HOUR)),
    }, { stored, enrollmentToken: "enroll-0123456789abcdef" });
    const refused = await api.desiredState().catch((e: unknown) => e);
    expect(isAgentError(refused, "credential_refused")).toBe(true);
    expect((refused as Error).message).toContain("JWT revoked");
    expect((await api.desiredState()).generation).toBe(1);
    expect(calls.map((c) => `${c.name}:${c.bearer}`)).toEqual(["device_desired_state:jwt-1", "device_token_exchange:anon", "device_desired_state:jwt-2"]);
  });

  it.each([
    [503, "P0001", "orchestrator_unavailable"],
    [429, "P0001", "orchestrator_unavailable"],
    [403, "28000", "credential_refused"],
    [403, "PGRST301", "credential_refused"],
    [401, "PGRST303", "credential_refused"],
    [403, "42501", "orchestrator_rejected"], // a missing grant is the orchestrator's mistake: keep the credential
    [400, "P0001", "orchestrator_rejected"],
  ])("maps HTTP %i with code %s to %s", async (status, pgCode, code) => {
    const { api } = setup({ device_heartbeat: () => Response.json({ message: "x", code: pgCode }, { status }) }, { stored });
    await expect(api.heartbeat("0.1.0")).rejects.toMatchObject({ code });
  });

  it("maps a network failure to orchestrator_unavailable", async () => {
    const rpc = createRpcClient({ supabaseUrl: "https://p", anonKey: "a", fetch: async () => { throw new TypeError("fetch failed"); } });
    await expect(rpc.call("device_heartbeat", {})).rejects.toMatchObject({ code: "orchestrator_unavailable" });
  });

  it("rejects a desired state that breaks the contract, without echoing its values", async () => {
    const { api } = setup({ device_desired_state: () => Response.json({ device_id: DEVICE_ID, generation: 1, containers: [{ env: { K: "secret-value" } }] }) }, { stored });
    const error = await api.desiredState().catch((e: unknown) => e);
    expect(isAgentError(error, "invalid_response")).toBe(true);
    expect((error as Error).message).not.toContain("secret-value");
  });

  it("rejects the desired state of another device", async () => {
    const { api } = setup({ device_desired_state: () => Response.json({ device_id: "11111111-2222-4333-8444-555555555555", generation: 1, containers: [] }) }, { stored });
    await expect(api.desiredState()).rejects.toMatchObject({ code: "invalid_response" });
  });

  it("sends the heartbeat with the agent version and reads the desired generation", async () => {
    const { api, calls } = setup({ device_heartbeat: () => Response.json({ desired_generation: 9 }) }, { stored });
    expect(await api.heartbeat("0.1.0")).toEqual({ desired_generation: 9 });
    expect(calls[0]).toEqual({ name: "device_heartbeat", bearer: "jwt-1", body: { agent_version: "0.1.0" } });
  });
});
