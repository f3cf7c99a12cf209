/**
 * zod schemas of the data each document returns, checked at the boundary. Statuses stay open strings so a
 * status Railway adds later is reported as `unknown` instead of failing the call.
 */
import { z } from "zod";

export const serviceSchema = z.object({ id: z.string(), name: z.string() });

export const projectServicesData = z.object({
  project: z.object({
    services: z.object({
      edges: z.array(z.object({ node: serviceSchema })),
      pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
    }),
  }),
});

export const serviceCreateData = z.object({ serviceCreate: serviceSchema });

export const serviceDomainSchema = z.object({
  id: z.string(),
  domain: z.string(),
  targetPort: z.number().int().nullable(),
});

export const serviceDomainsData = z.object({
  domains: z.object({ serviceDomains: z.array(serviceDomainSchema) }),
});

export const serviceDomainCreateData = z.object({ serviceDomainCreate: serviceDomainSchema });

export const deploymentSchema = z.object({
  id: z.string(),
  serviceId: z.string().nullable(),
  status: z.string(),
  createdAt: z.string(),
  statusUpdatedAt: z.string().nullable(),
  canRollback: z.boolean(),
  canRedeploy: z.boolean(),
  staticUrl: z.string().nullable(),
});

export const deploymentsData = z.object({
  deployments: z.object({ edges: z.array(z.object({ node: deploymentSchema })) }),
});

export const deploymentData = z.object({ deployment: deploymentSchema });

export const deploymentRedeployData = z.object({ deploymentRedeploy: deploymentSchema });

export const deployV2Data = z.object({ serviceInstanceDeployV2: z.string() });

export const metricsData = z.object({
  metrics: z.array(
    z.object({
      measurement: z.string(),
      tags: z.object({ serviceId: z.string().nullable() }),
      values: z.array(z.object({ ts: z.number(), value: z.number() })),
    }),
  ),
});

/** Data of the documents that return `Boolean!`, keyed by their field. */
export const booleanData = <K extends string>(field: K) => z.object({ [field]: z.boolean() } as Record<K, z.ZodBoolean>);
