import { nextHealth } from "../health/state-machine.ts";
import { loadOf, type ServiceUsage } from "../health/usage.ts";
import type { ProbeResult } from "../health/probe.ts";
import { parseCpu } from "../railway/resources.ts";
import type { CheckOutcome, ClaimedContainer } from "./types.ts";

/** vCPUs the container was given (resources.cpu), or null when it names none or an invalid one. */
function allocatedCpu(resources: Record<string, unknown> | null): number | null {
  const cpu = resources?.cpu;
  if (typeof cpu === "number") return cpu > 0 ? cpu : null;
  if (typeof cpu !== "string") return null;
  try {
    return parseCpu(cpu);
  } catch {
    return null;
  }
}

/** One check of one claimed container, pure: its state step and, for Railway, this sweep's usage. */
export function evaluate(c: ClaimedContainer, probe: ProbeResult, usageByService: ReadonlyMap<string, ServiceUsage>, at: Date): CheckOutcome {
  const step = nextHealth(
    { state: c.health_state, consecutiveFailures: c.health_consecutive_failures, healthySince: c.healthy_since },
    probe,
    { failureThreshold: c.health_failure_threshold, degradedAfterMs: c.health_degraded_after_ms },
    at,
  );
  // edge containers' usage comes from the device's reports: never touched here
  const usage = c.target_type === "railway" && c.provider_service_id ? usageByService.get(c.provider_service_id) : undefined;
  return { container: c, probe, step, at, usage, load: usage ? loadOf(usage.cpu, allocatedCpu(c.resources)) : null };
}
