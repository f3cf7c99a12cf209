/** CPU and memory of every service of the project, read in one `metrics` call grouped by SERVICE_ID. */
import * as s from "../schemas.ts";
import type { MetricSample, ServiceMetrics } from "../types.ts";
import type { OperationContext } from "./context.ts";

export function metricsOperations(ctx: OperationContext) {
  const { call, projectId, environmentId } = ctx;

  async function getMetrics(opts: { since: Date; until?: Date; sampleRateSeconds?: number; averagingWindowSeconds?: number }): Promise<ServiceMetrics[]> {
    const data = await call("Metrics", s.metricsData, {
      projectId,
      environmentId,
      measurements: ["CPU_USAGE", "MEMORY_USAGE_GB"],
      startDate: opts.since.toISOString(),
      endDate: opts.until?.toISOString() ?? null,
      sampleRateSeconds: opts.sampleRateSeconds ?? null,
      averagingWindowSeconds: opts.averagingWindowSeconds ?? null,
    });
    const byService = new Map<string, ServiceMetrics>();
    for (const result of data.metrics) {
      const serviceId = result.tags.serviceId;
      if (serviceId === null) continue;
      const entry = byService.get(serviceId) ?? { serviceId, cpu: [], memoryGB: [] };
      const samples: MetricSample[] = result.values.map(({ ts, value }) => ({ ts, value }));
      if (result.measurement === "CPU_USAGE") entry.cpu.push(...samples);
      if (result.measurement === "MEMORY_USAGE_GB") entry.memoryGB.push(...samples);
      byService.set(serviceId, entry);
    }
    return [...byService.values()];
  }


  return { getMetrics };
}
