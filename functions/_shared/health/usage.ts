import type { MetricSample, ServiceMetrics } from "../railway/types.ts";

/**
 * CPU and memory of Railway services, from ONE `getMetrics` call per sweep (Railway allows 1,000
 * API requests an hour on Hobby): the newest sample of each measurement, per service.
 */
export interface ServiceUsage {
  /** vCPUs in use. */
  cpu: number | null;
  /** GB of memory in use. */
  memoryGB: number | null;
  /** Time of the newest sample used. */
  at: Date;
}

const newest = (samples: readonly MetricSample[]): MetricSample | undefined =>
  samples.reduce<MetricSample | undefined>((best, s) => (best === undefined || s.ts > best.ts ? s : best), undefined);

export function latestUsage(metrics: readonly ServiceMetrics[]): Map<string, ServiceUsage> {
  const usage = new Map<string, ServiceUsage>();
  for (const m of metrics) {
    const cpu = newest(m.cpu);
    const memory = newest(m.memoryGB);
    const ts = Math.max(cpu?.ts ?? 0, memory?.ts ?? 0);
    if (ts === 0) continue;
    usage.set(m.serviceId, { cpu: cpu?.value ?? null, memoryGB: memory?.value ?? null, at: new Date(ts * 1000) });
  }
  return usage;
}

/** `load`: CPU in use as a fraction of the vCPUs the container was given (resources.cpu), else vCPUs in use. */
export function loadOf(cpu: number | null, allocatedCpu: number | null): number | null {
  if (cpu === null) return null;
  return allocatedCpu && allocatedCpu > 0 ? cpu / allocatedCpu : cpu;
}
