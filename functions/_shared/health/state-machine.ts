import type { ProbeResult } from "./probe.ts";

/**
 * The health state machine of one container, pure: the previous state and one probe result in, the
 * next state out.
 *
 *   unknown    before the first check
 *   healthy    2xx within the container's degraded threshold
 *   degraded   2xx but slower than the threshold, or a failed check while the failures in a row are
 *              still below the failure threshold
 *   unhealthy  `failureThreshold` failed checks in a row (non-2xx, timeout, reset, refused…)
 *
 * One passing check ends a run of failures. `healthySince` is set when the container becomes healthy,
 * kept while it stays healthy or degraded, and cleared when it becomes unhealthy; `uptime` counts
 * whole seconds since then (0 without it).
 */
export type HealthState = "unknown" | "healthy" | "degraded" | "unhealthy";

export interface HealthMemory {
  state: HealthState;
  consecutiveFailures: number;
  healthySince: Date | null;
}

export interface HealthThresholds {
  /** Failed checks in a row that make a container unhealthy (≥ 1). */
  failureThreshold: number;
  /** A 2xx slower than this is degraded; null: the probe's own classification (HEALTH_DEGRADED_MS). */
  degradedAfterMs: number | null;
}

export interface HealthStep extends HealthMemory {
  /** The state before this check. */
  previous: HealthState;
  changed: boolean;
  /** The check passed (a 2xx answer, slow or not). */
  passed: boolean;
  /** What the check itself was, as recorded in health_checks.status. */
  checkStatus: "healthy" | "degraded" | "unhealthy";
  uptimeSeconds: number;
}

export function nextHealth(prev: HealthMemory, probe: ProbeResult, t: HealthThresholds, at: Date): HealthStep {
  const passed = probe.status !== "unhealthy";
  const slow = passed && (t.degradedAfterMs === null ? probe.status === "degraded" : probe.responseTimeMs > t.degradedAfterMs);
  const consecutiveFailures = passed ? 0 : prev.consecutiveFailures + 1;
  const state: HealthState = passed
    ? (slow ? "degraded" : "healthy")
    : (consecutiveFailures >= Math.max(1, t.failureThreshold) ? "unhealthy" : prev.state === "unhealthy" ? "unhealthy" : "degraded");
  const healthySince = state === "unhealthy" ? null
    : prev.healthySince ?? (state === "healthy" ? at : null);
  const uptimeSeconds = healthySince ? Math.max(0, Math.floor((at.getTime() - healthySince.getTime()) / 1000)) : 0;
  return {
    previous: prev.state,
    state,
    changed: state !== prev.state,
    passed,
    checkStatus: passed ? (slow ? "degraded" : "healthy") : "unhealthy",
    consecutiveFailures,
    healthySince,
    uptimeSeconds,
  };
}
