/**
 * The local Railway's schema: the project's own SDL, for just the operations the client uses. Every type,
 * field and argument declared here exists in Railway's published schema with the same type (a unit test
 * checks it against ../shared/railway/schema.json), and every argument or input field Railway requires is
 * declared, so a document valid here is valid on Railway and this server refuses what Railway would.
 */
export const sdl = /* GraphQL */ `
scalar DateTime
scalar EnvironmentVariables

enum DeploymentStatus {
  BUILDING
  CRASHED
  DEPLOYING
  FAILED
  INITIALIZING
  NEEDS_APPROVAL
  QUEUED
  REMOVED
  REMOVING
  SKIPPED
  SLEEPING
  SUCCESS
  WAITING
}

enum RestartPolicyType {
  ALWAYS
  NEVER
  ON_FAILURE
}

enum MetricMeasurement {
  BACKUP_USAGE_GB
  CPU_LIMIT
  CPU_USAGE
  CPU_USAGE_2
  DISK_USAGE_GB
  EPHEMERAL_DISK_USAGE_GB
  MEASUREMENT_UNSPECIFIED
  MEMORY_LIMIT_GB
  MEMORY_USAGE_GB
  NETWORK_RX_GB
  NETWORK_TX_GB
  UNRECOGNIZED
}

enum MetricTag {
  DEPLOYMENT_ID
  DEPLOYMENT_INSTANCE_ID
  ENVIRONMENT_ID
  HOST_TYPE
  KEY_UNSPECIFIED
  PLUGIN_ID
  PROJECT_ID
  REGION
  SERVICE_ID
  UNRECOGNIZED
  VOLUME_ID
  VOLUME_INSTANCE_ID
}

enum ServiceDomainSyncStatus {
  ACTIVE
  CREATING
  DELETED
  DELETING
  UNSPECIFIED
  UPDATING
}

type PageInfo {
  endCursor: String
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
}

type Project {
  id: ID!
  name: String!
  createdAt: DateTime!
  services(after: String, before: String, first: Int, last: Int): ProjectServicesConnection!
}

type ProjectServicesConnection {
  edges: [ProjectServicesConnectionEdge!]!
  pageInfo: PageInfo!
}

type ProjectServicesConnectionEdge {
  cursor: String!
  node: Service!
}

type Service {
  id: ID!
  name: String!
  projectId: String!
  createdAt: DateTime!
  updatedAt: DateTime!
  deletedAt: DateTime
}

type ServiceDomain {
  id: ID!
  domain: String!
  environmentId: String!
  projectId: String
  serviceId: String!
  targetPort: Int
  suffix: String
  syncStatus: ServiceDomainSyncStatus!
  createdAt: DateTime
}

type AllDomains {
  serviceDomains: [ServiceDomain!]!
}

type Deployment {
  id: ID!
  projectId: String!
  environmentId: String!
  serviceId: String
  status: DeploymentStatus!
  createdAt: DateTime!
  updatedAt: DateTime!
  statusUpdatedAt: DateTime
  canRedeploy: Boolean!
  canRollback: Boolean!
  deploymentStopped: Boolean!
  staticUrl: String
  url: String
}

type QueryDeploymentsConnection {
  edges: [QueryDeploymentsConnectionEdge!]!
  pageInfo: PageInfo!
}

type QueryDeploymentsConnectionEdge {
  cursor: String!
  node: Deployment!
}

"The tags that were used to group the metric."
type MetricTags {
  deploymentId: String
  environmentId: String
  projectId: String
  serviceId: String
}

type Metric {
  ts: Int!
  value: Float!
}

type MetricsResult {
  measurement: MetricMeasurement!
  tags: MetricTags!
  values: [Metric!]!
}

input DeploymentStatusInput {
  in: [DeploymentStatus!]
  notIn: [DeploymentStatus!]
}

input DeploymentListInput {
  environmentId: String
  includeDeleted: Boolean
  projectId: String
  serviceId: String
  status: DeploymentStatusInput
}

input ServiceSourceInput {
  image: String
  repo: String
}

input ServiceCreateInput {
  environmentId: String
  name: String
  projectId: String!
  source: ServiceSourceInput
  variables: EnvironmentVariables
}

input VariableCollectionUpsertInput {
  environmentId: String!
  projectId: String!
  replace: Boolean
  serviceId: String
  skipDeploys: Boolean
  variables: EnvironmentVariables!
}

input ServiceInstanceLimitsUpdateInput {
  environmentId: String!
  memoryGB: Float
  serviceId: String!
  vCPUs: Float
}

input ServiceInstanceUpdateInput {
  healthcheckPath: String
  healthcheckTimeout: Int
  numReplicas: Int
  region: String
  restartPolicyMaxRetries: Int
  restartPolicyType: RestartPolicyType
  source: ServiceSourceInput
  startCommand: String
}

input ServiceDomainCreateInput {
  environmentId: String!
  serviceId: String!
  targetPort: Int
}

type Query {
  project(id: String!): Project!
  deployment(id: String!): Deployment!
  deployments(after: String, before: String, first: Int, input: DeploymentListInput!, last: Int): QueryDeploymentsConnection!
  domains(environmentId: String!, projectId: String!, serviceId: String!): AllDomains!
  metrics(
    averagingWindowSeconds: Int
    endDate: DateTime
    environmentId: String
    groupBy: [MetricTag!]
    includeDeleted: Boolean
    measurements: [MetricMeasurement!]!
    projectId: String
    sampleRateSeconds: Int
    serviceId: String
    startDate: DateTime!
  ): [MetricsResult!]!
}

type Mutation {
  serviceCreate(input: ServiceCreateInput!): Service!
  serviceDelete(environmentId: String, id: String!): Boolean!
  variableCollectionUpsert(input: VariableCollectionUpsertInput!): Boolean!
  serviceInstanceLimitsUpdate(input: ServiceInstanceLimitsUpdateInput!): Boolean!
  serviceInstanceUpdate(environmentId: String, input: ServiceInstanceUpdateInput!, serviceId: String!): Boolean!
  serviceDomainCreate(input: ServiceDomainCreateInput!): ServiceDomain!
  serviceInstanceDeployV2(commitSha: String, environmentId: String!, serviceId: String!): String!
  deploymentRestart(id: String!): Boolean!
  deploymentRedeploy(id: String!, usePreviousImageTag: Boolean): Deployment!
  deploymentRollback(id: String!): Boolean!
  deploymentRemove(id: String!): Boolean!
}
`;
