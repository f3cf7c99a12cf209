import { findLiveContainer } from "../db/containers.ts";
import { recordDeployment } from "../db/deployments.ts";
import { freeHostPort, hostPortTaken, nudgeDevice } from "../db/devices.ts";
import { insertEdgeContainer, previousEdgeDeploy, storeEdgeEnv } from "../db/edge-containers.ts";
import { OrchestratorError } from "../protocol/errors.ts";
import type { IntentPayload } from "../protocol/intents.ts";
import type { Handler } from "./context.ts";
import { chooseDevice, edgeAddress, edgeContainerName, edgeLimits } from "./edge-placement.ts";
import { assertOwner } from "./ownership.ts";

/** The port a container listens on when the payload names none. */
export const DEFAULT_CONTAINER_PORT = 8080;

/**
 * deploy_to_edge → {deployment_id, container_id, address, health_url, status: "deploying", device_id}.
 *
 * One transaction: the device is chosen and locked, a host port picked, the container row, its spec, its
 * deployment and its env (in Vault) written, and the device's desired generation bumped with a nudge. Any
 * failure rolls all of it back, so nothing is half-created. The device then pulls its desired state; its
 * reports settle the deployment and inform the owner (running, or failed with the engine's error).
 */
export const deployToEdge: Handler<IntentPayload<"deploy_to_edge">> = async (payload, ctx) => {
  const previous = await previousEdgeDeploy(ctx.sql, ctx.request.id);
  if (previous) return previous;
  const limits = edgeLimits(payload.resources);

  const reply = await ctx.sql.begin(async (tx) => {
    const existing = await findLiveContainer(tx, payload.agent_id, payload.customer_id, true);
    if (existing) {
      assertOwner(existing, ctx.request.sender);
      throw new OrchestratorError("conflict", `${payload.agent_id} for ${payload.customer_id} is already deployed (container ${existing.id} on ${existing.target_type}); undeploy it first`, { container_id: existing.id });
    }
    const device = await chooseDevice(tx, payload.target, limits);
    const hostPort = payload.host_port ?? await freeHostPort(tx, device.id);
    if (hostPort === undefined) throw new OrchestratorError("insufficient_capacity", `device ${device.id} has no free host port`, { device_id: device.id });
    if (payload.host_port !== undefined && await hostPortTaken(tx, device.id, hostPort)) {
      throw new OrchestratorError("conflict", `host port ${hostPort} is taken on device ${device.id}`, { device_id: device.id, host_port: hostPort });
    }
    const containerId = crypto.randomUUID();
    const address = edgeAddress(device.address, hostPort);
    const healthUrl = `${address}${payload.health_path ?? "/health"}`;
    const generation = await nudgeDevice(tx, device.id);
    await insertEdgeContainer(tx, {
      id: containerId, agentId: payload.agent_id, customerId: payload.customer_id, ownerAgentId: ctx.request.sender,
      image: payload.image, deviceId: device.id, name: edgeContainerName(payload.agent_id, payload.customer_id, containerId),
      address, healthUrl, hostPort, containerPort: payload.port ?? DEFAULT_CONTAINER_PORT, cpu: limits.cpu,
      memoryMb: limits.memoryMb, healthPath: payload.health_path ?? "/health", generation,
    });
    await storeEdgeEnv(tx, containerId, payload.env);
    const deploymentId = await recordDeployment(tx, {
      containerId, kind: "deploy", image: payload.image, envKeys: Object.keys(payload.env).sort(),
      resources: { cpu: limits.cpu, memory_mb: limits.memoryMb }, provider: "edge",
      requestedBy: ctx.request.sender, requestMessageId: ctx.request.id,
    });
    ctx.log.info("edge deployment queued", { message_id: ctx.request.id, container_id: containerId, deployment_id: deploymentId, device_id: device.id, generation });
    return { deployment_id: deploymentId, container_id: containerId, address, health_url: healthUrl, status: "deploying", device_id: device.id };
  });
  return reply;
};
