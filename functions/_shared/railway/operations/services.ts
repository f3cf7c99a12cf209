/**
 * Services, their variables, limits, settings and generated domain. `ensureService` and `ensureDomain` are
 * idempotent: they look before they create, and look again when a create's outcome is unknown.
 */
import type { z } from "zod";
import { sendCheckingFirst } from "../check-first.ts";
import { RailwayError } from "../errors.ts";
import { addressOf } from "../naming.ts";
import type { ResourceLimits } from "../resources.ts";
import * as s from "../schemas.ts";
import type { RailwayDomain, RailwayService, ServiceInstanceSettings } from "../types.ts";
import type { OperationContext } from "./context.ts";

const PAGE_SIZE = 100;

function toDomain(raw: z.infer<typeof s.serviceDomainSchema>): RailwayDomain {
  return { ...raw, address: addressOf(raw.domain) };
}

export function serviceOperations(ctx: OperationContext) {
  const { call, config, projectId, environmentId, pause } = ctx;

  async function findServiceByName(name: string): Promise<RailwayService | undefined> {
    let after: string | null = null;
    for (;;) {
      const data: z.infer<typeof s.projectServicesData> = await call("ProjectServices", s.projectServicesData, {
        projectId,
        first: PAGE_SIZE,
        after,
      });
      const found = data.project.services.edges.find((edge) => edge.node.name === name);
      if (found) return found.node;
      const { hasNextPage, endCursor } = data.project.services.pageInfo;
      if (!hasNextPage || endCursor === null) return undefined;
      after = endCursor;
    }
  }

  /**
   * Finds the service by name, else creates it with the variables. Never creates two: a create whose outcome
   * is unknown is followed by a look-up. The image is set afterwards with `updateServiceInstance`, so no
   * deployment can start before limits and health check are in place.
   */
  async function ensureService(input: { name: string; variables: Record<string, string> }) {
    const existing = await findServiceByName(input.name);
    if (existing) return { service: existing, created: false };
    const { value } = await sendCheckingFirst({
      send: async () => {
        const data = await call("ServiceCreate", s.serviceCreateData, {
          input: { projectId, environmentId, name: input.name, variables: input.variables },
        }, Object.values(input.variables));
        return data.serviceCreate;
      },
      find: () => findServiceByName(input.name),
      maxAttempts: config.retry.maxAttempts,
      pause,
    });
    return { service: value, created: true };
  }

  /** Sets (or with `replace`, replaces all) variables without triggering a deployment (`skipDeploys`). */
  async function upsertVariables(serviceId: string, variables: Record<string, string>, opts: { replace?: boolean } = {}) {
    await call("VariableCollectionUpsert", s.booleanData("variableCollectionUpsert"), {
      input: { projectId, environmentId, serviceId, variables, replace: opts.replace ?? false, skipDeploys: true },
    }, Object.values(variables));
  }

  async function setLimits(serviceId: string, limits: ResourceLimits) {
    await call("ServiceInstanceLimitsUpdate", s.booleanData("serviceInstanceLimitsUpdate"), {
      input: { serviceId, environmentId, ...limits },
    });
  }

  async function updateServiceInstance(serviceId: string, settings: ServiceInstanceSettings) {
    const input = {
      ...(settings.image !== undefined ? { source: { image: settings.image } } : {}),
      ...(settings.healthcheckPath !== undefined ? { healthcheckPath: settings.healthcheckPath } : {}),
      ...(settings.healthcheckTimeoutSeconds !== undefined ? { healthcheckTimeout: settings.healthcheckTimeoutSeconds } : {}),
      ...(settings.replicas !== undefined ? { numReplicas: settings.replicas } : {}),
      ...(settings.region !== undefined ? { region: settings.region } : {}),
      ...(settings.restartPolicy !== undefined ? { restartPolicyType: settings.restartPolicy.type } : {}),
      ...(settings.restartPolicy?.maxRetries !== undefined ? { restartPolicyMaxRetries: settings.restartPolicy.maxRetries } : {}),
    };
    if (Object.keys(input).length === 0) return;
    await call("ServiceInstanceUpdate", s.booleanData("serviceInstanceUpdate"), { serviceId, environmentId, input });
  }

  async function listDomains(serviceId: string): Promise<RailwayDomain[]> {
    const data = await call("ServiceDomains", s.serviceDomainsData, { projectId, environmentId, serviceId });
    return data.domains.serviceDomains.map(toDomain);
  }

  /** The service's generated domain, created (routed to `targetPort`) only when it has none. */
  async function ensureDomain(serviceId: string, opts: { targetPort?: number } = {}) {
    const [existing] = await listDomains(serviceId);
    if (existing) return { domain: existing, created: false };
    const { value } = await sendCheckingFirst({
      send: async () => {
        const data = await call("ServiceDomainCreate", s.serviceDomainCreateData, {
          input: { serviceId, environmentId, ...(opts.targetPort !== undefined ? { targetPort: opts.targetPort } : {}) },
        });
        return toDomain(data.serviceDomainCreate);
      },
      find: async () => (await listDomains(serviceId))[0],
      maxAttempts: config.retry.maxAttempts,
      pause,
    });
    return { domain: value, created: true };
  }

  /** The service's deployments in this environment, newest first. */
  async function deleteService(serviceId: string) {
    try {
      await call("ServiceDelete", s.booleanData("serviceDelete"), { id: serviceId, environmentId });
    } catch (error) {
      if (error instanceof RailwayError && error.code === "not_found") return;
      throw error;
    }
  }

  /** CPU and memory of every service of the project, in one call (grouped by SERVICE_ID). */

  return {
    findServiceByName,
    ensureService,
    upsertVariables,
    setLimits,
    updateServiceInstance,
    listDomains,
    ensureDomain,
    deleteService,
  };
}
