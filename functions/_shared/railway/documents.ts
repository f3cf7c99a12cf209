/**
 * Every GraphQL document the Railway client can send, in one registry. The contract test validates each of
 * them against Railway's published schema and fails when one is added without being covered.
 *
 * Glossary
 * - project: a Railway project; everything we deploy lives in the one named by RAILWAY_PROJECT_ID.
 * - environment: a copy of the project's services (e.g. production); ours is RAILWAY_ENVIRONMENT_ID.
 * - service: one customer's copy of one agent, named `<agent's last id segment>-<customer_id>`;
 *   its settings per environment form a *service instance* (health check, replicas, region, limits).
 * - variables: the service's environment variables (secrets: never logged, never in an error).
 * - domain: the generated `<name>.up.railway.app` host routed to the service's `targetPort`.
 * - deployment: one attempt to run the service's image; its `DeploymentStatus` moves from QUEUED to a final
 *   state (SUCCESS, FAILED, CRASHED, REMOVED, …). A newer SUCCESS replaces the older one.
 * - idempotent: sending the document twice has the effect of sending it once, so the transport may retry it
 *   when the first attempt's outcome is unknown (timeout, network error, 5xx). Documents that are not are
 *   only retried on 429 (Railway refused them before running them); the client checks state before
 *   sending one again.
 */

export type OperationKind = "query" | "mutation";

export interface GraphQLDocument {
  readonly kind: OperationKind;
  readonly idempotent: boolean;
  readonly text: string;
}

const deploymentFields = /* GraphQL */ `
fragment DeploymentFields on Deployment {
  id
  serviceId
  status
  createdAt
  statusUpdatedAt
  canRollback
  canRedeploy
  staticUrl
}`;

const serviceDomainFields = /* GraphQL */ `
fragment ServiceDomainFields on ServiceDomain {
  id
  domain
  targetPort
}`;

export const documents = {
  ProjectServices: {
    kind: "query",
    idempotent: true,
    text: /* GraphQL */ `
query ProjectServices($projectId: String!, $first: Int, $after: String) {
  project(id: $projectId) {
    services(first: $first, after: $after) {
      edges { node { id name } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`,
  },
  ServiceCreate: {
    kind: "mutation",
    idempotent: false,
    text: /* GraphQL */ `
mutation ServiceCreate($input: ServiceCreateInput!) {
  serviceCreate(input: $input) { id name }
}`,
  },
  VariableCollectionUpsert: {
    kind: "mutation",
    idempotent: true,
    text: /* GraphQL */ `
mutation VariableCollectionUpsert($input: VariableCollectionUpsertInput!) {
  variableCollectionUpsert(input: $input)
}`,
  },
  ServiceInstanceLimitsUpdate: {
    kind: "mutation",
    idempotent: true,
    text: /* GraphQL */ `
mutation ServiceInstanceLimitsUpdate($input: ServiceInstanceLimitsUpdateInput!) {
  serviceInstanceLimitsUpdate(input: $input)
}`,
  },
  ServiceInstanceUpdate: {
    kind: "mutation",
    idempotent: true,
    text: /* GraphQL */ `
mutation ServiceInstanceUpdate($serviceId: String!, $environmentId: String, $input: ServiceInstanceUpdateInput!) {
  serviceInstanceUpdate(serviceId: $serviceId, environmentId: $environmentId, input: $input)
}`,
  },
  ServiceDomains: {
    kind: "query",
    idempotent: true,
    text: /* GraphQL */ `
query ServiceDomains($projectId: String!, $environmentId: String!, $serviceId: String!) {
  domains(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId) {
    serviceDomains { ...ServiceDomainFields }
  }
}
${serviceDomainFields}`,
  },
  ServiceDomainCreate: {
    kind: "mutation",
    idempotent: false,
    text: /* GraphQL */ `
mutation ServiceDomainCreate($input: ServiceDomainCreateInput!) {
  serviceDomainCreate(input: $input) { ...ServiceDomainFields }
}
${serviceDomainFields}`,
  },
  ServiceInstanceDeployV2: {
    kind: "mutation",
    idempotent: false,
    text: /* GraphQL */ `
mutation ServiceInstanceDeployV2($serviceId: String!, $environmentId: String!) {
  serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId)
}`,
  },
  Deployments: {
    kind: "query",
    idempotent: true,
    text: /* GraphQL */ `
query Deployments($input: DeploymentListInput!, $first: Int) {
  deployments(input: $input, first: $first) {
    edges { node { ...DeploymentFields } }
  }
}
${deploymentFields}`,
  },
  Deployment: {
    kind: "query",
    idempotent: true,
    text: /* GraphQL */ `
query Deployment($id: String!) {
  deployment(id: $id) { ...DeploymentFields }
}
${deploymentFields}`,
  },
  DeploymentRestart: {
    kind: "mutation",
    idempotent: false,
    text: /* GraphQL */ `
mutation DeploymentRestart($id: String!) {
  deploymentRestart(id: $id)
}`,
  },
  DeploymentRedeploy: {
    kind: "mutation",
    idempotent: false,
    text: /* GraphQL */ `
mutation DeploymentRedeploy($id: String!) {
  deploymentRedeploy(id: $id) { ...DeploymentFields }
}
${deploymentFields}`,
  },
  DeploymentRollback: {
    kind: "mutation",
    idempotent: false,
    text: /* GraphQL */ `
mutation DeploymentRollback($id: String!) {
  deploymentRollback(id: $id)
}`,
  },
  DeploymentRemove: {
    kind: "mutation",
    idempotent: true,
    text: /* GraphQL */ `
mutation DeploymentRemove($id: String!) {
  deploymentRemove(id: $id)
}`,
  },
  ServiceDelete: {
    kind: "mutation",
    idempotent: true,
    text: /* GraphQL */ `
mutation ServiceDelete($id: String!, $environmentId: String) {
  serviceDelete(id: $id, environmentId: $environmentId)
}`,
  },
  Metrics: {
    kind: "query",
    idempotent: true,
    text: /* GraphQL */ `
query Metrics(
  $projectId: String!
  $environmentId: String!
  $measurements: [MetricMeasurement!]!
  $startDate: DateTime!
  $endDate: DateTime
  $sampleRateSeconds: Int
  $averagingWindowSeconds: Int
) {
  metrics(
    projectId: $projectId
    environmentId: $environmentId
    measurements: $measurements
    groupBy: [SERVICE_ID]
    startDate: $startDate
    endDate: $endDate
    sampleRateSeconds: $sampleRateSeconds
    averagingWindowSeconds: $averagingWindowSeconds
  ) {
    measurement
    tags { serviceId }
    values { ts value }
  }
}`,
  },
} as const satisfies Record<string, GraphQLDocument>;

export type OperationName = keyof typeof documents;

export const operationNames = Object.keys(documents) as OperationName[];
