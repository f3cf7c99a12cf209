/**
 * The Railway client's public entry point (runtime-neutral: Deno edge functions and Node alike).
 *
 *   const railway = createRailwayClient({ config: loadRailwayConfig(env), log });
 *   const result = await railway.deployService({ agentId, customerId, image, env, resources });
 */
import { createRailwayOperations, type RailwayClientOptions } from "./client.ts";
import { deployService, type DeployServiceInput } from "./deploy.ts";

export function createRailwayClient(options: RailwayClientOptions) {
  const operations = createRailwayOperations(options);
  return {
    ...operations,
    /** The full, idempotent deploy sequence for one agent and customer (deploy.ts). */
    deployService: (input: DeployServiceInput) => deployService(operations, input),
  };
}

export type RailwayClient = ReturnType<typeof createRailwayClient>;

export type { RailwayClientOptions } from "./client.ts";
export { DEFAULT_RAILWAY_API_URL, hasRailwayToken, loadRailwayConfig, railwayPlans, type RailwayConfig } from "./config.ts";
export { DEFAULT_HEALTH_PATH, type DeployServiceInput, type DeployServiceResult } from "./deploy.ts";
export { documents, operationNames, type OperationName } from "./documents.ts";
export { isEffectUnknown, isRailwayError, RailwayError, type RailwayErrorCode } from "./errors.ts";
export { addressOf, healthUrlOf, serviceName } from "./naming.ts";
export { parseCpu, parseMemoryGB, parseResources } from "./resources.ts";
export { deploymentStatuses, meaningOf, statusMeanings, type ContainerStatus, type DeploymentStatus } from "./status.ts";
export type * from "./types.ts";
