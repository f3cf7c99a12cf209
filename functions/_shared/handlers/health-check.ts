import { getContainer } from "../db/containers.ts";
import { recordCheck } from "../db/health-checks.ts";
import { OrchestratorError } from "../protocol/errors.ts";
import type { IntentPayload } from "../protocol/intents.ts";
import type { Handler } from "./context.ts";
import { assertOwner } from "./ownership.ts";

/** health_check → checks the container now and replies {container_id, health, response_time}. */
export const healthCheck: Handler<IntentPayload<"health_check">> = async (payload, ctx) => {
  const container = await getContainer(ctx.sql, payload.container_id);
  if (!container || container.status === "removed") {
    throw new OrchestratorError("not_found", `no container ${payload.container_id}`);
  }
  assertOwner(container, ctx.request.sender);
  if (!container.health_url) {
    throw new OrchestratorError("not_found", `container ${container.id} has no health URL yet (status ${container.status})`);
  }
  const result = await ctx.probe(container.health_url);
  const recorded = await recordCheck(ctx.sql, container.id, result);
  return {
    container_id: container.id,
    health: recorded.health,
    response_time: result.responseTimeMs,
    health_state: recorded.healthState,
    error: result.error,
  };
};
