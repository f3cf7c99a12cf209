import { markRemoved, type ContainerRow } from "../db/containers.ts";
import { closeOpenDeployments, recordDeployment } from "../db/deployments.ts";
import { nudgeDevice } from "../db/devices.ts";
import { removeEdgeSpec } from "../db/edge-containers.ts";
import type { HandlerContext } from "./context.ts";

/**
 * undeploy of an edge container: in one transaction it leaves its device's desired state (the device is
 * nudged and removes it at its next reconcile, reporting it `removed`), its env is deleted from Vault, the
 * container is marked removed and open deployments of it are closed.
 */
export async function undeployEdge(container: ContainerRow, ctx: HandlerContext): Promise<Record<string, unknown>> {
  await ctx.sql.begin(async (tx) => {
    await recordDeployment(tx, {
      containerId: container.id, kind: "undeploy", image: container.image, envKeys: [], resources: {},
      provider: "edge", requestedBy: ctx.request.sender, requestMessageId: ctx.request.id,
    });
    const deviceId = await removeEdgeSpec(tx, container.id);
    await markRemoved(tx, container.id);
    await closeOpenDeployments(tx, container.id);
    if (deviceId) await nudgeDevice(tx, deviceId);
  });
  ctx.log.info("edge container removed from its device's desired state", { container_id: container.id, device_id: container.target_id });
  return { container_id: container.id, agent_id: container.agent_id, customer_id: container.customer_id, status: "removed" };
}
