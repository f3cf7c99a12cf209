import type { Sql } from "postgres";
import { finishDeployment, openRailwayDeployments, type OpenDeployment } from "../db/deployments.ts";
import { sendInform } from "../db/informs.ts";
import type { Logger } from "../log.ts";
import type { RailwayClient } from "../railway/index.ts";

/**
 * Follows Railway deployments until they are final: the container row follows (running, failed,
 * crashed) and the agent that asked for the deployment gets an unsolicited inform
 * `deployment_status_changed`. The open deployments are read from the database on every pass, so a
 * restarted function picks up where the last one stopped; `poke()` is called after each deploy and
 * each drain. Polls back off from `pollMs` to `maxPollMs` while nothing changes.
 */
export interface DeploymentWatcherOptions {
  sql: Sql;
  railway: RailwayClient;
  log: Logger;
  sleep?: (ms: number) => Promise<void>;
  pollMs?: number;
  maxPollMs?: number;
}

export interface DeploymentWatcher {
  poke(): void;
  /** One pass over the open deployments; returns how many are still open. */
  pass(): Promise<number>;
  idle(): Promise<void>;
}

const containerStatusOf = { running: "running", sleeping: "running", failed: "failed", crashed: "crashed", stopped: "stopped" } as const;

export function createDeploymentWatcher(o: DeploymentWatcherOptions): DeploymentWatcher {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pollMs = o.pollMs ?? 500;
  const maxPollMs = o.maxPollMs ?? 10_000;
  let running: Promise<void> | undefined;
  let poked = false;

  async function settle(open: OpenDeployment): Promise<boolean> {
    const deployment = await o.railway.getDeployment(open.provider_deployment_id);
    if (!deployment.final) return false;
    const status = containerStatusOf[deployment.containerStatus as keyof typeof containerStatusOf] ?? "failed";
    const succeeded = status === "running";
    const [container] = await o.sql<{ id: string; owner_agent_id: string; address: string | null; health_url: string | null }[]>`
      with finished as (
        update public.deployments set status = ${succeeded ? "succeeded" : "failed"}, finished_at = now(),
               error = ${succeeded ? null : `Railway reports ${deployment.status}`}
         where id = ${open.id} and status = 'deploying'
        returning container_id
      )
      update public.containers c set status = ${status}
        from finished where c.id = finished.container_id and c.provider_deployment_id = ${open.provider_deployment_id}
         and c.status not in ('removing', 'removed')
      returning c.id, c.owner_agent_id, c.address, c.health_url`;
    if (!container) {
      await finishDeployment(o.sql, open.id, succeeded ? "succeeded" : "failed");
      return true;
    }
    await sendInform(o.sql, [container.owner_agent_id], "deployment_status_changed", {
      deployment_id: open.id,
      container_id: container.id,
      status: succeeded ? "running" : status,
      provider_status: deployment.status,
      address: container.address,
      health_url: container.health_url,
      ...(succeeded ? {} : { error: { code: "deployment_failed", message: `Railway reports ${deployment.status}` } }),
    }, open.conversation_id);
    o.log.info("deployment settled", { deployment_id: open.id, container_id: container.id, status: deployment.status });
    return true;
  }

  async function pass(): Promise<number> {
    const open = await openRailwayDeployments(o.sql);
    let remaining = 0;
    for (const d of open) {
      const done = await settle(d).catch((error: unknown) => {
        o.log.warn("could not read a deployment's status", { deployment_id: d.id, error: String(error) });
        return false;
      });
      if (!done) remaining++;
    }
    return remaining;
  }

  async function loop(): Promise<void> {
    let delay = pollMs;
    for (;;) {
      poked = false;
      await sleep(delay);
      const remaining = await pass();
      if (remaining === 0 && !poked) return;
      delay = poked ? pollMs : Math.min(maxPollMs, Math.round(delay * 1.5));
    }
  }

  return {
    poke() {
      poked = true;
      running ??= loop()
        .catch((error: unknown) => o.log.error("deployment watcher failed", { error: String(error) }))
        .finally(() => { running = undefined; });
    },
    pass,
    async idle() {
      while (running) await running;
    },
  };
}
