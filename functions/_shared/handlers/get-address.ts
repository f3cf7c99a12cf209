import { findLiveContainer } from "../db/containers.ts";
import { OrchestratorError } from "../protocol/errors.ts";
import type { IntentPayload } from "../protocol/intents.ts";
import type { Handler } from "./context.ts";

/** get_address → {address, health, uptime} of the live container of an agent for a customer. */
export const getAddress: Handler<IntentPayload<"get_address">> = async (payload, ctx) => {
  const container = await findLiveContainer(ctx.sql, payload.agent_id, payload.customer_id);
  if (!container || !container.address) {
    throw new OrchestratorError("not_found", `no deployment of ${payload.agent_id} for customer ${payload.customer_id}`);
  }
  return {
    address: container.address,
    health: container.health,
    uptime: container.uptime,
    container_id: container.id,
    health_state: container.health_state,
    status: container.status,
  };
};
