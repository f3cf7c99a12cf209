/**
 * Deployments: list and read them, start one without ever starting two, wait for one to settle, restart,
 * redeploy, roll back (only where Railway's `canRollback` allows) and remove.
 */
import type { z } from "zod";
import { sendCheckingFirst } from "../check-first.ts";
import { RailwayError } from "../errors.ts";
import * as s from "../schemas.ts";
import { isInFlight, meaningOf } from "../status.ts";
import type { RailwayDeployment } from "../types.ts";
import type { OperationContext } from "./context.ts";

/** How many recent deployments `deploy` looks at to find one in flight. */
const RECENT_DEPLOYMENTS = 10;

function toDeployment(raw: z.infer<typeof s.deploymentSchema>): RailwayDeployment {
  const meaning = meaningOf(raw.status);
  return { ...raw, containerStatus: meaning.container, final: meaning.final };
}

export function deploymentOperations(ctx: OperationContext) {
  const { call, config, projectId, environmentId, now, sleep, pause } = ctx;

  async function listDeployments(serviceId: string, opts: { first?: number } = {}): Promise<RailwayDeployment[]> {
    const data = await call("Deployments", s.deploymentsData, {
      input: { projectId, environmentId, serviceId },
      first: opts.first ?? RECENT_DEPLOYMENTS,
    });
    return data.deployments.edges
      .map((edge) => toDeployment(edge.node))
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  }

  async function getDeployment(id: string): Promise<RailwayDeployment> {
    return toDeployment((await call("Deployment", s.deploymentData, { id })).deployment);
  }

  /**
   * Starts a deployment of the service's current configuration, unless one is already in flight (created
   * with the service, or by an earlier attempt of the same request): then that one is returned, so one
   * deploy never causes two deployments.
   */
  async function deploy(serviceId: string): Promise<{ deployment: RailwayDeployment; started: boolean }> {
    const recent = await listDeployments(serviceId);
    const inFlight = recent.find((deployment) => isInFlight(deployment.status));
    if (inFlight) return { deployment: inFlight, started: false };
    const known = new Set(recent.map((deployment) => deployment.id));
    const { value } = await sendCheckingFirst({
      send: async () => {
        const data = await call("ServiceInstanceDeployV2", s.deployV2Data, { serviceId, environmentId });
        return getDeployment(data.serviceInstanceDeployV2);
      },
      find: async () => (await listDeployments(serviceId)).find((deployment) => !known.has(deployment.id)),
      maxAttempts: config.retry.maxAttempts,
      pause,
    });
    return { deployment: value, started: true };
  }

  /** Polls until the deployment is final or `timeoutMs` passed; `settled` says which. */
  async function waitForDeployment(id: string, opts: { pollIntervalMs?: number; timeoutMs?: number } = {}) {
    const pollIntervalMs = opts.pollIntervalMs ?? 2_000;
    const deadline = now() + (opts.timeoutMs ?? 600_000);
    for (;;) {
      const deployment = await getDeployment(id);
      if (deployment.final) return { deployment, settled: true };
      if (now() + pollIntervalMs > deadline) return { deployment, settled: false };
      await sleep(pollIntervalMs);
    }
  }

  /** Restarts the deployment's containers in place (same deployment id). */
  async function restartDeployment(id: string) {
    await call("DeploymentRestart", s.booleanData("deploymentRestart"), { id });
  }

  /** A new deployment with the same configuration as `id`. */
  async function redeployDeployment(id: string): Promise<RailwayDeployment> {
    return toDeployment((await call("DeploymentRedeploy", s.deploymentRedeployData, { id })).deploymentRedeploy);
  }

  /** Rolls back to deployment `id`; refused before calling Railway when the deployment cannot be rolled back to. */
  async function rollbackDeployment(id: string) {
    const target = await getDeployment(id);
    if (!target.canRollback) {
      throw new RailwayError("provider_rejected", `deployment ${id} cannot be rolled back to`, {
        operation: "DeploymentRollback",
        deployment_status: target.status,
      });
    }
    await call("DeploymentRollback", s.booleanData("deploymentRollback"), { id });
  }

  /** Rolls the service back to its newest earlier deployment that allows it; returns that deployment. */
  async function rollbackService(serviceId: string): Promise<RailwayDeployment> {
    const [current, ...earlier] = await listDeployments(serviceId);
    const target = earlier.find((deployment) => deployment.canRollback);
    if (!current || !target) {
      throw new RailwayError("not_found", `service ${serviceId} has no earlier deployment to roll back to`, {
        operation: "DeploymentRollback",
      });
    }
    await rollbackDeployment(target.id);
    return target;
  }

  async function removeDeployment(id: string) {
    await call("DeploymentRemove", s.booleanData("deploymentRemove"), { id });
  }

  /** Deletes the service; a service that is already gone counts as deleted. */

  return {
    listDeployments,
    getDeployment,
    deploy,
    waitForDeployment,
    restartDeployment,
    redeployDeployment,
    rollbackDeployment,
    rollbackService,
    removeDeployment,
  };
}
