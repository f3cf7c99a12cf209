/**
 * GraphQL root resolvers of the local Railway, over the store. Arguments arrive already validated against
 * the SDL; what the SDL cannot say (an `EnvironmentVariables` map of strings, the project id) is checked
 * here with Railway's wording.
 */
import { z } from "zod";
import { type DeploymentRecord, type DomainRecord, type InstanceSettings, Problem, type RestartPolicyType, type ServiceRecord } from "./model.ts";
import type { Store } from "./store.ts";

const variablesSchema = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string());

function variablesOf(value: unknown): Record<string, string> {
  const parsed = variablesSchema.safeParse(value ?? {});
  if (!parsed.success) throw new Problem("invalid", "Invalid variables: expected a map of NAME to string value");
  return parsed.data;
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** Relay-style page over an array, cursors being base64 offsets. */
function page<T, N>(items: T[], args: PageArgs, node: (item: T) => N) {
  const start = args.after ? Number(atob(args.after)) + 1 : 0;
  const end = args.first != null ? start + args.first : items.length;
  const slice = items.slice(start, end);
  return {
    edges: slice.map((item, i) => ({ cursor: btoa(String(start + i)), node: node(item) })),
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice.length ? btoa(String(start)) : null,
      endCursor: slice.length ? btoa(String(start + slice.length - 1)) : null,
    },
  };
}

const SAMPLE_LIMIT = 1_000;

/** `ServiceInstanceUpdateInput` as far as the SDL declares it. */
interface InstanceUpdateInput {
  source?: { image?: string | null } | null;
  healthcheckPath?: string | null;
  healthcheckTimeout?: number | null;
  numReplicas?: number | null;
  region?: string | null;
  restartPolicyType?: RestartPolicyType | null;
  restartPolicyMaxRetries?: number | null;
  startCommand?: string | null;
}

export function createRootValue(store: Store, now: () => number) {
  const checkProject = (id: string | null | undefined) => {
    if (id != null && id !== store.projectId) throw new Problem("not_found", "Project not found");
  };
  const checkEnvironment = (id: string | null | undefined) => {
    if (id != null && id !== store.environmentId) throw new Problem("not_found", "Environment not found");
  };

  const serviceNode = (s: ServiceRecord) => ({ id: s.id, name: s.name, projectId: s.projectId, createdAt: s.createdAt, updatedAt: s.updatedAt, deletedAt: null });
  const domainNode = (d: DomainRecord) => ({ ...d, suffix: null, syncStatus: "ACTIVE" });
  const deploymentNode = (d: DeploymentRecord) => {
    const endpoint = store.listServices().find((s) => s.id === d.serviceId)?.endpoint ?? null;
    return {
      id: d.id,
      projectId: d.projectId,
      environmentId: d.environmentId,
      serviceId: d.serviceId,
      status: d.status,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
      statusUpdatedAt: d.statusUpdatedAt,
      canRedeploy: !["QUEUED", "INITIALIZING", "DEPLOYING"].includes(d.status),
      canRollback: store.canRollback(d),
      deploymentStopped: d.status === "REMOVED",
      staticUrl: endpoint,
      url: endpoint,
    };
  };

  return {
    // Queries
    project({ id }: { id: string }) {
      checkProject(id);
      return {
        id: store.projectId,
        name: "local",
        createdAt: new Date(0).toISOString(),
        services: (args: PageArgs) => page(store.listServices(), args, serviceNode),
      };
    },
    deployment: ({ id }: { id: string }) => deploymentNode(store.deployment(id)),
    deployments(args: PageArgs & { input: { projectId?: string | null; environmentId?: string | null; serviceId?: string | null; includeDeleted?: boolean | null; status?: { in?: string[] | null; notIn?: string[] | null } | null } }) {
      const { input } = args;
      checkProject(input.projectId);
      checkEnvironment(input.environmentId);
      const list = store.listDeployments({
        serviceId: input.serviceId ?? null,
        includeDeleted: input.includeDeleted ?? false,
        statusIn: input.status?.in ?? null,
        statusNotIn: input.status?.notIn ?? null,
      });
      return page(list, args, deploymentNode);
    },
    domains(args: { projectId: string; environmentId: string; serviceId: string }) {
      checkProject(args.projectId);
      checkEnvironment(args.environmentId);
      store.service(args.serviceId);
      return { serviceDomains: store.listDomains(args.serviceId).map(domainNode) };
    },
    metrics(args: { projectId?: string | null; environmentId?: string | null; serviceId?: string | null; measurements: string[]; groupBy?: string[] | null; startDate: string; endDate?: string | null; sampleRateSeconds?: number | null }) {
      checkProject(args.projectId);
      checkEnvironment(args.environmentId);
      const start = Date.parse(args.startDate);
      const end = args.endDate ? Date.parse(args.endDate) : now();
      if (Number.isNaN(start) || Number.isNaN(end)) throw new Problem("invalid", "Invalid date");
      const step = Math.max(1, args.sampleRateSeconds ?? 60) * 1000;
      const times: number[] = [];
      for (let t = start; t <= end && times.length < SAMPLE_LIMIT; t += step) times.push(Math.floor(t / 1000));
      const live = store.listServices().filter((s) => (!args.serviceId || s.id === args.serviceId) && store.running(s.id));
      const valueOf = (s: ServiceRecord, measurement: string): number | undefined => ({
        CPU_USAGE: s.behaviour.cpu,
        MEMORY_USAGE_GB: s.behaviour.memoryGB,
        CPU_LIMIT: s.settings.vCPUs ?? 8,
        MEMORY_LIMIT_GB: s.settings.memoryGB ?? 8,
      } as Record<string, number>)[measurement];
      const byService = args.groupBy?.includes("SERVICE_ID") ?? false;
      const groups = byService ? live.map((s) => ({ serviceId: s.id as string | null, members: [s] })) : [{ serviceId: null, members: live }];
      return groups.flatMap(({ serviceId, members }) =>
        args.measurements.map((measurement) => {
          const total = members.reduce((sum, s) => sum + (valueOf(s, measurement) ?? 0), 0);
          const known = members.some((s) => valueOf(s, measurement) !== undefined);
          return {
            measurement,
            tags: { serviceId, projectId: store.projectId, environmentId: store.environmentId, deploymentId: serviceId ? store.running(serviceId)?.id ?? null : null },
            values: known ? times.map((ts) => ({ ts, value: total })) : [],
          };
        })
      );
    },

    // Mutations
    serviceCreate({ input }: { input: { projectId: string; environmentId?: string | null; name?: string | null; source?: { image?: string | null } | null; variables?: unknown } }) {
      checkProject(input.projectId);
      checkEnvironment(input.environmentId);
      const variables = variablesOf(input.variables);
      const name = input.name ?? `service-${store.listServices().length + 1}`;
      return serviceNode(store.createService({ name, image: input.source?.image ?? null, variables }));
    },
    async serviceDelete({ id, environmentId }: { id: string; environmentId?: string | null }) {
      checkEnvironment(environmentId);
      await store.deleteService(id);
      return true;
    },
    variableCollectionUpsert({ input }: { input: { projectId: string; environmentId: string; serviceId?: string | null; variables: unknown; replace?: boolean | null; skipDeploys?: boolean | null } }) {
      checkProject(input.projectId);
      checkEnvironment(input.environmentId);
      if (!input.serviceId) throw new Problem("invalid", "Shared variables are not supported by the local Railway");
      store.upsertVariables(input.serviceId, variablesOf(input.variables), { replace: input.replace ?? false, skipDeploys: input.skipDeploys ?? false });
      return true;
    },
    serviceInstanceLimitsUpdate({ input }: { input: { serviceId: string; environmentId: string; vCPUs?: number | null; memoryGB?: number | null } }) {
      checkEnvironment(input.environmentId);
      for (const value of [input.vCPUs, input.memoryGB]) if (value != null && !(value > 0)) throw new Problem("invalid", "Limits must be positive");
      store.updateSettings(input.serviceId, {
        ...(input.vCPUs != null ? { vCPUs: input.vCPUs } : {}),
        ...(input.memoryGB != null ? { memoryGB: input.memoryGB } : {}),
      });
      return true;
    },
    serviceInstanceUpdate({ serviceId, environmentId, input }: { serviceId: string; environmentId?: string | null; input: InstanceUpdateInput }) {
      checkEnvironment(environmentId);
      if (input.numReplicas != null && input.numReplicas < 1) throw new Problem("invalid", "numReplicas must be at least 1");
      if (input.healthcheckTimeout != null && input.healthcheckTimeout < 1) throw new Problem("invalid", "healthcheckTimeout must be positive");
      const patch: Partial<InstanceSettings> = {};
      if (input.source?.image != null) patch.image = input.source.image;
      if (input.healthcheckPath != null) patch.healthcheckPath = input.healthcheckPath;
      if (input.healthcheckTimeout != null) patch.healthcheckTimeout = input.healthcheckTimeout;
      if (input.numReplicas != null) patch.numReplicas = input.numReplicas;
      if (input.region != null) patch.region = input.region;
      if (input.restartPolicyType != null) patch.restartPolicyType = input.restartPolicyType;
      if (input.restartPolicyMaxRetries != null) patch.restartPolicyMaxRetries = input.restartPolicyMaxRetries;
      if (input.startCommand != null) patch.startCommand = input.startCommand;
      store.updateSettings(serviceId, patch);
      return true;
    },
    async serviceDomainCreate({ input }: { input: { serviceId: string; environmentId: string; targetPort?: number | null } }) {
      checkEnvironment(input.environmentId);
      return domainNode(await store.createDomain(input.serviceId, input.targetPort ?? null));
    },
    serviceInstanceDeployV2({ serviceId, environmentId }: { serviceId: string; environmentId: string }) {
      checkEnvironment(environmentId);
      return store.deploy(serviceId).id;
    },
    deploymentRestart({ id }: { id: string }) {
      store.restart(id);
      return true;
    },
    deploymentRedeploy: ({ id }: { id: string }) => deploymentNode(store.redeploy(id)),
    deploymentRollback({ id }: { id: string }) {
      store.rollback(id);
      return true;
    },
    deploymentRemove({ id }: { id: string }) {
      store.remove(id);
      return true;
    },
  };
}
