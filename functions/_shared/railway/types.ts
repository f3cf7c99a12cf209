/** The client's public value types (what callers get back); Railway's raw shapes stay in schemas.ts. */
import type { ContainerStatus } from "./status.ts";

export interface RailwayService {
  id: string;
  name: string;
}

export interface RailwayDomain {
  id: string;
  /** `<name>.up.railway.app` on Railway, `127.0.0.1:<port>` on the local Railway. */
  domain: string;
  targetPort: number | null;
  /** `https://<domain>` (plain `http://` for a loopback domain). */
  address: string;
}

export interface RailwayDeployment {
  id: string;
  serviceId: string | null;
  /** Railway's `DeploymentStatus`, verbatim. */
  status: string;
  /** Our reading of it. */
  containerStatus: ContainerStatus;
  /** No further transition happens without a new action. */
  final: boolean;
  createdAt: string;
  statusUpdatedAt: string | null;
  canRollback: boolean;
  canRedeploy: boolean;
  staticUrl: string | null;
}

export interface MetricSample {
  /** Unix time, seconds. */
  ts: number;
  value: number;
}

export interface ServiceMetrics {
  serviceId: string;
  /** CPU_USAGE, in vCPUs. */
  cpu: MetricSample[];
  /** MEMORY_USAGE_GB. */
  memoryGB: MetricSample[];
}

export type RestartPolicyType = "ALWAYS" | "NEVER" | "ON_FAILURE";

/** The `serviceInstanceUpdate` settings the orchestrator manages; an absent field is left as it is. */
export interface ServiceInstanceSettings {
  image?: string;
  healthcheckPath?: string;
  healthcheckTimeoutSeconds?: number;
  replicas?: number;
  region?: string;
  restartPolicy?: { type: RestartPolicyType; maxRetries?: number };
}
