import { z } from "zod";
import { agentId, containerId, customerId, deploymentFields } from "./common.ts";
import { deployToEdge } from "./deploy-to-edge.ts";

/**
 * One zod schema per intent: the payload a request must carry. Shared by the function, the tests
 * and the docs (docs/protocol.md shows an example of each).
 */
export const deployToRailway = z.object({
  ...deploymentFields,
  region: z.string().max(64).optional(),
  replicas: z.number().int().min(1).max(50).optional(),
}).strict();

export const getAddress = z.object({ agent_id: agentId, customer_id: customerId }).strict();

export const healthCheck = z.object({ container_id: containerId }).strict();

export const undeploy = z.union([
  z.object({ container_id: containerId }).strict(),
  z.object({ agent_id: agentId, customer_id: customerId }).strict(),
]);

export const intentSchemas = {
  deploy_to_railway: deployToRailway,
  deploy_to_edge: deployToEdge,
  get_address: getAddress,
  health_check: healthCheck,
  undeploy,
} as const;

export type IntentName = keyof typeof intentSchemas;
export type IntentPayload<I extends IntentName> = z.infer<(typeof intentSchemas)[I]>;

export function isKnownIntent(intent: string): intent is IntentName {
  return Object.hasOwn(intentSchemas, intent);
}
