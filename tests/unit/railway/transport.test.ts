// The transport with a scripted fetch and a fake clock: attempts are counted, nothing really sleeps.
import { describe, expect, it } from "vitest";
import type { RailwayConfig } from "../../../functions/_shared/railway/config.ts";
import { isEffectUnknown, isRailwayError } from "../../../functions/_shared/railway/errors.ts";
import { createRateLimiter } from "../../../functions/_shared/railway/rate-limiter.ts";
import { createTransport, type Fetch } from "../../../functions/_shared/railway/transport.ts";

const TOKEN = "tok-do-not-log";

const config: RailwayConfig = {
  apiUrl: "https://backboard.example/graphql/v2",
  auth: { kind: "bearer", token: TOKEN },
  projectId: "p",
  environmentId: "e",
  rateLimit: { plan: "pro", perSecond: 1000, perHour: 100_000 },
  timeoutMs: 1_000,
  retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 10_000 },
};

type Step = Response | Error | (() => Response);
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
const ok = () => json(200, { data: { serviceInstanceDeployV2: "dep-1" } });

function harness(steps: Step[], overrides: Partial<RailwayConfig> = {}) {
  let now = 0;
  const sleeps: number[] = [];
  const requests: Request[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const fetch: Fetch = async (input, init) => {
    requests.push(new Request(input, init));
    const step = steps.shift();
    if (step === undefined) throw new Error("no scripted answer left");
    if (step instanceof Error) throw step;
    return typeof step === "function" ? step() : step;
  };
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    now += ms;
  };
  const cfg = { ...config, ...overrides };
  const limiter = createRateLimiter({ ...cfg.rateLimit, maxWaitMs: cfg.retry.maxDelayMs, now: () => now, sleep });
  const transport = createTransport(cfg, { fetch, sleep, random: () => 0.5, now: () => now, log: (l) => logs.push(l), limiter });
  return { transport, sleeps, requests, logs };
}

const failureOf = (promise: Promise<unknown>) => promise.then(() => { throw new Error("expected a failure"); }, (e: unknown) => e);

describe("transport", () => {
  it("sends the document, its variables and the bearer token", async () => {
    const h = harness([ok()]);
    await expect(h.transport.send("ServiceInstanceDeployV2", { serviceId: "s", environmentId: "e" })).resolves.toEqual({ serviceInstanceDeployV2: "dep-1" });
    const request = h.requests[0]!;
    expect(request.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    expect(await request.json()).toMatchObject({ operationName: "ServiceInstanceDeployV2", variables: { serviceId: "s" } });
  });

  it("sends a project token as Project-Access-Token", async () => {
    const h = harness([ok()], { auth: { kind: "project", token: "ptok" } });
    await h.transport.send("Deployment", { id: "d" });
    expect(h.requests[0]!.headers.get("project-access-token")).toBe("ptok");
    expect(h.requests[0]!.headers.get("authorization")).toBeNull();
  });

  it("retries an idempotent call on 503 and network errors with jittered backoff", async () => {
    const h = harness([json(503, {}), new TypeError("fetch failed"), ok()]);
    await h.transport.send("Deployment", { id: "d" });
    expect(h.requests).toHaveLength(3);
    expect(h.sleeps).toEqual([50, 100]); // random 0.5 × 100·2^(n-1)
  });

  it("honours Retry-After on 429, even for a mutation that is not idempotent", async () => {
    const h = harness([json(429, { errors: [{ message: "Rate limit exceeded" }] }, { "retry-after": "3" }), ok()]);
    await h.transport.send("ServiceInstanceDeployV2", { serviceId: "s", environmentId: "e" });
    expect(h.requests).toHaveLength(2);
    expect(h.sleeps).toEqual([3_000]);
  });

  it("does not retry a non-idempotent mutation whose effect is unknown", async () => {
    const h = harness([json(503, {}), ok()]);
    const error = await failureOf(h.transport.send("ServiceCreate", { input: {} }));
    expect(isEffectUnknown(error)).toBe(true);
    expect(h.requests).toHaveLength(1);
  });

  it("never retries an auth failure", async () => {
    const h = harness([json(200, { errors: [{ message: "Not Authorized" }], data: null }), ok()]);
    const error = await failureOf(h.transport.send("Deployment", { id: "d" }));
    expect(isRailwayError(error, "provider_unauthorized")).toBe(true);
    expect(h.requests).toHaveLength(1);
  });

  it("gives up after maxAttempts with the attempts in details", async () => {
    const h = harness([json(502, {}), json(502, {}), json(502, {}), json(502, {}), ok()]);
    const error = await failureOf(h.transport.send("Deployment", { id: "d" }));
    expect(isRailwayError(error, "provider_unavailable") && error.details.attempts).toBe(4);
    expect(h.requests).toHaveLength(4);
  });

  it("fails fast when Retry-After is longer than the longest wait allowed", async () => {
    const h = harness([json(429, {}, { "retry-after": "3600" }), ok()]);
    const error = await failureOf(h.transport.send("Deployment", { id: "d" }));
    expect(isRailwayError(error, "provider_rate_limited") && error.details.retry_after_ms).toBe(3_600_000);
    expect(h.requests).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
  });

  it("times out an attempt that does not answer, then retries", async () => {
    const hang = (_: unknown, init?: RequestInit) =>
      new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    let calls = 0;
    const fetch: Fetch = (input, init) => (++calls === 1 ? hang(input, init) : Promise.resolve(ok()));
    let now = 0;
    const sleep = async (ms: number) => void (now += ms);
    const cfg = { ...config, timeoutMs: 20 };
    const limiter = createRateLimiter({ ...cfg.rateLimit, maxWaitMs: 10_000, now: () => now, sleep });
    const transport = createTransport(cfg, { fetch, sleep, random: () => 0, now: () => now, log: () => {}, limiter });
    await transport.send("Deployment", { id: "d" });
    expect(calls).toBe(2);
  });

  it("keeps the token and variable values out of errors and log lines", async () => {
    const echo = json(400, { errors: [{ message: `bad value "hunter2-secret" with ${TOKEN}` }] });
    const h = harness([json(503, {}), echo]);
    const error = await failureOf(h.transport.send("VariableCollectionUpsert", { input: { variables: { PASSWORD: "hunter2-secret" } } }, { secrets: ["hunter2-secret"] }));
    const evidence = JSON.stringify([h.logs, isRailwayError(error) ? { ...error.toJSON(), message: error.message } : error]);
    expect(evidence).not.toContain("hunter2-secret");
    expect(evidence).not.toContain(TOKEN);
    expect(h.logs.map((l) => l.outcome)).toEqual(["retrying", "failed"]);
  });
});
