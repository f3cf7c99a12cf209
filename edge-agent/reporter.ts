/**
 * Builds and sends the device report, and the heartbeat.
 *
 * A report covers every container of the last applied desired state (see `device-report.ts` for the
 * vocabulary): the agent's recorded failure wins (`failed`, with the engine's error); otherwise the engine
 * container carrying the current spec hash (or, mid-replacement, any with the container's id) gives the
 * state; running containers get a health check, an inspect (start time) and a stats sample. Containers
 * removed since the last sent report appear once as `removed`.
 */
import type { DesiredContainer } from "../functions/_shared/edge/desired-state.ts";
import type { ContainerReport, DeviceReport } from "../functions/_shared/edge/device-report.ts";
import type { Clock } from "./clock.ts";
import type { DockerApi } from "./docker-api.ts";
import { engineSpec, type EngineSpecOptions } from "./engine-spec.ts";
import type { EngineContainer, EngineState } from "./engine-types.ts";
import { checkHealth, healthUrl } from "./health-check.ts";
import { CONTAINER_ID_LABEL, MANAGED_LABEL, MANAGED_VALUE, SPEC_HASH_LABEL } from "./labels.ts";
import type { OrchestratorApi } from "./orchestrator-api.ts";
import type { ApplyStatus } from "./reconciler.ts";
import type { HttpFetch } from "./rpc-client.ts";
import { bytesToMib, cpuPercent, type CpuSample } from "./usage.ts";

export interface ReporterOptions {
  docker: DockerApi;
  api: OrchestratorApi;
  /** The last apply's status (the reconciler's). */
  status: () => ApplyStatus | undefined;
  /** Called after a report holding these removals was sent. */
  acknowledgeRemoved: (ids: Iterable<string>) => void;
  /** For health checks. */
  fetch: HttpFetch;
  clock: Clock;
  agentVersion: string;
  advertiseAddress: string;
  healthCheckHost: string;
  healthTimeoutMs: number;
  specOptions: EngineSpecOptions;
}

/** Engine states as the report names them. */
const REPORTED_STATE: Record<EngineState, ContainerReport["state"]> = {
  created: "creating",
  running: "running",
  restarting: "restarting",
  paused: "exited",
  removing: "exited",
  exited: "exited",
  dead: "failed",
};

export class Reporter {
  /** Last CPU sample per engine id, for CPU percent between two reports. */
  private cpuSamples = new Map<string, CpuSample>();

  constructor(private readonly options: ReporterOptions) {}

  /** Builds a report and sends it. Throws when it cannot be sent (the caller retries next interval). */
  async report(): Promise<DeviceReport> {
    const report = await this.build();
    await this.options.api.report(report);
    this.options.acknowledgeRemoved(report.containers.filter((c) => c.state === "removed").map((c) => c.container_id));
    return report;
  }

  /** Sends a heartbeat; returns the orchestrator's current desired generation. */
  async heartbeat(): Promise<number> {
    return (await this.options.api.heartbeat(this.options.agentVersion)).desired_generation;
  }

  async build(): Promise<DeviceReport> {
    const { docker, clock } = this.options;
    const status = this.options.status();
    const [engineContainers, info] = await Promise.all([docker.listContainers([`${MANAGED_LABEL}=${MANAGED_VALUE}`]), docker.info()]);
    const seen = new Set<string>();
    const containers: ContainerReport[] = [];
    for (const desired of status?.desired.containers ?? []) {
      containers.push(await this.containerReport(desired, engineContainers, status!, seen));
    }
    for (const id of status?.removed ?? []) {
      containers.push({ container_id: id, engine_id: null, state: "removed", health: "unknown", engine_error: null, cpu_percent: null, memory_mb: null, started_at: null });
    }
    for (const engineId of [...this.cpuSamples.keys()]) if (!seen.has(engineId)) this.cpuSamples.delete(engineId);
    return {
      agent_version: this.options.agentVersion,
      generation: status?.desired.generation ?? null,
      containers,
      device: {
        address: this.options.advertiseAddress,
        architecture: info.architecture,
        cpu_count: Math.max(1, info.cpu_count),
        memory_mb: Math.max(1, Math.floor(info.memory_bytes / (1024 * 1024))),
      },
      timestamp: new Date(clock.now()).toISOString(),
    };
  }

  private async containerReport(desired: DesiredContainer, engine: EngineContainer[], status: ApplyStatus, seen: Set<string>): Promise<ContainerReport> {
    const specHash = engineSpec(desired, this.options.specOptions).specHash;
    const mine = engine.filter((c) => c.labels[CONTAINER_ID_LABEL] === desired.container_id);
    const current = mine.find((c) => c.labels[SPEC_HASH_LABEL] === specHash) ?? mine[0];
    const failure = status.failures.get(desired.container_id);
    const report: ContainerReport = {
      container_id: desired.container_id,
      engine_id: current?.engine_id ?? null,
      state: failure !== undefined ? "failed" : current === undefined ? "creating" : REPORTED_STATE[current.state],
      health: "unknown",
      engine_error: failure?.message ?? null,
      cpu_percent: null,
      memory_mb: null,
      started_at: null,
    };
    if (current === undefined) return report;
    seen.add(current.engine_id);
    const details = await this.options.docker.inspectContainer(current.engine_id).catch(() => undefined);
    report.started_at = details?.started_at ?? null;
    report.engine_error ??= details?.error ?? null;
    if (details !== undefined && failure === undefined) report.state = REPORTED_STATE[details.state];
    if (details?.state !== "running") return report;
    const firstPort = desired.ports[0];
    const [health, stats] = await Promise.all([
      firstPort === undefined
        ? Promise.resolve("unknown" as const)
        : checkHealth(this.options.fetch, healthUrl(this.options.healthCheckHost, firstPort.host_port, desired.health_path), this.options.healthTimeoutMs),
      this.options.docker.stats(current.engine_id).catch(() => undefined),
    ]);
    report.health = health;
    if (stats !== undefined) {
      report.cpu_percent = cpuPercent(stats, this.cpuSamples.get(current.engine_id));
      report.memory_mb = bytesToMib(stats.memory_bytes);
      this.cpuSamples.set(current.engine_id, { cpu_total_ns: stats.cpu_total_ns, system_cpu_ns: stats.system_cpu_ns });
    }
    return report;
  }
}
