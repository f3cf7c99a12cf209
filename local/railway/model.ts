/** The local Railway's records: what Railway keeps per project, service, domain and deployment. */

export type DeploymentStatus =
  | "BUILDING" | "CRASHED" | "DEPLOYING" | "FAILED" | "INITIALIZING" | "NEEDS_APPROVAL" | "QUEUED"
  | "REMOVED" | "REMOVING" | "SKIPPED" | "SLEEPING" | "SUCCESS" | "WAITING";

export type RestartPolicyType = "ALWAYS" | "NEVER" | "ON_FAILURE";

/** The per-environment settings of a service (Railway's service instance), copied into each deployment. */
export interface InstanceSettings {
  image: string | null;
  healthcheckPath: string | null;
  /** Seconds. */
  healthcheckTimeout: number;
  numReplicas: number;
  region: string | null;
  restartPolicyType: RestartPolicyType;
  restartPolicyMaxRetries: number;
  startCommand: string | null;
  vCPUs: number | null;
  memoryGB: number | null;
  variables: Record<string, string>;
}

/** What the control API can do to a service's endpoint and metrics. */
export interface ServiceBehaviour {
  /** HTTP status `/health` answers (and the configured health check path). Default 200. */
  healthStatus: number;
  /** Delay before `/health` answers, in milliseconds. Default 0. */
  healthDelayMs: number;
  /** Reported CPU_USAGE, vCPUs. */
  cpu: number;
  /** Reported MEMORY_USAGE_GB. */
  memoryGB: number;
}

export interface ServiceRecord {
  id: string;
  name: string;
  projectId: string;
  createdAt: string;
  updatedAt: string;
  settings: InstanceSettings;
  behaviour: ServiceBehaviour;
  /** `127.0.0.1:<port>` of its HTTP endpoint, once it has one. */
  endpoint: string | null;
}

export interface DomainRecord {
  id: string;
  serviceId: string;
  projectId: string;
  environmentId: string;
  domain: string;
  targetPort: number | null;
  createdAt: string;
}

export interface DeploymentRecord {
  id: string;
  serviceId: string;
  projectId: string;
  environmentId: string;
  status: DeploymentStatus;
  createdAt: string;
  updatedAt: string;
  statusUpdatedAt: string;
  /** It reached SUCCESS once, so it can be rolled back to after being replaced. */
  everSucceeded: boolean;
  restarts: number;
  settings: InstanceSettings;
}

export const defaultSettings = (): InstanceSettings => ({
  image: null,
  healthcheckPath: null,
  healthcheckTimeout: 300,
  numReplicas: 1,
  region: null,
  restartPolicyType: "ON_FAILURE",
  restartPolicyMaxRetries: 10,
  startCommand: null,
  vCPUs: null,
  memoryGB: null,
  variables: {},
});

export const defaultBehaviour = (): ServiceBehaviour => ({ healthStatus: 200, healthDelayMs: 0, cpu: 0.05, memoryGB: 0.128 });

/** An error the GraphQL layer reports in `errors[]` and the control API as 404/400. */
export class Problem extends Error {
  constructor(readonly kind: "not_found" | "invalid", message: string) {
    super(message);
  }
}
