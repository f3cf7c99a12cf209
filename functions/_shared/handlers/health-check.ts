import { getContainer } from "../db/containers.ts";
import { OrchestratorError } from "../protocol/errors.ts";
import type { IntentPayload } from "../protocol/intents.ts";
import { checkOne } from "../sweep/check-one.ts";
import type { Handler } from "./context.ts";
import { assertOwner } from "./ownership.ts";

/**
 * health_check → checks the container now, through the sweep's own path (claim, probe, state machine,
 * batch write, informs, heal), and replies {container_id, health, response_time} plus the state.
 */
export const healthCheck: Handler<IntentPayload<"health_check">> = async (payload, ctx) => {
  const container = await getContainer(ctx.sql, payload.container_id);
  if (!container || container.status === "removed") {
    throw new OrchestratorError("not_found", `no container ${payload.container_id}`);
  }
  assertOwner(container, ctx.request.sender);
  if (!container.health_url) {
    throw new OrchestratorError("not_found", `container ${container.id} has no health URL yet (status ${container.status})`);
  }
  const result = await checkOne({ sql: ctx.sql, probe: ctx.probe, railway: ctx.railway, log: ctx.log }, container.id, container.health_url);
  if (!result.recorded) {
    // a sweep is checking it at this moment and records its own check: answer with this probe
    return {
      container_id: container.id,
      health: result.probe.status !== "unhealthy",
      response_time: result.probe.responseTimeMs,
      health_state: container.health_state,
      error: result.probe.error,
    };
  }
  const { outcome } = result;
  return {
    container_id: container.id,
    health: outcome.step.passed,
    response_time: outcome.probe.responseTimeMs,
    health_state: outcome.step.state,
    error: outcome.probe.error,
  };
};
