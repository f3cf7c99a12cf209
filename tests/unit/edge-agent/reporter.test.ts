import { describe, expect, it } from "vitest";
import type { DeviceReport } from "../../../functions/_shared/edge/device-report.ts";
import { deviceReportSchema } from "../../../functions/_shared/edge/device-report.ts";
import { AgentError } from "../../../edge-agent/errors.ts";
import type { OrchestratorApi } from "../../../edge-agent/orchestrator-api.ts";
import type { ApplyStatus } from "../../../edge-agent/reconciler.ts";
import { Reporter } from "../../../edge-agent/reporter.ts";
import { cpuPercent } from "../../../edge-agent/usage.ts";
import { FakeDocker, ManualClock } from "./fakes.ts";
import { ID_A, ID_B, OPTIONS, desiredContainer, desiredState, engineContainerFor } from "./fixtures.ts";

function setup(status: ApplyStatus | undefined, healthStatus = 200) {
  const docker = new FakeDocker();
  const sent: DeviceReport[] = [];
  const acknowledged: string[] = [];
  const checked: string[] = [];
  const api: OrchestratorApi = {
    desiredState: async () => { throw new Error("unused"); },
    report: async (report) => void sent.push(report),
    heartbeat: async () => ({ desired_generation: 5 }),
  };
  const reporter = new Reporter({
    docker, api, status: () => status, acknowledgeRemoved: (ids) => acknowledged.push(...ids),
    fetch: async (url) => (checked.push(url), new Response(null, { status: healthStatus })),
    clock: new ManualClock(), agentVersion: "0.1.0", advertiseAddress: "10.0.0.7", healthCheckHost: "127.0.0.1",
    healthTimeoutMs: 1000, specOptions: OPTIONS,
  });
  return { docker, reporter, sent, acknowledged, checked };
}

const status = (containers = [desiredContainer()], failures = new Map<string, AgentError>(), removed = new Set<string>()): ApplyStatus =>
  ({ desired: desiredState(containers, 4), failures, removed });

describe("Reporter", () => {
  it("reports a running container with health from its first host port, start time and usage", async () => {
    const { docker, reporter, checked } = setup(status());
    docker.containers = [engineContainerFor(desiredContainer(), "running", "e1")];
    const report = await reporter.build();
    expect(deviceReportSchema.parse(report)).toEqual(report);
    expect(report).toMatchObject({
      agent_version: "0.1.0", generation: 4, timestamp: "2026-01-01T00:00:00.000Z",
      device: { address: "10.0.0.7", architecture: "aarch64", cpu_count: 4, memory_mb: 4096 },
      containers: [{ container_id: ID_A, engine_id: "e1", state: "running", health: "healthy", engine_error: null, cpu_percent: null, memory_mb: 10, started_at: "2026-01-01T00:00:00Z" }],
    });
    expect(checked).toEqual(["http://127.0.0.1:18080/health"]);
  });

  it("computes CPU percent from the previous report's sample", async () => {
    const { docker, reporter } = setup(status());
    docker.containers = [engineContainerFor(desiredContainer(), "running", "e1")];
    await reporter.build();
    docker.stats = async () => ({ cpu_total_ns: 2e9, system_cpu_ns: 1.1e11, online_cpus: 2, previous: null, memory_bytes: 0 });
    expect((await reporter.build()).containers[0]?.cpu_percent).toBe(20);
  });

  it("reports unhealthy when the health endpoint answers 5xx", async () => {
    const { docker, reporter } = setup(status(), 503);
    docker.containers = [engineContainerFor(desiredContainer(), "running", "e1")];
    expect((await reporter.build()).containers[0]?.health).toBe("unhealthy");
  });

  it("reports a recorded failure as failed with the engine's error", async () => {
    const failures = new Map([[ID_A, new AgentError("image_pull_failed", "manifest unknown")]]);
    const { reporter } = setup(status(undefined, failures));
    expect((await reporter.build()).containers).toEqual([
      { container_id: ID_A, engine_id: null, state: "failed", health: "unknown", engine_error: "manifest unknown", cpu_percent: null, memory_mb: null, started_at: null },
    ]);
  });

  it("reports a container not yet created as creating, an exited one as exited, without health", async () => {
    const b = desiredContainer({ container_id: ID_B, name: "b", ports: [] });
    const { docker, reporter, checked } = setup(status([desiredContainer(), b]));
    docker.containers = [engineContainerFor(b, "exited", "eb")];
    const report = await reporter.build();
    expect(report.containers.map((c) => [c.container_id, c.state, c.health])).toEqual([[ID_A, "creating", "unknown"], [ID_B, "exited", "unknown"]]);
    expect(checked).toEqual([]);
  });

  it("reports removals once: acknowledged after the report is sent", async () => {
    const { reporter, sent, acknowledged } = setup(status([], new Map(), new Set([ID_A])));
    await reporter.report();
    expect(sent[0]?.containers).toEqual([{ container_id: ID_A, engine_id: null, state: "removed", health: "unknown", engine_error: null, cpu_percent: null, memory_mb: null, started_at: null }]);
    expect(acknowledged).toEqual([ID_A]);
  });

  it("before the first apply, reports no containers and a null generation", async () => {
    const { reporter } = setup(undefined);
    expect(await reporter.build()).toMatchObject({ generation: null, containers: [] });
  });
});

describe("cpuPercent", () => {
  const sample = { cpu_total_ns: 3e9, system_cpu_ns: 2e11, online_cpus: 4, previous: null, memory_bytes: 0 };
  it("is null without an earlier sample or when host time did not advance", () => {
    expect(cpuPercent(sample, undefined)).toBeNull();
    expect(cpuPercent(sample, { cpu_total_ns: 1e9, system_cpu_ns: 2e11 })).toBeNull();
  });
  it("prefers the engine's own previous sample", () => {
    expect(cpuPercent({ ...sample, previous: { cpu_total_ns: 2e9, system_cpu_ns: 1e11 } }, { cpu_total_ns: 0, system_cpu_ns: 0 })).toBe(4);
  });
});
