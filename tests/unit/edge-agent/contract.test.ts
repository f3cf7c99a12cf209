import { describe, expect, it } from "vitest";
import { DESIRED_STATE_CHANGED_EVENT, deviceRpcNames, deviceRpcPath, deviceTopic, reportArgsSchema } from "../../../functions/_shared/edge/device-api.ts";
import { desiredStateSchema } from "../../../functions/_shared/edge/desired-state.ts";
import { deviceReportSchema } from "../../../functions/_shared/edge/device-report.ts";
import { DEVICE_ID, ID_A, ID_B, desiredContainer } from "./fixtures.ts";

const minimal = { container_id: ID_A, name: "weather-agent", image: "ghcr.io/acme/agent:1", cpu: 0.5, memory_mb: 256 };

describe("desired state schema", () => {
  it("fills the declared defaults", () => {
    const state = desiredStateSchema.parse({ device_id: DEVICE_ID, generation: 3, containers: [minimal] });
    expect(state.containers[0]).toEqual({ ...minimal, env: {}, ports: [], restart_policy: "unless-stopped", health_path: "/health" });
  });

  it.each([
    ["a name that is not a DNS label", { name: "Weather_Agent" }],
    ["a name longer than 63", { name: "a".repeat(64) }],
    ["a non-uuid container id", { container_id: "42" }],
    ["an env name with a dash", { env: { "API-KEY": "x" } }],
    ["a port out of range", { ports: [{ container_port: 0, host_port: 80 }] }],
    ["zero cpu", { cpu: 0 }],
    ["fractional memory", { memory_mb: 1.5 }],
    ["an unknown restart policy", { restart_policy: "sometimes" }],
    ["a relative health path", { health_path: "health" }],
    ["an image with whitespace", { image: "busybox latest" }],
    ["an unknown field", { privileged: true }],
  ])("rejects %s", (_what, change) => {
    expect(desiredStateSchema.safeParse({ device_id: DEVICE_ID, generation: 1, containers: [{ ...minimal, ...change }] }).success).toBe(false);
  });

  it.each([
    ["container ids", { container_id: ID_A, name: "other" }],
    ["names", { container_id: ID_B, name: "weather-agent" }],
    ["host ports", { container_id: ID_B, name: "other", ports: [{ container_port: 9, host_port: 18080 }] }],
  ])("rejects duplicate %s", (_what, second) => {
    const containers = [desiredContainer(), desiredContainer(second as never)];
    expect(desiredStateSchema.safeParse({ device_id: DEVICE_ID, generation: 1, containers }).success).toBe(false);
  });
});

describe("device report schema", () => {
  const report = {
    agent_version: "0.1.0", generation: 4, timestamp: "2026-01-01T00:00:00.000Z",
    device: { address: "10.0.0.7", architecture: "aarch64", cpu_count: 4, memory_mb: 3906 },
    containers: [{ container_id: ID_A, engine_id: "abc", state: "running", health: "healthy", engine_error: null, cpu_percent: 1.5, memory_mb: 12.3, started_at: "2026-01-01T00:00:00Z" }],
  };

  it("accepts a report and the report RPC's arguments", () => {
    expect(deviceReportSchema.parse(report)).toEqual(report);
    expect(reportArgsSchema.safeParse({ report }).success).toBe(true);
  });

  it.each([
    ["an unknown state", { state: "sleeping" }],
    ["an unknown health", { health: "fine" }],
    ["negative cpu", { cpu_percent: -1 }],
    ["a bad start time", { started_at: "yesterday" }],
  ])("rejects %s", (_what, change) => {
    expect(deviceReportSchema.safeParse({ ...report, containers: [{ ...report.containers[0], ...change }] }).success).toBe(false);
  });
});

describe("device API names", () => {
  it("are the RPCs and Realtime names the server implements", () => {
    expect(Object.values(deviceRpcNames).map(deviceRpcPath)).toEqual([
      "/rest/v1/rpc/device_token_exchange",
      "/rest/v1/rpc/device_token_renew",
      "/rest/v1/rpc/device_desired_state",
      "/rest/v1/rpc/device_report",
      "/rest/v1/rpc/device_heartbeat",
    ]);
    expect(deviceTopic(DEVICE_ID)).toBe(`device:${DEVICE_ID}`);
    expect(DESIRED_STATE_CHANGED_EVENT).toBe("desired_state_changed");
  });
});
