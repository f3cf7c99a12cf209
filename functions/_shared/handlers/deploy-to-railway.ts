import { findLiveContainer, recordRailwayPlacement, upsertRailwayContainer } from "../db/containers.ts";
import { recordDeployment, setDeploymentProviderId } from "../db/deployments.ts";
import { OrchestratorError } from "../protocol/errors.ts";
import type { IntentPayload } from "../protocol/intents.ts";
import type { Handler } from "./context.ts";
import { assertOwner } from "./ownership.ts";
import { fromProviderError } from "./provider-errors.ts";

/**
 * deploy_to_railway → {deployment_id, container_id, address, health_url, status: "deploying"}.
 *
 * One transaction holds the container row (created on a first deploy) while Railway is called, so
 * two requests for the same agent and customer never race, and a failed first deploy leaves no row
 * behind. Re-deploying the same agent for the same customer updates that service (image, env) rather
 * than creating a second one; a redelivered request finds its deployment row and Railway's
 * idempotent deploy sequence adopts what already exists.
 */
export const deployToRailway: Handler<IntentPayload<"deploy_to_railway">> = async (payload, ctx) => {
  const railway = ctx.railway;
  if (!railway) throw new OrchestratorError("provider_error", "Railway is not configured on this orchestrator");

  const reply = await ctx.sql.begin(async (tx) => {
    const existing = await findLiveContainer(tx, payload.agent_id, payload.customer_id, true);
    if (existing) assertOwner(existing, ctx.request.sender);
    if (existing && existing.target_type !== "railway") {
      throw new OrchestratorError("conflict", `${payload.agent_id} for ${payload.customer_id} runs on ${existing.target_type}; undeploy it first`);
    }
    const container = await upsertRailwayContainer(tx, {
      agentId: payload.agent_id,
      customerId: payload.customer_id,
      ownerAgentId: ctx.request.sender,
      image: payload.image,
      resources: payload.resources,
      replicas: payload.replicas ?? 1,
      region: payload.region ?? null,
    });
    if (!container) {
      throw new OrchestratorError("forbidden", `${payload.agent_id} for ${payload.customer_id} is deployed by another agent or elsewhere`);
    }
    const deploymentId = await recordDeployment(tx, {
      containerId: container.id,
      kind: existing ? "redeploy" : "deploy",
      image: payload.image,
      envKeys: Object.keys(payload.env).sort(),
      resources: payload.resources,
      provider: "railway",
      requestedBy: ctx.request.sender,
      requestMessageId: ctx.request.id,
    });

    const result = await railway.deployService({
      agentId: payload.agent_id,
      customerId: payload.customer_id,
      image: payload.image,
      env: payload.env,
      resources: { cpu: payload.resources.cpu === undefined ? undefined : String(payload.resources.cpu), memory: payload.resources.memory },
      ...(payload.health_path ? { healthcheckPath: payload.health_path } : {}),
      ...(payload.replicas ? { replicas: payload.replicas } : {}),
      ...(payload.region ? { region: payload.region } : {}),
      ...(payload.port ? { port: payload.port } : {}),
    }).catch(fromProviderError);

    await recordRailwayPlacement(tx, container.id, {
      serviceId: result.service.id,
      environmentId: railway.config.environmentId,
      deploymentId: result.deployment.id,
      address: result.address,
      healthUrl: result.healthUrl,
    });
    await setDeploymentProviderId(tx, deploymentId, result.deployment.id);
    ctx.log.info("railway deployment started", {
      message_id: ctx.request.id, container_id: container.id, deployment_id: deploymentId,
      service_created: result.serviceCreated, deployment_started: result.deploymentStarted,
    });
    return {
      deployment_id: deploymentId,
      container_id: container.id,
      address: result.address,
      health_url: result.healthUrl,
      status: "deploying",
    };
  });
  ctx.watchDeployments();
  return reply;
};
