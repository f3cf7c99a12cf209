import type { Sql } from "postgres";
import { claimContainer } from "../db/health-checks.ts";
import { loadHealPolicy } from "../db/heals.ts";
import type { ProbeResult } from "../health/probe.ts";
import type { Logger } from "../log.ts";
import type { RailwayClient } from "../railway/index.ts";
import { evaluate } from "./evaluate.ts";
import { recordOutcomes } from "./record.ts";
import type { DecidedOutcome } from "./types.ts";

/**
 * One on-demand check (the `health_check` intent) through the sweep's own path: claim, probe,
 * state machine, batch write (of one), informs and heal. Railway usage is not fetched for one check
 * (the sweep's one metrics call per sweep keeps it current).
 *
 * When a sweep holds the container's lease right now, the probe still runs but nothing is recorded
 * (that sweep records its own check a moment later): `recorded` is false.
 */
export interface CheckOneDeps {
  sql: Sql;
  probe: (url: string) => Promise<ProbeResult>;
  railway: Pick<RailwayClient, "restartDeployment"> | undefined;
  log: Logger;
  now?: () => Date;
}

export type CheckOneResult =
  | { recorded: true; outcome: DecidedOutcome }
  | { recorded: false; probe: ProbeResult };

export async function checkOne(deps: CheckOneDeps, containerId: string, healthUrl: string): Promise<CheckOneResult> {
  const now = deps.now ?? (() => new Date());
  const claimed = await claimContainer(deps.sql, containerId, now());
  if (!claimed) return { recorded: false, probe: await deps.probe(healthUrl) };
  const probe = await deps.probe(claimed.health_url ?? healthUrl);
  const outcome = evaluate({ ...claimed, health_url: claimed.health_url ?? healthUrl }, probe, new Map(), now());
  const healPolicy = await loadHealPolicy(deps.sql);
  const [decided] = await recordOutcomes({ sql: deps.sql, railway: deps.railway, healPolicy, log: deps.log }, [outcome]);
  return { recorded: true, outcome: decided! };
}
