/** CPU percent from two cumulative CPU samples, the way `docker stats` computes it. Pure. */
import type { EngineStatsSample } from "./engine-types.ts";

export interface CpuSample {
  cpu_total_ns: number;
  system_cpu_ns: number;
}

/**
 * Percent of one core used between `previous` and `sample` (the engine's own previous sample wins when it
 * gives one). Null when there is no earlier sample or the host's CPU time did not advance.
 */
export function cpuPercent(sample: EngineStatsSample, previous: CpuSample | undefined): number | null {
  const before = sample.previous ?? previous;
  if (before === undefined) return null;
  const cpuDelta = sample.cpu_total_ns - before.cpu_total_ns;
  const systemDelta = sample.system_cpu_ns - before.system_cpu_ns;
  if (systemDelta <= 0 || cpuDelta < 0) return null;
  return Math.round((cpuDelta / systemDelta) * sample.online_cpus * 100 * 100) / 100;
}

const BYTES_PER_MIB = 1024 * 1024;

export function bytesToMib(bytes: number): number {
  return Math.round((bytes / BYTES_PER_MIB) * 100) / 100;
}
