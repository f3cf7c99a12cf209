// Retry behaviour against the local Railway's injected faults. The client runs on a fake clock (its sleeps
// advance it instantly), so waits are asserted as values and attempts as counts, never as durations.
import { describe, expect, it } from "vitest";
import { createRailwayClient, isRailwayError, loadRailwayConfig } from "../../../functions/_shared/railway/index.ts";
import { useLocalRailway } from "./local-railway-fixture.ts";

const local = useLocalRailway();
const control = local.control;

interface LogEntry { operationName: string; outcome: string; status: number }


const requests = async (operation?: string): Promise<LogEntry[]> =>
  ((await control("/requests")) as LogEntry[]).filter((entry) => !operation || entry.operationName === operation);

function makeClient(env: Record<string, string> = {}) {
  let now = Date.now();
  const sleeps: number[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const client = createRailwayClient({
    config: loadRailwayConfig({
      ...local.clientEnv(),
      ...env,
    }),
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => 0.5,
    log: (line) => logs.push(line),
  });
  return { client, sleeps, logs };
}

const weather = {
  agentId: "agent.marketplace.weather",
  customerId: "cust-9",
  image: "ghcr.io/agentify/weather:1.0.0",
  env: { OPENWEATHER_KEY: "k-secret-value-42" },
};


describe("retries", () => {
  it("waits out 429s with Retry-After, then succeeds", async () => {
    await control("/faults", { status: 429, count: 2, retryAfterSeconds: 1 });
    const { client, sleeps } = makeClient();
    const result = await client.deployService(weather);
    expect(result.serviceCreated).toBe(true);
    const first = await requests("ProjectServices");
    expect(first.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(sleeps).toEqual([1_000, 1_000]);
  });

  it("retries a read on 503 with backoff: three attempts", async () => {
    const { client, sleeps } = makeClient();
    const { service } = await client.ensureService({ name: "svc", variables: {} });
    await control("/faults", { status: 503, count: 2, operation: "Deployments" });
    await client.listDeployments(service.id);
    expect((await requests("Deployments")).map((r) => r.status)).toEqual([503, 503, 200]);
    expect(sleeps).toEqual([125, 250]); // 0.5 × 250 ms × 2^(n-1)
  });

  it("backs off from Railway's HTML 'Access denied' page", async () => {
    await control("/faults", { status: 403, count: 1, body: "html" });
    const { client } = makeClient();
    await expect(client.findServiceByName("nothing")).resolves.toBeUndefined();
    expect((await requests("ProjectServices")).map((r) => r.status)).toEqual([403, 200]);
  });

  it("retries a read that timed out", async () => {
    await control("/latency", { ms: 1_000, count: 1 });
    const { client, logs } = makeClient({ RAILWAY_TIMEOUT_MS: "50" });
    await expect(client.findServiceByName("nothing")).resolves.toBeUndefined();
    expect(logs.filter((l) => l.operation === "ProjectServices").map((l) => [l.attempt, l.outcome, l.code])).toEqual([
      [1, "retrying", "provider_unavailable"],
      [2, "ok", undefined],
    ]);
  });

  it("gives up after RAILWAY_MAX_ATTEMPTS with provider_unavailable", async () => {
    await control("/faults", { status: 502, count: 10 });
    const { client } = makeClient({ RAILWAY_MAX_ATTEMPTS: "3" });
    const error = await client.findServiceByName("x").catch((e: unknown) => e);
    expect(isRailwayError(error, "provider_unavailable") && error.details.attempts).toBe(3);
    expect(await requests()).toHaveLength(3);
  });

  it("fails fast when Retry-After is beyond RAILWAY_RETRY_MAX_DELAY_MS", async () => {
    await control("/faults", { status: 429, count: 1, retryAfterSeconds: 3_600 });
    const { client, sleeps } = makeClient();
    const error = await client.findServiceByName("x").catch((e: unknown) => e);
    expect(isRailwayError(error, "provider_rate_limited") && error.details.retry_after_ms).toBe(3_600_000);
    expect(await requests()).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("does not retry an auth failure", async () => {
    const { client } = makeClient({ RAILWAY_API_KEY: "wrong-token" });
    const error = await client.deployService(weather).catch((e: unknown) => e);
    expect(isRailwayError(error, "provider_unauthorized")).toBe(true);
    expect(await requests()).toHaveLength(1);
  });
});

describe("mutations whose effect is unknown are checked before being sent again", () => {
  it("serviceCreate refused with 503: nothing found, sent again, one service", async () => {
    await control("/faults", { status: 503, count: 1, operation: "ServiceCreate" });
    const { client } = makeClient();
    const result = await client.deployService(weather);
    expect(result.serviceCreated).toBe(true);
    expect((await requests("ServiceCreate")).map((r) => r.status)).toEqual([503, 200]);
    expect((await control("/state")).services).toHaveLength(1);
  });

  it("serviceCreate ran but its answer was lost: the service is found and adopted, not created twice", async () => {
    await control("/faults", { status: 503, count: 1, operation: "ServiceCreate", phase: "after" });
    const { client } = makeClient();
    const result = await client.deployService(weather);
    expect(result.service.name).toBe("weather-cust-9");
    expect(await requests("ServiceCreate")).toHaveLength(1);
    expect((await control("/state")).services).toHaveLength(1);
  });

  it("serviceInstanceDeployV2 ran but its answer was lost: one deployment, adopted", async () => {
    await control("/faults", { status: 502, count: 1, operation: "ServiceInstanceDeployV2", phase: "after" });
    const { client } = makeClient();
    const result = await client.deployService(weather);
    const state = await control("/state");
    expect(state.deployments).toHaveLength(1);
    expect(result.deployment.id).toBe(state.deployments[0].id);
    expect(await requests("ServiceInstanceDeployV2")).toHaveLength(1);
  });

  it("serviceDomainCreate ran but its answer was lost: the domain is found, not created twice", async () => {
    await control("/faults", { status: 504, count: 1, operation: "ServiceDomainCreate", phase: "after" });
    const { client } = makeClient();
    const result = await client.deployService(weather);
    const state = await control("/state");
    expect(state.domains).toHaveLength(1);
    expect(result.domain).toBe(state.domains[0].domain);
  });
});

describe("secrets", () => {
  it("never logs the token or a variable value, even when calls fail", async () => {
    await control("/faults", { status: 503, count: 1, operation: "ServiceCreate" });
    await control("/faults", { status: 429, count: 1, retryAfterSeconds: 1 });
    const { client, logs } = makeClient();
    await client.deployService(weather);
    const text = JSON.stringify(logs);
    expect(logs.length).toBeGreaterThan(5);
    expect(text).not.toContain(local.railway.token);
    expect(text).not.toContain(weather.env.OPENWEATHER_KEY);
  });
});
