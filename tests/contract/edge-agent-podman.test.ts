/**
 * The agent core reconciling a real engine (podman's Docker API, started by `local/podman/`) against an
 * in-process fake orchestrator: deploy, restart without duplicates, offline, removal, unpullable image.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DesiredContainer } from "../../functions/_shared/edge/desired-state.ts";
import type { ContainerReport, DeviceReport } from "../../functions/_shared/edge/device-report.ts";
import { createAgent, type Agent } from "../../edge-agent/agent.ts";
import { systemClock } from "../../edge-agent/clock.ts";
import { loadConfig } from "../../edge-agent/config.ts";
import type { CredentialStore, StoredCredential } from "../../edge-agent/credentials.ts";
import { CONTAINER_ID_LABEL, MANAGED_LABEL } from "../../edge-agent/labels.ts";
import { createLogger } from "../../functions/_shared/log.ts";
import { freePort, startTestEngine, type TestEngine } from "../../local/podman/engine-fixture.ts";
import { podmanInstalled } from "../../local/podman/podman-service.ts";
import { FAKE_ORCHESTRATOR_URL, FakeOrchestrator } from "./fake-orchestrator.ts";

const installed = podmanInstalled();
const DEVICE_ID = "7a1d3c52-34d5-4a43-9d4a-2b6f3f1f0a01";
const CONTAINER_ID = "9c2e7d10-1111-4a43-9d4a-2b6f3f1f0a0a";
const SECRET = "never-log-this-secret-value";

describe.skipIf(!installed)(`edge agent against podman${installed ? "" : " (skipped: podman is not installed)"}`, () => {
  let engine: TestEngine;
  let hostPort: number;
  const orchestrator = new FakeOrchestrator(DEVICE_ID, "enrollment-token-0123456789abcdef");
  const logLines: string[] = [];
  const saved: StoredCredential[] = [];
  const store: CredentialStore = { load: async () => saved.at(-1), save: async (credential) => void saved.push(credential) };
  let running: { agent: Agent; stop: () => Promise<void> } | undefined;

  function startAgent(): { agent: Agent; stop: () => Promise<void> } {
    const config = loadConfig({}, {
      supabase_url: FAKE_ORCHESTRATOR_URL, anon_key: "anon-key", enrollment_token: orchestrator.enrollmentToken,
      advertise_address: "127.0.0.1", publish_ip: "127.0.0.1",
      heartbeat_interval_s: 0.05, poll_interval_s: 0.5, report_interval_s: 0.1,
      backoff_base_ms: 20, backoff_max_ms: 200, health_timeout_ms: 1000, stop_timeout_s: 1,
    });
    const agent = createAgent({
      config,
      engineFetch: engine.transport,
      httpFetch: (input, init) => (input.startsWith(FAKE_ORCHESTRATOR_URL) ? orchestrator.fetch(input, init) : fetch(input, init)),
      credentialStore: store,
      clock: systemClock,
      random: () => 0.5,
      log: createLogger({}, (line) => logLines.push(line)),
      agentVersion: "0.1.0-test",
      nudges: () => ({ close: async () => {} }),
    });
    const controller = new AbortController();
    const done = agent.run(controller.signal);
    return { agent, stop: async () => (controller.abort(), await done) };
  }

  const desired = (overrides: Partial<DesiredContainer> = {}): DesiredContainer => ({
    container_id: CONTAINER_ID, name: "weather-agent", image: engine.httpd.image, env: { API_KEY: SECRET },
    ports: [{ container_port: engine.httpd.port, host_port: hostPort }], cpu: 0.5, memory_mb: 64,
    restart_policy: "unless-stopped", health_path: "/health", ...overrides,
  });
  const entry = (report: DeviceReport): ContainerReport | undefined => report.containers.find((c) => c.container_id === CONTAINER_ID);
  const managed = () => engine.docker.listContainers([`${MANAGED_LABEL}=true`, `${CONTAINER_ID_LABEL}=${CONTAINER_ID}`]);

  beforeAll(async () => {
    engine = await startTestEngine();
    hostPort = await freePort();
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    await engine?.stop();
  }, 60_000);

  it("enrolls, runs the desired container and reports it running and healthy with usage", async () => {
    orchestrator.setContainers([desired()]);
    running = startAgent();
    const report = await orchestrator.waitForReport((r) => entry(r)?.health === "healthy");
    expect(entry(report)).toMatchObject({ state: "running", engine_error: null, engine_id: expect.any(String), started_at: expect.any(String) });
    expect(entry(report)?.memory_mb).toBeGreaterThan(0);
    expect(report).toMatchObject({ agent_version: "0.1.0-test", generation: orchestrator.desired.generation, device: { address: "127.0.0.1" } });
    expect((await fetch(`http://127.0.0.1:${hostPort}/health`)).status).toBe(200);
    expect(await managed()).toHaveLength(1);
    expect(saved.map((c) => c.device_id)).toEqual([DEVICE_ID]);
  });

  it("keeps what runs while the orchestrator is offline, and reports again when it is back", async () => {
    orchestrator.offline = true;
    await orchestrator.waitForCalls(3);
    expect((await fetch(`http://127.0.0.1:${hostPort}/health`)).status).toBe(200);
    expect((await managed()).map((c) => c.state)).toEqual(["running"]);
    const before = orchestrator.reports.length;
    orchestrator.offline = false;
    await orchestrator.waitForReport((r) => orchestrator.reports.indexOf(r) >= before && entry(r)?.state === "running");
  });

  it("restarted with no memory, the agent creates no duplicate and reuses its credential", async () => {
    const [before] = await managed();
    await running?.stop();
    expect((await managed()).map((c) => c.state)).toEqual(["running"]); // stopping the agent leaves containers alone
    const reportsBefore = orchestrator.reports.length;
    running = startAgent();
    await orchestrator.waitForReport((r) => orchestrator.reports.indexOf(r) >= reportsBefore && entry(r)?.health === "healthy");
    const after = await managed();
    expect(after.map((c) => c.engine_id)).toEqual([before?.engine_id]);
    expect(orchestrator.calls.filter((name) => name === "device_token_exchange")).toHaveLength(1);
  });

  it("replaces the container when its spec changes", async () => {
    const [before] = await managed();
    orchestrator.setContainers([desired({ env: { API_KEY: `${SECRET}-rotated` } })]);
    running?.agent.reconciler.nudge();
    const report = await orchestrator.waitForReport((r) => r.generation === orchestrator.desired.generation && entry(r)?.health === "healthy");
    const after = await managed();
    expect(after).toHaveLength(1);
    expect(after[0]?.engine_id).not.toBe(before?.engine_id);
    expect(entry(report)?.engine_id).toBe(after[0]?.engine_id);
  });

  it("removes the container when the desired state is emptied, and reports it removed", async () => {
    orchestrator.setContainers([]);
    running?.agent.reconciler.nudge();
    await orchestrator.waitForReport((r) => r.generation === orchestrator.desired.generation && entry(r)?.state === "removed");
    expect(await managed()).toEqual([]);
  });

  it("reports an image that cannot be pulled as failed, with the engine's error", async () => {
    orchestrator.setContainers([desired({ image: "registry.invalid/agentify/missing:1.0" })]);
    running?.agent.reconciler.nudge();
    const report = await orchestrator.waitForReport((r) => r.generation === orchestrator.desired.generation && entry(r)?.state === "failed");
    expect(entry(report)).toMatchObject({ engine_id: null, health: "unknown", engine_error: expect.stringMatching(/registry\.invalid/) });
    expect(await managed()).toEqual([]);
  });

  it("broke no contract and logged no secret", () => {
    expect(orchestrator.rejected).toEqual([]);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((line) => line.includes(SECRET) || line.includes("device-jwt-"))).toEqual([]);
    for (const line of logLines) expect(() => JSON.parse(line)).not.toThrow();
  });
});
