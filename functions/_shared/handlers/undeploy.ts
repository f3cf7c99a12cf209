import { findLiveContainer, getContainer, markRemoved, setContainerStatus, type ContainerRow } from "../db/containers.ts";
import { closeOpenDeployments, recordDeployment } from "../db/deployments.ts";
import { OrchestratorError } from "../protocol/errors.ts";
import type { IntentPayload } from "../protocol/intents.ts";
import type { Handler } from "./context.ts";
import { assertOwner } from "./ownership.ts";
import { fromProviderError } from "./provider-errors.ts";
import { undeployEdge } from "./undeploy-edge.ts";

/**
 * undeploy ({container_id} or {agent_id, customer_id}) → removes the service at the provider and
 * marks the container removed (the row stays for history). Undeploying what is gone is not_found.
 */
export const undeploy: Handler<IntentPayload<"undeploy">> = async (payload, ctx) => {
  const container: ContainerRow | undefined = "container_id" in payload
    ? await getContainer(ctx.sql, payload.container_id)
    : await findLiveContainer(ctx.sql, payload.agent_id, payload.customer_id);
  if (!container || container.status === "removed") {
    throw new OrchestratorError("not_found", "container_id" in payload
      ? `no live container ${payload.container_id}`
      : `no deployment of ${payload.agent_id} for customer ${payload.customer_id}`);
  }
  assertOwner(container, ctx.request.sender);
  if (container.target_type === "edge") return undeployEdge(container, ctx);
  await recordDeployment(ctx.sql, {
    containerId: container.id, kind: "undeploy", image: container.image, envKeys: [], resources: {},
    provider: "railway", requestedBy: ctx.request.sender, requestMessageId: ctx.request.id,
  });
  await setContainerStatus(ctx.sql, container.id, "removing");
  if (container.provider_service_id) {
    if (!ctx.railway) throw new OrchestratorError("provider_error", "Railway is not configured on this orchestrator");
    const railway = ctx.railway;
    await railway.deleteService(container.provider_service_id).catch(async (error: unknown) => {
      await setContainerStatus(ctx.sql, container.id, container.status);
      return fromProviderError(error);
    });
  }
  await markRemoved(ctx.sql, container.id);
  await closeOpenDeployments(ctx.sql, container.id); // this undeploy, and a deploy still in flight

  return { container_id: container.id, agent_id: container.agent_id, customer_id: container.customer_id, status: "removed" };
};
