/**
 * The local Railway's state, kept as Railway keeps it: one project with one environment, its services (with
 * per-environment settings and variables), generated domains and deployments. Deployments move
 * QUEUED → INITIALIZING → DEPLOYING → SUCCESS one step every `stepMs`, or end FAILED/CRASHED when the
 * control API asks for it or the service's health check fails while it goes live. A newer SUCCESS
 * replaces the running deployment (REMOVED, can be rolled back to) and skips older ones still on the way.
 */
import type { Endpoints } from "./endpoints.ts";
import {
  defaultBehaviour,
  defaultSettings,
  type DeploymentRecord,
  type DeploymentStatus,
  type DomainRecord,
  type InstanceSettings,
  Problem,
  type ServiceBehaviour,
  type ServiceRecord,
} from "./model.ts";

export interface StoreOptions {
  projectId: string;
  environmentId: string;
  /** Milliseconds per deployment step. */
  stepMs: number;
  now: () => number;
  newId: () => string;
  endpoints: Endpoints;
  log: (line: object) => void;
}

const IN_FLIGHT: readonly DeploymentStatus[] = ["QUEUED", "INITIALIZING", "BUILDING", "DEPLOYING", "WAITING", "NEEDS_APPROVAL"];
const NEXT_STEP: Partial<Record<DeploymentStatus, DeploymentStatus>> = { QUEUED: "INITIALIZING", INITIALIZING: "DEPLOYING" };

export function createStore(options: StoreOptions) {
  const { projectId, environmentId, now, newId, endpoints, log } = options;
  let stepMs = options.stepMs;
  let services = new Map<string, ServiceRecord>();
  let domains: DomainRecord[] = [];
  let deployments: DeploymentRecord[] = [];
  let failNext: Array<"FAILED" | "CRASHED"> = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let lastTimestamp = 0;

  /** Strictly increasing timestamps, so "newest first" is never a tie. */
  function timestamp(): string {
    lastTimestamp = Math.max(now(), lastTimestamp + 1);
    return new Date(lastTimestamp).toISOString();
  }

  function later(fn: () => void | Promise<void>): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void Promise.resolve(fn()).catch((error: unknown) => log({ component: "local-railway", event: "step_failed", error: String(error) }));
    }, stepMs);
    timers.add(timer);
  }

  function service(id: string): ServiceRecord {
    const found = services.get(id);
    if (!found) throw new Problem("not_found", "Service not found");
    return found;
  }

  function deployment(id: string): DeploymentRecord {
    const found = deployments.find((d) => d.id === id);
    if (!found) throw new Problem("not_found", "Deployment not found");
    return found;
  }

  function setStatus(d: DeploymentRecord, status: DeploymentStatus): void {
    d.status = status;
    d.updatedAt = d.statusUpdatedAt = timestamp();
    if (status === "SUCCESS") d.everSucceeded = true;
    log({ component: "local-railway", event: "deployment_status", deployment_id: d.id, service_id: d.serviceId, status });
  }

  function running(serviceId: string): DeploymentRecord | undefined {
    return deployments.find((d) => d.serviceId === serviceId && d.status === "SUCCESS");
  }

  async function goLive(d: DeploymentRecord): Promise<void> {
    const s = services.get(d.serviceId);
    if (!s) return;
    const forced = failNext.shift();
    const healthFails = d.settings.healthcheckPath !== null &&
      (s.behaviour.healthStatus !== 200 || s.behaviour.healthDelayMs > d.settings.healthcheckTimeout * 1000);
    const failure = forced ?? (healthFails ? "FAILED" : undefined);
    if (failure) {
      setStatus(d, failure);
      return;
    }
    s.endpoint = await endpoints.ensure(s.id);
    if (!services.has(s.id)) return endpoints.close(s.id); // deleted while the listener started
    if (d.status !== "DEPLOYING") return; // removed or skipped meanwhile
    for (const other of deployments) {
      if (other.serviceId !== d.serviceId || other === d) continue;
      if (other.status === "SUCCESS" || other.status === "CRASHED" || other.status === "SLEEPING") setStatus(other, "REMOVED");
      else if (IN_FLIGHT.includes(other.status) && other.createdAt < d.createdAt) setStatus(other, "SKIPPED");
    }
    setStatus(d, "SUCCESS");
  }

  function advance(d: DeploymentRecord, expected: DeploymentStatus): void {
    later(async () => {
      if (d.status !== expected) return; // removed, skipped or service deleted meanwhile
      const next = NEXT_STEP[expected];
      if (next) {
        setStatus(d, next);
        advance(d, next);
      } else {
        await goLive(d);
      }
    });
  }

  function startDeployment(serviceId: string, settings: InstanceSettings): DeploymentRecord {
    if (settings.image === null) throw new Problem("invalid", "Service has no source to deploy");
    const at = timestamp();
    const d: DeploymentRecord = {
      id: newId(),
      serviceId,
      projectId,
      environmentId,
      status: "QUEUED",
      createdAt: at,
      updatedAt: at,
      statusUpdatedAt: at,
      everSucceeded: false,
      restarts: 0,
      settings: structuredClone(settings),
    };
    deployments.push(d);
    log({ component: "local-railway", event: "deployment_status", deployment_id: d.id, service_id: serviceId, status: d.status });
    advance(d, "QUEUED");
    return d;
  }

  /** By id, else by name (for the control API). */
  function lookupService(idOrName: string): ServiceRecord {
    const found = services.get(idOrName) ?? [...services.values()].find((s) => s.name === idOrName);
    if (!found) throw new Problem("not_found", "Service not found");
    return found;
  }

  function canRollback(d: DeploymentRecord): boolean {
    return d.everSucceeded && d.status === "REMOVED" && services.has(d.serviceId);
  }

  return {
    projectId,
    environmentId,
    canRollback,
    running,

    listServices: (): ServiceRecord[] => [...services.values()],
    service,
    lookupService,

    createService(input: { name: string; image: string | null; variables: Record<string, string> }): ServiceRecord {
      const at = timestamp();
      const settings = { ...defaultSettings(), image: input.image, variables: { ...input.variables } };
      const s: ServiceRecord = { id: newId(), name: input.name, projectId, createdAt: at, updatedAt: at, settings, behaviour: defaultBehaviour(), endpoint: null };
      services.set(s.id, s);
      // Like Railway, a service created from an image deploys it straight away.
      if (input.image !== null) startDeployment(s.id, settings);
      return s;
    },

    async deleteService(id: string): Promise<void> {
      service(id);
      for (const d of deployments) if (d.serviceId === id && d.status !== "REMOVED") setStatus(d, "REMOVED");
      services.delete(id);
      domains = domains.filter((domain) => domain.serviceId !== id);
      await endpoints.close(id);
    },

    upsertVariables(id: string, variables: Record<string, string>, opts: { replace: boolean; skipDeploys: boolean }): void {
      const s = service(id);
      s.settings.variables = { ...(opts.replace ? {} : s.settings.variables), ...variables };
      s.updatedAt = timestamp();
      // Railway redeploys a deployed service when its variables change, unless told to skip it.
      if (!opts.skipDeploys && deployments.some((d) => d.serviceId === id)) startDeployment(id, s.settings);
    },

    updateSettings(id: string, patch: Partial<InstanceSettings>): void {
      const s = service(id);
      s.settings = { ...s.settings, ...patch };
      s.updatedAt = timestamp();
    },

    listDomains: (serviceId: string): DomainRecord[] => domains.filter((d) => d.serviceId === serviceId),

    async createDomain(serviceId: string, targetPort: number | null): Promise<DomainRecord> {
      service(serviceId);
      if (domains.some((d) => d.serviceId === serviceId)) throw new Problem("invalid", "Service already has a service domain");
      const address = await endpoints.ensure(serviceId);
      const s = services.get(serviceId);
      if (!s) {
        await endpoints.close(serviceId); // deleted while the listener started
        throw new Problem("not_found", "Service not found");
      }
      s.endpoint = address;
      const domain: DomainRecord = { id: newId(), serviceId, projectId, environmentId, domain: address, targetPort, createdAt: timestamp() };
      domains.push(domain);
      return domain;
    },

    deploy: (serviceId: string): DeploymentRecord => startDeployment(serviceId, service(serviceId).settings),

    /** Newest first. */
    listDeployments(filter: { serviceId?: string | null; includeDeleted?: boolean | null; statusIn?: readonly string[] | null; statusNotIn?: readonly string[] | null }): DeploymentRecord[] {
      return deployments
        .filter((d) => !filter.serviceId || d.serviceId === filter.serviceId)
        .filter((d) => filter.includeDeleted || services.has(d.serviceId))
        .filter((d) => !filter.statusIn || filter.statusIn.includes(d.status))
        .filter((d) => !filter.statusNotIn || !filter.statusNotIn.includes(d.status))
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    },

    deployment,

    restart(id: string): void {
      const d = deployment(id);
      if (d.status !== "SUCCESS" && d.status !== "CRASHED") throw new Problem("invalid", "Deployment is not running");
      d.restarts += 1;
      if (d.status === "CRASHED") setStatus(d, "SUCCESS");
    },

    redeploy(id: string): DeploymentRecord {
      const d = deployment(id);
      service(d.serviceId);
      return startDeployment(d.serviceId, d.settings);
    },

    rollback(id: string): void {
      const d = deployment(id);
      if (!canRollback(d)) throw new Problem("invalid", "Deployment cannot be rolled back");
      const s = service(d.serviceId);
      s.settings = structuredClone(d.settings);
      startDeployment(s.id, s.settings);
    },

    remove(id: string): void {
      const d = deployment(id);
      if (d.status !== "REMOVED") setStatus(d, "REMOVED");
    },

    // Control API.
    crash(id: string): void {
      setStatus(deployment(id), "CRASHED");
    },
    failNextDeployments(status: "FAILED" | "CRASHED", count: number): void {
      failNext.push(...Array.from({ length: count }, () => status));
    },
    setBehaviour(idOrName: string, patch: Partial<ServiceBehaviour>): ServiceBehaviour {
      const s = lookupService(idOrName);
      s.behaviour = { ...s.behaviour, ...patch };
      return s.behaviour;
    },
    setStepMs(ms: number): void {
      stepMs = ms;
    },

    snapshot() {
      return {
        projectId,
        environmentId,
        stepMs,
        pendingFailures: [...failNext],
        services: [...services.values()].map((s) => ({ ...s, settings: { ...s.settings, variables: Object.keys(s.settings.variables) } })),
        domains,
        deployments: deployments.map(({ settings, ...d }) => ({ ...d, image: settings.image, canRollback: canRollback({ settings, ...d }) })),
      };
    },

    async reset(): Promise<void> {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      services = new Map();
      domains = [];
      deployments = [];
      failNext = [];
      stepMs = options.stepMs;
      await endpoints.closeAll();
    },
  };
}

export type Store = ReturnType<typeof createStore>;
