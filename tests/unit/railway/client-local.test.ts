// The Railway client against an in-process local Railway (port 0): the orchestrator's operations end to end.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { createRailwayClient, loadRailwayConfig, type RailwayClient } from "../../../functions/_shared/railway/index.ts";
import { useLocalRailway } from "./local-railway-fixture.ts";

const local = useLocalRailway();
const control = local.control;
let client: RailwayClient;


const operations = async (): Promise<string[]> =>
  ((await control("/requests")) as Array<{ operationName: string }>).map((entry) => entry.operationName);

const weather = {
  agentId: "agent.marketplace.weather",
  customerId: "cust-1",
  image: "ghcr.io/agentify/weather:1.0.0",
  env: { OPENWEATHER_KEY: "k-secret-123" },
  resources: { cpu: "0.5", memory: "512Mi" },
};

const settle = (id: string) => client.waitForDeployment(id, { pollIntervalMs: 10, timeoutMs: 15_000 });

beforeAll(() => {
  client = createRailwayClient({ config: loadRailwayConfig(local.clientEnv()) });
});

describe("deployService against the local Railway", () => {
  it("runs the full sequence and the service answers /health with 200", async () => {
    const result = await client.deployService(weather);
    expect(result).toMatchObject({ service: { name: "weather-cust-1" }, serviceCreated: true, deploymentStarted: true });
    expect(result.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(result.healthUrl).toBe(`${result.address}/health`);
    expect(result.deployment.containerStatus).toBe("deploying");

    const { deployment, settled } = await settle(result.deployment.id);
    expect(settled).toBe(true);
    expect(deployment).toMatchObject({ status: "SUCCESS", containerStatus: "running", final: true });
    expect((await fetch(result.healthUrl)).status).toBe(200);

    const calls = await operations();
    expect(calls.slice(0, 9)).toEqual([
      "ProjectServices",
      "ServiceCreate",
      "ServiceInstanceLimitsUpdate",
      "ServiceInstanceUpdate",
      "ServiceDomains",
      "ServiceDomainCreate",
      "Deployments",
      "ServiceInstanceDeployV2",
      "Deployment",
    ]);
    expect(new Set(calls.slice(9))).toEqual(new Set(["Deployment"])); // the polling
    const state = await control("/state");
    expect(state.services).toHaveLength(1);
    expect(state.services[0].settings).toMatchObject({
      image: weather.image,
      vCPUs: 0.5,
      memoryGB: 0.5,
      healthcheckPath: "/health",
      variables: ["OPENWEATHER_KEY"],
    });
    expect(state.deployments).toHaveLength(1);
  });

  it.skipIf(!hasCurl())("curl against the deployed address returns 200 from /health", async () => {
    const result = await client.deployService(weather);
    await settle(result.deployment.id);
    // Asynchronously: the endpoint lives in this process and must keep serving while curl runs.
    const { stdout } = await promisify(execFile)("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", result.healthUrl]);
    expect(stdout).toBe("200");
  });

  it("is idempotent per agent and customer: same service and domain, no second deployment while one is in flight", async () => {
    await control("/timing", { stepMs: 60_000 }); // hold the first deployment in QUEUED
    const first = await client.deployService(weather);
    const again = await client.deployService(weather);
    expect(again.service.id).toBe(first.service.id);
    expect(again.serviceCreated).toBe(false);
    expect(again.domain).toBe(first.domain);
    expect(again.deploymentStarted).toBe(false);
    expect(again.deployment.id).toBe(first.deployment.id);
    const state = await control("/state");
    expect([state.services.length, state.domains.length, state.deployments.length]).toEqual([1, 1, 1]);
  });

  it("re-deploys a live service with a new image as a new deployment that replaces the old one", async () => {
    const first = await client.deployService(weather);
    await settle(first.deployment.id);
    const second = await client.deployService({ ...weather, image: "ghcr.io/agentify/weather:1.1.0" });
    expect(second.deploymentStarted).toBe(true);
    expect((await settle(second.deployment.id)).deployment.status).toBe("SUCCESS");
    expect((await client.getDeployment(first.deployment.id)).status).toBe("REMOVED");
    const state = await control("/state");
    expect(state.services).toHaveLength(1);
    expect(state.services[0].settings.image).toBe("ghcr.io/agentify/weather:1.1.0");
  });

  it("polls a deployment the control API fails to FAILED", async () => {
    await control("/deployments/fail-next", { status: "FAILED" });
    const result = await client.deployService(weather);
    const { deployment } = await settle(result.deployment.id);
    expect(deployment).toMatchObject({ status: "FAILED", containerStatus: "failed", final: true });
    expect((await fetch(result.healthUrl)).status).toBe(502);
  });

  it("fails a deployment whose health check does not pass while it goes live", async () => {
    const created = await client.ensureService({ name: "weather-cust-1", variables: {} });
    await control(`/services/${created.service.id}/health`, { status: 503 });
    const result = await client.deployService(weather);
    expect((await settle(result.deployment.id)).deployment.status).toBe("FAILED");
  });

  it("reports settled: false when the deployment is not final in time", async () => {
    await control("/timing", { stepMs: 60_000 });
    const result = await client.deployService(weather);
    const { deployment, settled } = await client.waitForDeployment(result.deployment.id, { pollIntervalMs: 5, timeoutMs: 30 });
    expect(settled).toBe(false);
    expect(deployment.status).toBe("QUEUED");
  });
});

describe("operations on a running service", () => {
  it("restarts a crashed deployment back to SUCCESS", async () => {
    const result = await client.deployService(weather);
    await settle(result.deployment.id);
    await control(`/deployments/${result.deployment.id}/crash`, {});
    expect((await client.getDeployment(result.deployment.id)).containerStatus).toBe("crashed");
    await client.restartDeployment(result.deployment.id);
    expect((await client.getDeployment(result.deployment.id)).status).toBe("SUCCESS");
  });

  it("redeploys as a new deployment", async () => {
    const result = await client.deployService(weather);
    await settle(result.deployment.id);
    const redeployed = await client.redeployDeployment(result.deployment.id);
    expect(redeployed.id).not.toBe(result.deployment.id);
    expect((await settle(redeployed.id)).deployment.status).toBe("SUCCESS");
  });

  it("rolls back to the previous deployment, and refuses one that cannot be rolled back to", async () => {
    const v1 = await client.deployService(weather);
    await settle(v1.deployment.id);
    await expect(client.rollbackDeployment(v1.deployment.id)).rejects.toMatchObject({ code: "provider_rejected" });
    const v2 = await client.deployService({ ...weather, image: "ghcr.io/agentify/weather:2.0.0" });
    await settle(v2.deployment.id);

    const target = await client.rollbackService(v1.service.id);
    expect(target.id).toBe(v1.deployment.id);
    const [rolledBack] = await client.listDeployments(v1.service.id);
    expect(rolledBack?.id).not.toBe(v2.deployment.id);
    expect((await settle(rolledBack!.id)).deployment.status).toBe("SUCCESS");
    expect((await control("/state")).services[0].settings.image).toBe(weather.image);
  });

  it("removes a deployment: the address stops answering", async () => {
    const result = await client.deployService(weather);
    await settle(result.deployment.id);
    await client.removeDeployment(result.deployment.id);
    expect((await client.getDeployment(result.deployment.id)).containerStatus).toBe("stopped");
    expect((await fetch(result.healthUrl)).status).toBe(502);
  });

  it("deletes a service, and deleting it again is not an error", async () => {
    const result = await client.deployService(weather);
    await settle(result.deployment.id);
    await client.deleteService(result.service.id);
    await client.deleteService(result.service.id);
    expect(await client.findServiceByName("weather-cust-1")).toBeUndefined();
    await expect(fetch(result.healthUrl)).rejects.toThrow();
  });

  it("reads CPU and memory of every service in one metrics call", async () => {
    const a = await client.deployService(weather);
    const b = await client.deployService({ ...weather, customerId: "cust-2" });
    await Promise.all([settle(a.deployment.id), settle(b.deployment.id)]);
    await control(`/services/${b.service.id}/metrics`, { cpu: 0.4, memoryGB: 0.3 });
    const before = (await operations()).length;
    const metrics = await client.getMetrics({ since: new Date(Date.now() - 120_000), sampleRateSeconds: 60 });
    expect((await operations()).length - before).toBe(1);
    const byService = new Map(metrics.map((m) => [m.serviceId, m]));
    expect(byService.get(b.service.id)?.cpu.at(-1)?.value).toBe(0.4);
    expect(byService.get(b.service.id)?.memoryGB.at(-1)?.value).toBe(0.3);
    expect(byService.get(a.service.id)?.cpu.length).toBeGreaterThan(0);
  });
});

function hasCurl(): boolean {
  try {
    execFileSync("curl", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
