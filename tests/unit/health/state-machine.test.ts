import { describe, expect, it } from "vitest";
import type { ProbeResult } from "../../../functions/_shared/health/probe.ts";
import { type HealthMemory, type HealthThresholds, nextHealth } from "../../../functions/_shared/health/state-machine.ts";

const ok = (ms = 10): ProbeResult => ({ status: "healthy", responseTimeMs: ms, httpStatus: 200, error: null });
const slow = (ms = 3000): ProbeResult => ({ status: "degraded", responseTimeMs: ms, httpStatus: 200, error: null });
const fail = (error = "HTTP 500"): ProbeResult => ({ status: "unhealthy", responseTimeMs: 5, httpStatus: 500, error });
const t0 = new Date("2026-12-05T10:00:00Z");
const later = (s: number) => new Date(t0.getTime() + s * 1000);
const fresh: HealthMemory = { state: "unknown", consecutiveFailures: 0, healthySince: null };
const defaults: HealthThresholds = { failureThreshold: 3, degradedAfterMs: null };

/** Runs a sequence of probes 30 s apart and returns the states. */
function run(probes: ProbeResult[], thresholds = defaults) {
  let memory = fresh;
  return probes.map((p, i) => {
    const step = nextHealth(memory, p, thresholds, later(30 * i));
    memory = step;
    return step;
  });
}

describe("health state machine", () => {
  it("goes unknown → healthy on a passing check and counts uptime from then", () => {
    const [first, second] = run([ok(), ok()]);
    expect(first).toMatchObject({ previous: "unknown", state: "healthy", changed: true, passed: true, uptimeSeconds: 0, healthySince: t0 });
    expect(second).toMatchObject({ state: "healthy", changed: false, uptimeSeconds: 30, healthySince: t0 });
  });

  it("is degraded while failures stay below the threshold and unhealthy at the threshold", () => {
    const steps = run([ok(), fail(), fail(), fail(), fail()]);
    expect(steps.map((s) => s.state)).toEqual(["healthy", "degraded", "degraded", "unhealthy", "unhealthy"]);
    expect(steps.map((s) => s.consecutiveFailures)).toEqual([0, 1, 2, 3, 4]);
    expect(steps.map((s) => s.changed)).toEqual([true, true, false, true, false]);
    expect(steps.map((s) => s.checkStatus)).toEqual(["healthy", "unhealthy", "unhealthy", "unhealthy", "unhealthy"]);
    expect(steps[2]!.healthySince).toEqual(t0); // degraded keeps uptime running
    expect(steps[3]).toMatchObject({ healthySince: null, uptimeSeconds: 0 });
  });

  it("marks a slow 2xx degraded, by the probe's classification or the container's own threshold", () => {
    expect(run([slow()])[0]).toMatchObject({ state: "degraded", passed: true, checkStatus: "degraded", healthySince: null });
    expect(run([ok(800)], { failureThreshold: 3, degradedAfterMs: 500 })[0]).toMatchObject({ state: "degraded" });
    expect(run([slow(3000)], { failureThreshold: 3, degradedAfterMs: 5000 })[0]).toMatchObject({ state: "healthy" });
  });

  it("recovers from unhealthy with one passing check and restarts uptime", () => {
    const steps = run([ok(), fail(), fail(), fail(), ok()]);
    expect(steps[4]).toMatchObject({ previous: "unhealthy", state: "healthy", changed: true, consecutiveFailures: 0, healthySince: later(120), uptimeSeconds: 0 });
  });

  it("changes state on every flap and never when the state stays", () => {
    const steps = run([ok(), fail(), ok(), fail(), ok(), ok()], { failureThreshold: 1, degradedAfterMs: null });
    expect(steps.map((s) => s.state)).toEqual(["healthy", "unhealthy", "healthy", "unhealthy", "healthy", "healthy"]);
    expect(steps.filter((s) => s.changed)).toHaveLength(5);
  });

  it("with threshold 1 a first failure is unhealthy at once", () => {
    expect(run([fail()], { failureThreshold: 1, degradedAfterMs: null })[0]).toMatchObject({ previous: "unknown", state: "unhealthy" });
  });
});
